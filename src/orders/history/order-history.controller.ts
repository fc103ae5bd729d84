import { Body, Controller, Get, Param, Post, Query } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { RequiresRight } from '../../auth/auth.decorators.js';
import type { Answer } from '../../common/http/answer.js';
import { ApiProblems } from '../../common/http/api-docs.js';
import { PageQuery } from '../../common/http/pagination.dto.js';
import { ParseIdPipe } from '../../common/http/parse-id.pipe.js';
import { IdModel } from '../../common/http/responses.model.js';
import { CurrentWrite, type WriteRequest } from '../../common/http/write-request.js';
import { HistoryPostRequest } from '../dto/history.dto.js';
import { HistoryModel } from '../dto/history.model.js';
import { OrderHistoryService } from './order-history.service.js';
import { OrderDryRun } from '../dry-run.decorator.js';
import { ApiBodyExample, REQUEST_EXAMPLES } from '../dto/request-examples.js';

@ApiTags('Order history')
@ApiSecurity('token')
@Controller('System/Orders/:orderId/history')
export class OrderHistoryController {
  constructor(private readonly history: OrderHistoryService) {}

  @Post()
  @RequiresRight('orders:write')
  @ApiOperation({
    summary: 'Add a history entry',
    description: 'A note of the client’s own (an e-mail sent, an app’s event).',
  })
  @ApiCreatedResponse({ type: IdModel, description: 'The entry’s id.' })
  @OrderDryRun()
  @ApiProblems(400, 401, 403, 404, 413, 415)
  @ApiBodyExample(HistoryPostRequest, 'An e-mail sent', REQUEST_EXAMPLES.history)
  addOrderHistoryEntry(
    @CurrentWrite() write: WriteRequest,
    @Param('orderId', new ParseIdPipe('order-id')) orderId: number,
    @Body() body: HistoryPostRequest,
  ): Promise<Answer<IdModel>> {
    return this.history.post(write, orderId, body);
  }

  @Get()
  @RequiresRight('orders:read')
  @ApiOperation({
    summary: 'Read the history',
    description:
      'An addition to Retailys. Oldest first: every change with who made it (API key), the request id and what changed.',
  })
  @ApiOkResponse({ type: HistoryModel })
  @ApiProblems(400, 401, 403, 404)
  listOrderHistory(
    @Param('orderId', new ParseIdPipe('order-id')) orderId: number,
    @Query() query: PageQuery,
  ): Promise<HistoryModel> {
    return this.history.list(orderId, query);
  }
}
