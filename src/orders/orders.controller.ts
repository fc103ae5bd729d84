import { Body, Controller, Get, Headers, Param, Post, Put, Query } from '@nestjs/common';
import {
  ApiCreatedResponse,
  ApiExtraModels,
  ApiHeader,
  ApiOkResponse,
  ApiOperation,
  ApiResponse,
  ApiSecurity,
  ApiTags,
} from '@nestjs/swagger';
import { type Access, CurrentAccess, OrderHashAccess, RequiresRight } from '../auth/auth.decorators.js';
import type { Answer } from '../common/http/answer.js';
import { ApiProblems } from '../common/http/api-docs.js';
import { parseIfNoneMatch } from '../common/http/entity-tag.js';
import { ParseIdPipe } from '../common/http/parse-id.pipe.js';
import { IdModel, NonExpandedModel } from '../common/http/responses.model.js';
import { CurrentWrite, type WriteRequest } from '../common/http/write-request.js';
import { OrderStatusModel } from '../statuses/dto/order-status.model.js';
import { GetOrderQuery, OrderListQuery } from './dto/order-list.query.js';
import { OrderModel, OrdersModel } from './dto/order.model.js';
import { OrderPostRequest } from './dto/order-post.dto.js';
import { OrderPutRequest } from './dto/order-put.dto.js';
import { OrdersService } from './orders.service.js';
import { OrderDryRun } from './dry-run.decorator.js';
import { ApiBodyExample, REQUEST_EXAMPLES } from './dto/request-examples.js';

@ApiTags('Orders')
// OrderModel.status is one of these two, named by reference.
@ApiExtraModels(NonExpandedModel, OrderStatusModel)
@ApiSecurity('token')
@Controller('System/Orders')
export class OrdersController {
  constructor(private readonly orders: OrdersService) {}

  @Post()
  @RequiresRight('orders:write')
  @ApiOperation({
    summary: 'Create an order',
    description:
      'Creates the order with its items in one transaction. With `external_order_id` (and prefix) the request ' +
      'is safe to repeat: an order with the same pair is answered with its id and status 200, not created again.',
  })
  @ApiCreatedResponse({ type: IdModel, description: 'Created.' })
  @OrderDryRun({ type: IdModel, description: 'An order with this external id exists: its id.' })
  @ApiProblems(400, 401, 403, 413, 415)
  @ApiBodyExample(OrderPostRequest, 'Two coffee mugs, in EUR', REQUEST_EXAMPLES.createOrder)
  createOrder(@CurrentWrite() write: WriteRequest, @Body() body: OrderPostRequest): Promise<Answer<IdModel>> {
    return this.orders.create(write, body);
  }

  @Get()
  @RequiresRight('orders:read')
  @ApiOperation({
    summary: 'List orders',
    description:
      'Pages of orders, newest `date_order` first, filtered by any combination of the parameters. ' +
      'To follow changes instead, start with `updated_since` and continue with each answer’s `next_cursor`.',
  })
  @ApiOkResponse({ type: OrdersModel })
  @ApiProblems(400, 401, 403)
  listOrders(@Query() query: OrderListQuery): Promise<OrdersModel> {
    return this.orders.list(query);
  }

  @Put()
  @RequiresRight('orders:write')
  @ApiOperation({
    summary: 'Change the delivery address, the discount or the fees',
    description:
      'Only the fields given change (null clears one). A discount or fee prices the whole order again in the same transaction. Refused once the order is sent, done or canceled.',
  })
  @OrderDryRun({ type: IdModel, description: 'Changed, or nothing to change.' })
  @ApiProblems(400, 401, 403, 404, 412, 413, 415, 422)
  @ApiBodyExample(OrderPutRequest, 'A delivery address for order 1', REQUEST_EXAMPLES.updateOrder)
  updateOrder(@CurrentWrite() write: WriteRequest, @Body() body: OrderPutRequest): Promise<Answer<IdModel>> {
    return this.orders.update(write, body);
  }

  @Get(':orderId')
  @RequiresRight('orders:read')
  @OrderHashAccess()
  @ApiOperation({
    summary: 'Get one order',
    description:
      'The order with its items, parcels and current status, and its version as the ETag. With `hash` and no ' +
      'key, whoever holds the order’s hash reads this order (its internal note left out) and nothing else.',
  })
  @ApiOkResponse({ type: OrderModel })
  @ApiResponse({
    status: 304,
    description: 'If-None-Match names the order’s version: the client’s copy is current. No body.',
    headers: { ETag: { description: 'The order’s version: W/"3".', required: true, schema: { type: 'string' } } },
  })
  @ApiHeader({
    name: 'If-None-Match',
    required: false,
    description: 'ETags of the order the client holds (`W/"3"`, or `*`): at one of those versions the answer is 304.',
  })
  @ApiProblems(400, 401, 403, 404)
  getOrder(
    @CurrentAccess() access: Access,
    @Param('orderId', new ParseIdPipe('order-id')) orderId: number,
    @Query() query: GetOrderQuery,
    @Headers('if-none-match') ifNoneMatch: string | undefined,
  ): Promise<Answer<OrderModel | null>> {
    return this.orders.get(
      orderId,
      query.expanded,
      access.kind === 'order-hash' ? access.hash : undefined,
      ifNoneMatch === undefined ? null : parseIfNoneMatch(ifNoneMatch),
    );
  }
}
