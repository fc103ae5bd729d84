import { Body, Controller, Delete, Param, Post, Put } from '@nestjs/common';
import { ApiCreatedResponse, ApiOperation, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { RequiresRight } from '../auth/auth.decorators.js';
import type { Answer } from '../common/http/answer.js';
import { ApiProblems } from '../common/http/api-docs.js';
import { ParseIdPipe } from '../common/http/parse-id.pipe.js';
import { IdModel } from '../common/http/responses.model.js';
import { CurrentWrite, type WriteRequest } from '../common/http/write-request.js';
import { OrderItemPostRequest, OrderItemPutRequest } from './dto/order-item.dto.js';
import { OrderItemsService } from './order-items.service.js';
import { OrderDryRun } from './dry-run.decorator.js';
import { ApiBodyExample, REQUEST_EXAMPLES } from './dto/request-examples.js';

const ITEMS_CHANGEABLE = 'Lines can change while the order is open: not once it is sent, done or canceled.';

@ApiTags('Order items')
@ApiSecurity('token')
@RequiresRight('orders:write')
@Controller('System/Orders/:orderId/item')
export class OrderItemsController {
  constructor(private readonly items: OrderItemsService) {}

  @Post()
  @ApiOperation({
    summary: 'Add an item',
    description: `Adds a line and recomputes the order total in the same transaction. ${ITEMS_CHANGEABLE}`,
  })
  @ApiCreatedResponse({ type: IdModel, description: 'The new line’s id.' })
  @OrderDryRun()
  @ApiProblems(400, 401, 403, 404, 413, 415, 422)
  @ApiBodyExample(OrderItemPostRequest, 'A tea pot', REQUEST_EXAMPLES.addItem)
  addOrderItem(
    @CurrentWrite() write: WriteRequest,
    @Param('orderId', new ParseIdPipe('order-id')) orderId: number,
    @Body() body: OrderItemPostRequest,
  ): Promise<Answer<IdModel>> {
    return this.items.add(write, orderId, body);
  }

  @Put()
  @ApiOperation({
    summary: 'Change an item',
    description: `Changes the fields given of line \`id\` (201, as Retailys answers). ${ITEMS_CHANGEABLE}`,
  })
  @ApiCreatedResponse({ type: IdModel, description: 'The line’s id.' })
  @OrderDryRun()
  @ApiProblems(400, 401, 403, 404, 413, 415, 422)
  @ApiBodyExample(OrderItemPutRequest, 'Three mugs on line 1', REQUEST_EXAMPLES.changeItem)
  editOrderItem(
    @CurrentWrite() write: WriteRequest,
    @Param('orderId', new ParseIdPipe('order-id')) orderId: number,
    @Body() body: OrderItemPutRequest,
  ): Promise<Answer<IdModel>> {
    return this.items.edit(write, orderId, body);
  }

  @Delete(':itemId')
  @ApiOperation({ summary: 'Delete an item', description: `Removes a line. ${ITEMS_CHANGEABLE}` })
  @OrderDryRun({ type: IdModel, description: 'The deleted line’s id.' })
  @ApiProblems(400, 401, 403, 404, 422)
  deleteOrderItem(
    @CurrentWrite() write: WriteRequest,
    @Param('orderId', new ParseIdPipe('order-id')) orderId: number,
    @Param('itemId', new ParseIdPipe('order-item-id')) itemId: number,
  ): Promise<Answer<IdModel>> {
    return this.items.remove(write, orderId, itemId);
  }
}
