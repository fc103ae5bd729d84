import { Body, Controller, Delete, Param, Patch, Post } from '@nestjs/common';
import { ApiCreatedResponse, ApiOperation, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { RequiresRight } from '../auth/auth.decorators.js';
import type { Answer } from '../common/http/answer.js';
import { ApiProblems } from '../common/http/api-docs.js';
import { RefuseBodyPipe } from '../common/http/refuse-body.pipe.js';
import { ParseIdPipe } from '../common/http/parse-id.pipe.js';
import { IdModel } from '../common/http/responses.model.js';
import { CurrentWrite, type WriteRequest } from '../common/http/write-request.js';
import { OrderModel } from './dto/order.model.js';
import { OrderPaidPatchRequest } from './dto/order-paid.dto.js';
import { OrderStatusPatchRequest } from './dto/order-status.dto.js';
import { TrackingPostRequest } from './dto/tracking.dto.js';
import { OrderLifecycleService } from './order-lifecycle.service.js';
import { OrderDryRun } from './dry-run.decorator.js';
import { ApiBodyExample, REQUEST_EXAMPLES } from './dto/request-examples.js';

const REPEAT = 'Repeating it once it holds answers 200 and changes nothing.';

@ApiTags('Order lifecycle')
@ApiSecurity('token')
@Controller('System/Orders/:orderId')
export class OrderLifecycleController {
  constructor(private readonly lifecycle: OrderLifecycleService) {}

  @Delete()
  @RequiresRight('orders:write')
  @ApiOperation({
    summary: 'Archive an order',
    description:
      'Orders are archived, never deleted: `deleted_at` is set, the order leaves lists (unless `archived=true`), ' +
      'stays readable by id and takes no change until an admin restores it. Only a done or canceled order can ' +
      `be archived (422 otherwise). Nothing is sent to MplusKASSA. ${REPEAT}`,
  })
  @OrderDryRun({ type: IdModel, description: 'Archived.' })
  @ApiProblems(400, 401, 403, 404, 422)
  archiveOrder(
    @CurrentWrite() write: WriteRequest,
    @Param('orderId', new ParseIdPipe('order-id')) orderId: number,
    @Body(RefuseBodyPipe) _body: unknown,
  ): Promise<Answer<IdModel>> {
    return this.lifecycle.archive(write, orderId);
  }

  @Post('restore')
  @RequiresRight('admin')
  @ApiOperation({
    summary: 'Restore an archived order',
    description: `Clears \`deleted_at\`: the order is listed and takes changes again. Needs admin. ${REPEAT}`,
  })
  @OrderDryRun({ type: IdModel, description: 'Restored.' })
  @ApiProblems(400, 401, 403, 404)
  restoreOrder(
    @CurrentWrite() write: WriteRequest,
    @Param('orderId', new ParseIdPipe('order-id')) orderId: number,
    @Body(RefuseBodyPipe) _body: unknown,
  ): Promise<Answer<IdModel>> {
    return this.lifecycle.restore(write, orderId);
  }

  @Patch('status')
  @RequiresRight('orders:write')
  @ApiOperation({
    summary: 'Set the status',
    description:
      'A status with complete_order also marks the order done, one with cancel_order cancels it, under the rules of /done and /cancel.',
  })
  @OrderDryRun({ type: OrderModel, description: 'The order as the change left it.' })
  @ApiProblems(400, 401, 403, 404, 413, 415, 422)
  @ApiBodyExample(OrderStatusPatchRequest, 'Processing', REQUEST_EXAMPLES.status)
  setOrderStatus(
    @CurrentWrite() write: WriteRequest,
    @Param('orderId', new ParseIdPipe('order-id')) orderId: number,
    @Body() body: OrderStatusPatchRequest,
  ): Promise<Answer<OrderModel>> {
    return this.lifecycle.setStatus(write, orderId, body.status_id);
  }

  @Patch('paid')
  @RequiresRight('orders:pay')
  @ApiOperation({
    summary: 'Record a payment',
    description:
      'For payment gateways. `success` adds the amount once per `payment_id` (a retried callback changes nothing) and ' +
      'records payment_id, url and date_paid; it may not exceed balance_due (422 OVERPAYMENT, unless ALLOW_OVERPAYMENT) ' +
      'and an invoiced order takes no payment (422 ORDER_INVOICED). Other statuses record the attempt under its ' +
      'payment_id in payments[] and in the history. Needs orders:pay.',
  })
  @OrderDryRun({ type: OrderModel, description: 'The order as the change left it.' })
  @ApiProblems(400, 401, 403, 404, 409, 413, 415, 422)
  @ApiBodyExample(OrderPaidPatchRequest, 'What order 1 owes, paid in full', REQUEST_EXAMPLES.pay)
  markOrderPaid(
    @CurrentWrite() write: WriteRequest,
    @Param('orderId', new ParseIdPipe('order-id')) orderId: number,
    @Body() body: OrderPaidPatchRequest,
  ): Promise<Answer<OrderModel>> {
    return this.lifecycle.markPaid(write, orderId, body);
  }

  @Patch('done')
  @RequiresRight('orders:write')
  @ApiOperation({ summary: 'Mark done', description: `Finishes the order; refused when canceled. ${REPEAT}` })
  @OrderDryRun({ type: OrderModel, description: 'The order as the change left it.' })
  @ApiProblems(400, 401, 403, 404, 422)
  markOrderDone(
    @CurrentWrite() write: WriteRequest,
    @Param('orderId', new ParseIdPipe('order-id')) orderId: number,
    @Body(RefuseBodyPipe) _body: unknown,
  ): Promise<Answer<OrderModel>> {
    return this.lifecycle.setFlag(write, orderId, 'done');
  }

  @Patch('cancel')
  @RequiresRight('orders:write')
  @ApiOperation({ summary: 'Cancel', description: `Refused once the order is sent, delivered or done. ${REPEAT}` })
  @OrderDryRun({ type: OrderModel, description: 'The order as the change left it.' })
  @ApiProblems(400, 401, 403, 404, 422)
  cancelOrder(
    @CurrentWrite() write: WriteRequest,
    @Param('orderId', new ParseIdPipe('order-id')) orderId: number,
    @Body(RefuseBodyPipe) _body: unknown,
  ): Promise<Answer<OrderModel>> {
    return this.lifecycle.setFlag(write, orderId, 'cancel');
  }

  @Patch('sent')
  @RequiresRight('orders:write')
  @ApiOperation({ summary: 'Mark sent', description: `Refused when canceled. ${REPEAT}` })
  @OrderDryRun({ type: OrderModel, description: 'The order as the change left it.' })
  @ApiProblems(400, 401, 403, 404, 422)
  markOrderSent(
    @CurrentWrite() write: WriteRequest,
    @Param('orderId', new ParseIdPipe('order-id')) orderId: number,
    @Body(RefuseBodyPipe) _body: unknown,
  ): Promise<Answer<OrderModel>> {
    return this.lifecycle.setFlag(write, orderId, 'sent');
  }

  @Patch('delivered')
  @RequiresRight('orders:write')
  @ApiOperation({
    summary: 'Mark delivered',
    description: `Also marks the order sent; refused when canceled. ${REPEAT}`,
  })
  @OrderDryRun({ type: OrderModel, description: 'The order as the change left it.' })
  @ApiProblems(400, 401, 403, 404, 422)
  markOrderDelivered(
    @CurrentWrite() write: WriteRequest,
    @Param('orderId', new ParseIdPipe('order-id')) orderId: number,
    @Body(RefuseBodyPipe) _body: unknown,
  ): Promise<Answer<OrderModel>> {
    return this.lifecycle.setFlag(write, orderId, 'delivered');
  }

  @Post('tracking')
  @RequiresRight('orders:write')
  @ApiOperation({
    summary: 'Add a parcel',
    description:
      'Adds a tracking number of a shipper; the order then shows it with its tracking_url. A parcel the order has is answered with its id and 200.',
  })
  @ApiCreatedResponse({ type: IdModel })
  @OrderDryRun({ type: IdModel, description: 'The order has this parcel already: its id.' })
  @ApiProblems(400, 401, 403, 404, 413, 415, 422)
  @ApiBodyExample(TrackingPostRequest, 'A PostNL parcel', REQUEST_EXAMPLES.tracking)
  addOrderTracking(
    @CurrentWrite() write: WriteRequest,
    @Param('orderId', new ParseIdPipe('order-id')) orderId: number,
    @Body() body: TrackingPostRequest,
  ): Promise<Answer<IdModel>> {
    return this.lifecycle.addTracking(write, orderId, body);
  }
}
