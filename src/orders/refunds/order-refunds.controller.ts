import { Body, Controller, Param, Post } from '@nestjs/common';
import { ApiCreatedResponse, ApiOperation, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { RequiresRight } from '../../auth/auth.decorators.js';
import type { Answer } from '../../common/http/answer.js';
import { ApiProblems } from '../../common/http/api-docs.js';
import { ParseIdPipe } from '../../common/http/parse-id.pipe.js';
import { CurrentWrite, type WriteRequest } from '../../common/http/write-request.js';
import { OrderModel } from '../dto/order.model.js';
import { OrderRefundPostRequest } from './order-refund.dto.js';
import { OrderRefundsService } from './order-refunds.service.js';
import { OrderDryRun } from '../dry-run.decorator.js';
import { ApiBodyExample, REQUEST_EXAMPLES } from '../dto/request-examples.js';

@ApiTags('Order lifecycle')
@ApiSecurity('token')
@Controller('System/Orders/:orderId/refunds')
export class OrderRefundsController {
  constructor(private readonly refunds: OrderRefundsService) {}

  @Post()
  @RequiresRight('orders:pay')
  @ApiOperation({
    summary: 'Refund a payment',
    description:
      'Refunds an amount, or lines and counts, of what was paid (never more than amount_paid − amount_refunded: ' +
      '422 REFUND_EXCEEDS_PAID). Idempotent by refund_id (a repeat answers 200, other figures 409) and by ' +
      'Idempotency-Key. Forwarded to MplusKASSA: a credit of the invoice when the order is invoiced (then only of ' +
      'everything refundable), otherwise a negative payment, on MPLUS_REFUND_PAYMENT_METHOD or the first payment’s ' +
      'method; 422 REFUND_NOT_POSSIBLE when MplusKASSA could not book it so. Needs orders:pay. Answers the order.',
  })
  @ApiCreatedResponse({ type: OrderModel, description: 'Refunded.' })
  @OrderDryRun({ type: OrderModel, description: 'A refund with this refund_id was made before.' })
  @ApiProblems(400, 401, 403, 404, 409, 412, 413, 415, {
    status: 422,
    description:
      'Not allowed in the order’s state (`current_state`), more than was paid (REFUND_EXCEEDS_PAID, `refundable`), ' +
      'or not a refund MplusKASSA can book (REFUND_NOT_POSSIBLE).',
  })
  @ApiBodyExample(OrderRefundPostRequest, 'One mug of order 1 refunded', REQUEST_EXAMPLES.refund)
  refundOrder(
    @CurrentWrite() write: WriteRequest,
    @Param('orderId', new ParseIdPipe('order-id')) orderId: number,
    @Body() body: OrderRefundPostRequest,
  ): Promise<Answer<OrderModel>> {
    return this.refunds.refund(write, orderId, body);
  }
}
