import { randomBytes } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { BACK_OFFICE, type BackOfficePort } from '../../back-office/back-office.port.js';
import { DomainError, type FieldError } from '../../common/errors/domain-error.js';
import { ErrorCode } from '../../common/errors/error-codes.js';
import type { Answer } from '../../common/http/answer.js';
import { atomSql } from '../../common/http/dates.js';
import type { WriteRequest } from '../../common/http/write-request.js';
import { Decimal, ZERO, decimalFromJson, roundToCurrency, toJsonNumber } from '../../common/money/money.js';
import type { RefundEventPayload } from '../../outbox/outbox.repository.js';
import type { OrderModel } from '../dto/order.model.js';
import { changedFields, toJsonValue } from '../history/changes.js';
import { CurrencyRules, throwIfAny } from '../order-input.js';
import { refundable } from '../order-money.js';
import type { OrderRecord, RefundLine, RefundRecord } from '../order.types.js';
import { OrderWriter } from '../order-writer.js';
import { NEW_REFUND_CREATED_AT, OrdersRepository } from '../orders.repository.js';
import type { OrderRefundPostRequest } from './order-refund.dto.js';

// Refunds of money paid. A refund is recorded with the order's new refunded amount in one
// statement, decided on the order's version, and forwarded to MplusKASSA through the outbox: a
// credit of the invoice when MplusKASSA has invoiced the order, a negative payment otherwise
// (see MplusBackOffice.refund).

@Injectable()
export class OrderRefundsService {
  constructor(
    private readonly orders: OrdersRepository,
    private readonly writer: OrderWriter,
    @Inject(BACK_OFFICE) private readonly backOffice: BackOfficePort,
  ) {}

  refund(request: WriteRequest, orderId: number, body: OrderRefundPostRequest): Promise<Answer<OrderModel>> {
    // Made once per request, so that a try that lost a race to another change keeps the same id.
    const refundId = body.refund_id ?? `rf_${randomBytes(12).toString('hex')}`;
    return this.writer.update(request, orderId, async (order) => {
      this.writer.check('refund', order);
      const rules = new CurrencyRules(order.orderCurrencyCode);
      const errors: FieldError[] = [];
      const lines = (body.items ?? []).map((line) => ({ itemId: line.item_id, count: line.count }));
      // A repeat is answered before anything is computed: its lines are refunded by now.
      const earlier = order.refunds.find((refund) => refund.refundId === refundId);
      if (earlier) {
        const same =
          sameLines(earlier.lines, lines) &&
          (body.amount != null ? earlier.amount.equals(decimalFromJson(body.amount)) : lines.length > 0);
        if (same) return this.writer.unchanged(order);
        throw new DomainError(
          ErrorCode.REFUND_CONFLICT,
          `Refund ${refundId} of order ${order.id} was recorded with other figures (${earlier.amount.toString()} ${order.orderCurrencyCode}).`,
        );
      }
      const amount =
        body.amount != null ? rules.amount(body.amount, 'amount', errors) : linesAmount(order, lines, rules, errors);
      throwIfAny(errors);
      if (amount.isZero()) {
        throw DomainError.invalidField(body.amount != null ? 'amount' : 'items', 'nothing to refund');
      }
      const left = refundable(order);
      if (amount.gt(left)) {
        throw new DomainError(
          ErrorCode.REFUND_EXCEEDS_PAID,
          `Order ${order.id} has ${left.toString()} ${order.orderCurrencyCode} paid and not refunded; a refund of ${amount.toString()} is more.`,
          {
            refundable: toJsonNumber(left),
            errors: [
              {
                field: body.amount != null ? 'amount' : 'items',
                message: `more than was paid and not refunded (${left.toString()})`,
              },
            ],
          },
        );
      }

      // MplusKASSA credits an invoice whole (creditInvoice): an invoiced order is refunded in full or not at all.
      if (order.invoiced && !amount.equals(left)) {
        throw new DomainError(
          ErrorCode.REFUND_NOT_POSSIBLE,
          `Order ${order.id} is invoiced in MplusKASSA, which credits an invoice only whole: refund ${left.toString()} ${order.orderCurrencyCode} or nothing.`,
          { refundable: toJsonNumber(left) },
        );
      }
      await this.refuseUnbookable(order);
      const refunded = order.refunded.plus(amount);
      const refund: Omit<RefundRecord, 'id' | 'createdAt'> = { refundId, amount, reason: body.reason ?? null, lines };
      const payload: RefundEventPayload = { reference: refundId, amount: amount.toString(), invoiced: order.invoiced };
      const index = order.refunds.length;
      return {
        patch: { refunded },
        parts: (work) => this.orders.addRefund(work, refund),
        shows: { refunds: [...order.refunds, { id: 0, createdAt: new Date(), ...refund }] },
        note: {
          action: 'refunded',
          recordName: `Refunded ${amount.toString()} ${order.orderCurrencyCode}`,
          changes: {
            refund: {
              before: null,
              after: toJsonValue({
                refund_id: refundId,
                amount,
                reason: refund.reason,
                items: lines.map((line) => ({ item_id: line.itemId, count: line.count })),
              }),
            },
            ...changedFields([['refunded', order.refunded, refunded]]),
          },
        },
        forward: { kind: 'refund', payload },
        answer: (after) => {
          const answer = this.writer.orderAnswer(after);
          const date = atomSql(NEW_REFUND_CREATED_AT);
          return {
            ...answer,
            holes: [...(answer.holes ?? []), { path: ['refunds', String(index), 'date'], value: date }],
            status: 201,
          };
        },
      };
    });
  }

  /**
   * Before its invoice an order is refunded in MplusKASSA by a negative payment: when the method
   * it would be paid back with takes none, the refund is refused now (422) rather than accepted
   * and failed when forwarded. An order rung up at the till is left to the forwarding (its first
   * payment there decides the method), and so is every refund while MplusKASSA cannot be asked.
   */
  private async refuseUnbookable(order: OrderRecord): Promise<void> {
    if (order.invoiced || order.source !== 'api') return;
    const method = await this.backOffice.refundMethod(order.paymentId);
    if (method.kind === 'accepted' && method.value.problem) {
      throw new DomainError(
        ErrorCode.REFUND_NOT_POSSIBLE,
        `Order ${order.id} is not invoiced in MplusKASSA, so a refund is paid back there with ${method.value.method}: ${method.value.problem}`,
      );
    }
  }
}

/**
 * What the lines refunded cost: each line's total (its share of the order's discount taken off)
 * for the units refunded, rounded to the currency once per line. Refunding every unit of a line
 * refunds its total exactly; units already refunded by lines cannot be refunded again.
 */
function linesAmount(order: OrderRecord, lines: RefundLine[], rules: CurrencyRules, errors: FieldError[]): Decimal {
  const refundedUnits = new Map<number, number>();
  for (const refund of order.refunds) {
    for (const line of refund.lines) refundedUnits.set(line.itemId, (refundedUnits.get(line.itemId) ?? 0) + line.count);
  }
  let amount = ZERO;
  lines.forEach((line, index) => {
    const item = order.items.find((one) => one.id === line.itemId);
    if (!item) {
      errors.push({ field: `items[${index}].item_id`, message: `order ${order.id} has no item ${line.itemId}` });
      return;
    }
    const left = item.count - (refundedUnits.get(item.id) ?? 0);
    refundedUnits.set(item.id, (refundedUnits.get(item.id) ?? 0) + line.count);
    if (line.count > left) {
      errors.push({ field: `items[${index}].count`, message: `item ${item.id} has ${left} units not refunded yet` });
      return;
    }
    amount = amount.plus(roundToCurrency(item.total.times(line.count).dividedBy(item.count), rules.decimals));
  });
  return amount;
}

function sameLines(a: RefundLine[], b: RefundLine[]): boolean {
  return (
    a.length === b.length &&
    a.every((line, index) => line.itemId === b[index]!.itemId && line.count === b[index]!.count)
  );
}
