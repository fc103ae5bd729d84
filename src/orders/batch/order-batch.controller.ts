import { Body, Controller, Patch, Post } from '@nestjs/common';
import { ApiCreatedResponse, ApiOperation, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { RequiresRight } from '../../auth/auth.decorators.js';
import type { Answer } from '../../common/http/answer.js';
import { ApiProblems } from '../../common/http/api-docs.js';
import { CurrentWrite, type WriteRequest } from '../../common/http/write-request.js';
import {
  BATCH_MAX_RECORDS,
  OrderBatchCreateModel,
  OrderBatchPatchRequest,
  OrderBatchPostRequest,
  OrderBatchUpdateModel,
} from './order-batch.dto.js';
import { OrderBatchService } from './order-batch.service.js';
import { RehearsedAs } from '../../common/http/dry-run-answer.js';
import { ApiBodyExample, REQUEST_EXAMPLES } from '../dto/request-examples.js';

const ALL_OR_NOTHING =
  `Up to ${BATCH_MAX_RECORDS} records, written in one transaction: all of them or, when any record is refused, ` +
  'none (the error names the record: `records[3].items[0].price.base_price`). With an Idempotency-Key the ' +
  'whole batch is repeated safely. Each order reaches MplusKASSA as if it had been sent alone.';

@ApiTags('Orders')
@ApiSecurity('token')
@Controller('System/Orders/batch')
export class OrderBatchController {
  constructor(private readonly batches: OrderBatchService) {}

  @Post()
  @RequiresRight('orders:write')
  @ApiOperation({
    summary: 'Create orders in a batch',
    description:
      `Each record is a POST /System/Orders body. ${ALL_OR_NOTHING} A record whose external id exists is answered ` +
      'with that order (`created: false`) and writes nothing; two records with the same external id are refused. ' +
      '201 when the batch created an order, 200 when every record existed.',
  })
  @ApiCreatedResponse({ type: OrderBatchCreateModel })
  @RehearsedAs(OrderBatchCreateModel, 'each result with its `order` as the batch would leave it', {
    type: OrderBatchCreateModel,
    description: 'Every record’s order existed already.',
  })
  @ApiProblems(400, 401, 403, 409, 413, 415, 422)
  @ApiBodyExample(OrderBatchPostRequest, 'One order in a batch', REQUEST_EXAMPLES.createOrders)
  createOrders(
    @CurrentWrite() write: WriteRequest,
    @Body() body: OrderBatchPostRequest,
  ): Promise<Answer<OrderBatchCreateModel>> {
    return this.batches.create(write, body);
  }

  @Patch()
  @RequiresRight('orders:write')
  @ApiOperation({
    summary: 'Change orders in a batch',
    description:
      `Each record is a PUT /System/Orders body: the order's \`id\` and only the fields to change (null clears one). ` +
      `${ALL_OR_NOTHING} No If-Match: the orders are changed under their row locks, in id order.`,
  })
  @RehearsedAs(OrderBatchUpdateModel, 'each result with its `order` as the batch would leave it', {
    type: OrderBatchUpdateModel,
    description: 'Changed.',
  })
  @ApiProblems(400, 401, 403, 404, 409, 413, 415, 422)
  @ApiBodyExample(OrderBatchPatchRequest, 'A note on order 1', REQUEST_EXAMPLES.updateOrders)
  updateOrders(
    @CurrentWrite() write: WriteRequest,
    @Body() body: OrderBatchPatchRequest,
  ): Promise<Answer<OrderBatchUpdateModel>> {
    return this.batches.update(write, body);
  }
}
