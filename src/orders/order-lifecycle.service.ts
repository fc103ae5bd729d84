import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';
import { DomainError, type FieldError } from '../common/errors/domain-error.js';
import { ErrorCode } from '../common/errors/error-codes.js';
import { Answer } from '../common/http/answer.js';
import type { IdModel } from '../common/http/responses.model.js';
import type { WriteRequest } from '../common/http/write-request.js';
import type { PaymentEventPayload } from '../outbox/outbox.repository.js';
import { ShippersRepository } from '../shippers/shippers.repository.js';
import { StatusesRepository } from '../statuses/statuses.repository.js';
import type { OrderPaidPatchRequest } from './dto/order-paid.dto.js';
import type { OrderModel } from './dto/order.model.js';
import type { TrackingPostRequest } from './dto/tracking.dto.js';
import { changedFields, toJsonValue } from './history/changes.js';
import { type Decimal, toJsonNumber } from '../common/money/money.js';
import { balanceDue } from './order-money.js';
import { CurrencyRules, throwIfAny } from './order-input.js';
import type { LifecycleFlags } from './order-lifecycle.js';
import type { OrderPatch, OrderRecord, PaymentRecord } from './order.types.js';
import { type ForwardedEvent, type OrderChange, OrderWriter } from './order-writer.js';
import { NEW_TRACKING_ID, OrdersRepository } from './orders.repository.js';

export type FlagRoute = 'sent' | 'delivered' | 'done' | 'cancel';

// MplusKASSA has one delivery for sent and delivered (deliverOrder, repeats answered
// ALREADY-DELIVERED) and nothing for done: finishing an order there is its final payment.
const FLAG_ROUTES: Record<FlagRoute, { action: string; recordName: string; forward: ForwardedEvent | null }> = {
  sent: { action: 'sent', recordName: 'Marked sent', forward: { kind: 'deliver' } },
  delivered: { action: 'delivered', recordName: 'Marked delivered', forward: { kind: 'deliver' } },
  done: { action: 'done', recordName: 'Marked done', forward: null },
  cancel: { action: 'canceled', recordName: 'Canceled', forward: { kind: 'cancel' } },
};

// The lifecycle routes: /sent, /delivered, /done, /cancel, /status, /paid and /tracking. Each
// asks the transition table (order-lifecycle.ts) first and answers with the order as its change
// left it.

@Injectable()
export class OrderLifecycleService {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly orders: OrdersRepository,
    private readonly statuses: StatusesRepository,
    private readonly shippers: ShippersRepository,
    private readonly writer: OrderWriter,
  ) {}

  setFlag(request: WriteRequest, orderId: number, route: FlagRoute): Promise<Answer<OrderModel>> {
    return this.writer.update(request, orderId, (order) => {
      const decision = this.writer.check(route, order);
      if (decision.outcome === 'noop') return this.writer.unchanged(order);
      return {
        patch: decision.sets,
        note: {
          action: FLAG_ROUTES[route].action,
          recordName: FLAG_ROUTES[route].recordName,
          changes: flagChanges(order, decision.sets),
        },
        forward: FLAG_ROUTES[route].forward,
        answer: (after) => this.writer.orderAnswer(after),
      };
    });
  }

  /**
   * DELETE: the order is archived, never removed (deleted_at); only a done or canceled one. Not
   * forwarded: MplusKASSA keeps its orders. A repeat answers 200 and changes nothing.
   */
  archive(request: WriteRequest, orderId: number): Promise<Answer<IdModel>> {
    return this.archiveOrRestore(request, orderId, 'archive');
  }

  /** An admin brings an archived order back, as it was. */
  restore(request: WriteRequest, orderId: number): Promise<Answer<IdModel>> {
    return this.archiveOrRestore(request, orderId, 'restore');
  }

  private archiveOrRestore(request: WriteRequest, orderId: number, action: 'archive' | 'restore') {
    return this.writer.update<IdModel>(
      request,
      orderId,
      (order) => {
        const decision = this.writer.check(action, order);
        if (decision.outcome === 'noop') return new Answer({ id: order.id }, 200, order.version);
        return {
          patch: decision.sets,
          note: {
            action: action === 'archive' ? 'archived' : 'restored',
            recordName: action === 'archive' ? 'Archived' : 'Restored',
            changes: { archived: { before: order.archived, after: action === 'archive' } },
          },
          forward: null,
          answer: () => ({ value: { id: order.id } }),
        };
      },
      true,
    );
  }

  /** A status that completes or cancels the order follows the rules of /done or /cancel. */
  setStatus(request: WriteRequest, orderId: number, statusId: number): Promise<Answer<OrderModel>> {
    // Looked up beside the order's read, not after it.
    const lookup = this.statuses.findById(statusId);
    lookup.catch(() => undefined);
    return this.writer.update(request, orderId, async (order) => {
      const status = await lookup;
      if (!status) throw DomainError.invalidField('status_id', `there is no order status ${statusId}`);
      if (order.statusId === statusId) return this.writer.unchanged(order);
      const follows = status.cancelOrder ? 'cancel' : status.completeOrder ? 'done' : null;
      const decision = follows ? this.writer.check(follows, order) : null;
      const sets = decision?.outcome === 'apply' ? decision.sets : {};
      return {
        patch: { statusId, ...sets },
        note: {
          type: 'status',
          action: 'status_set',
          recordName: `Status set to ${status.name}`,
          changes: { ...changedFields([['status_id', order.statusId, statusId]]), ...flagChanges(order, sets) },
        },
        forward: 'canceled' in sets ? FLAG_ROUTES.cancel.forward : null,
        answer: (after) => this.writer.orderAnswer({ ...after, status }),
      };
    });
  }

  /**
   * A payment report. Every report with a payment_id is kept in the order's payments with its
   * latest status; a successful one adds its amount to `paid` once: a gateway retrying its
   * callback changes nothing, the same payment_id with another amount is a conflict, and a later
   * failure report does not undo a success. A success above what the order still owes is refused
   * (422 OVERPAYMENT) unless ALLOW_OVERPAYMENT; so is any payment once MplusKASSA has invoiced the
   * order. Reports without a payment_id (failures only) are kept in the history alone.
   */
  markPaid(request: WriteRequest, orderId: number, body: OrderPaidPatchRequest): Promise<Answer<OrderModel>> {
    return this.writer.update(request, orderId, (order) => {
      const errors: FieldError[] = [];
      const amount = new CurrencyRules(order.orderCurrencyCode).amount(body.paid, 'paid', errors);
      throwIfAny(errors);
      const paymentId = body.payment_id ?? null;
      const recorded =
        paymentId === null ? undefined : order.payments.find((one) => one.externalPaymentId === paymentId);
      if (body.status !== 'success') return this.paymentAttempt(order, body, amount, recorded);

      if (recorded?.status === 'success') {
        if (recorded.amount.equals(amount)) return this.writer.unchanged(order);
        throw new DomainError(
          ErrorCode.PAYMENT_CONFLICT,
          `Payment ${paymentId} was recorded on order ${order.id} with the amount ${recorded.amount.toString()}, not ${amount.toString()}.`,
        );
      }
      this.writer.check('paid', order);
      if (order.invoiced) {
        throw new DomainError(
          ErrorCode.ORDER_INVOICED,
          `Order ${order.id} is paid in full and invoiced in MplusKASSA; it takes no further payment. Refund instead (POST /System/Orders/${order.id}/refunds).`,
        );
      }
      const due = balanceDue(order);
      if (amount.gt(due) && !this.config.ALLOW_OVERPAYMENT) {
        throw new DomainError(
          ErrorCode.OVERPAYMENT,
          `Order ${order.id} owes ${due.toString()} ${order.orderCurrencyCode}; a payment of ${amount.toString()} is more.`,
          {
            balance_due: toJsonNumber(due),
            errors: [{ field: 'paid', message: `more than the balance due (${due.toString()})` }],
          },
        );
      }
      const paid = order.paid.plus(amount);
      // Paid in full once the goods have left: MplusKASSA may invoice (payOrder prepay=false);
      // before that, or when something stays open, it is a deposit (prepay=true).
      const final = (order.sent || order.delivered) && paid.gte(order.money);
      const patch: OrderPatch = {
        paid,
        datePaid: new Date(),
        externalPaymentId: paymentId,
        externalPaymentUrl: body.url ?? null,
        ...(final ? { invoiced: true } : {}),
      };
      const payment: PaymentEventPayload = { reference: paymentId ?? '', amount: amount.toString(), final };
      return {
        patch,
        parts: (work) =>
          this.orders.recordPayments(work, [
            {
              externalPaymentId: paymentId ?? '',
              amount,
              url: body.url ?? null,
              status: 'success',
              method: body.method ?? null,
            },
          ]),
        note: {
          action: 'paid',
          recordName: `Paid ${amount.toString()} ${order.orderCurrencyCode}`,
          changes: changedFields([
            ['paid', order.paid, patch.paid],
            ['date_paid', order.datePaid, patch.datePaid],
            ['external_payment_id', order.externalPaymentId, patch.externalPaymentId],
            ['external_payment_url', order.externalPaymentUrl, patch.externalPaymentUrl],
          ]),
        },
        forward: { kind: 'pay', payload: payment },
        answer: (after) => this.writer.orderAnswer(after),
      };
    });
  }

  /** A report other than success: kept under its payment_id, and in the history; `paid` stays. */
  private paymentAttempt(
    order: OrderRecord,
    body: OrderPaidPatchRequest,
    amount: Decimal,
    recorded: PaymentRecord | undefined,
  ): OrderChange<OrderModel> | Answer<OrderModel> {
    this.writer.check('payment_attempt', order);
    // A success stays a success; the same report again changes nothing.
    if (
      recorded &&
      (recorded.status === 'success' || (recorded.status === body.status && recorded.amount.equals(amount)))
    ) {
      return this.writer.unchanged(order);
    }
    const attempt = toJsonValue({
      paid: amount,
      payment_id: body.payment_id ?? null,
      status: body.status,
      url: body.url ?? null,
    });
    // null and left out alike: a report without a payment_id is kept in the history alone.
    const paymentId = body.payment_id ?? null;
    return {
      patch: null,
      parts:
        paymentId === null
          ? undefined
          : (work) =>
              this.orders.recordPayments(work, [
                {
                  externalPaymentId: paymentId,
                  amount,
                  url: body.url ?? null,
                  status: body.status,
                  method: body.method ?? null,
                },
              ]),
      note: {
        action: 'payment_attempt',
        recordName: `Payment ${body.status}`,
        recordStatus: body.status,
        changes: { payment_attempt: { before: null, after: attempt } },
      },
      answer: (after) => this.writer.orderAnswer(after),
    };
  }

  /** A parcel the order already has is answered with its id (200) and not added twice. */
  addTracking(request: WriteRequest, orderId: number, body: TrackingPostRequest): Promise<Answer<IdModel>> {
    const lookup = this.shippers.findById(body.shipper_id);
    lookup.catch(() => undefined);
    return this.writer.update<IdModel>(request, orderId, async (order) => {
      const shipper = await lookup;
      if (!shipper) throw DomainError.invalidField('shipper_id', `there is no shipper ${body.shipper_id}`);
      const existing = order.trackings.find(
        (tracking) => tracking.shipperId === body.shipper_id && tracking.trackingNumber === body.tracking_number,
      );
      if (existing) return new Answer({ id: existing.id }, 200, order.version);
      this.writer.check('tracking', order);
      return {
        patch: {},
        parts: (work) => this.orders.addTracking(work, body.shipper_id, body.tracking_number),
        note: {
          action: 'tracking_added',
          recordName: `Parcel ${body.tracking_number} (${shipper.name})`,
          changes: {
            tracking: { before: null, after: { shipper_id: body.shipper_id, tracking_number: body.tracking_number } },
          },
        },
        answer: () => ({ value: { id: 0 }, holes: [{ path: ['id'], value: NEW_TRACKING_ID }], status: 201 }),
      };
    });
  }
}

function flagChanges(order: OrderRecord, sets: Partial<LifecycleFlags>) {
  return changedFields(
    (Object.keys(sets) as Array<keyof LifecycleFlags>).map((flag) => [flag, order[flag], sets[flag]]),
  );
}
