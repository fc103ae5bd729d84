import { Injectable } from '@nestjs/common';
import type { Caller } from '../auth/caller.js';
import { DomainError, type FieldError } from '../common/errors/domain-error.js';
import { ErrorCode } from '../common/errors/error-codes.js';
import { ShippersRepository } from '../shippers/shippers.repository.js';
import { StatusesRepository } from '../statuses/statuses.repository.js';
import type { OrderPaidPatchRequest } from './dto/order-paid.dto.js';
import type { OrderModel } from './dto/order.model.js';
import type { TrackingPostRequest } from './dto/tracking.dto.js';
import type { Db } from '../database/prisma.service.js';
import { changedFields, toJsonValue } from './history/changes.js';
import { CurrencyRules, throwIfAny } from './order-input.js';
import type { LifecycleFlags } from './order-lifecycle.js';
import { OrderMapper } from './order.mapper.js';
import type { OrderPatch, OrderRecord } from './order.types.js';
import { type ForwardedEvent, OrderWriter, orderNotFound } from './order-writer.js';
import type { PaymentEventPayload } from '../outbox/outbox.repository.js';
import { OrdersRepository } from './orders.repository.js';

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
// left it, read in the same transaction.

@Injectable()
export class OrderLifecycleService {
  constructor(
    private readonly orders: OrdersRepository,
    private readonly statuses: StatusesRepository,
    private readonly shippers: ShippersRepository,
    private readonly writer: OrderWriter,
    private readonly mapper: OrderMapper,
  ) {}

  setFlag(caller: Caller, orderId: number, route: FlagRoute): Promise<OrderModel> {
    return this.changeAndRead(orderId, async (tx, order) => {
      const decision = this.writer.check(route, order);
      if (decision.outcome === 'noop') return;
      await this.writer.change(
        tx,
        caller,
        order,
        decision.sets,
        { ...FLAG_ROUTES[route], changes: flagChanges(order, decision.sets) },
        FLAG_ROUTES[route].forward,
      );
    });
  }

  /** A status that completes or cancels the order follows the rules of /done or /cancel. */
  setStatus(caller: Caller, orderId: number, statusId: number): Promise<OrderModel> {
    return this.changeAndRead(orderId, async (tx, order) => {
      const status = await this.statuses.findById(tx, statusId);
      if (!status) throw DomainError.invalidField('status_id', `there is no order status ${statusId}`);
      if (order.statusId === statusId) return;
      const follows = status.cancelOrder ? 'cancel' : status.completeOrder ? 'done' : null;
      const decision = follows ? this.writer.check(follows, order) : null;
      const sets = decision?.outcome === 'apply' ? decision.sets : {};
      await this.writer.change(
        tx,
        caller,
        order,
        { statusId, ...sets },
        {
          type: 'status',
          action: 'status_set',
          recordName: `Status set to ${status.name}`,
          changes: { ...changedFields([['status_id', order.statusId, statusId]]), ...flagChanges(order, sets) },
        },
        'canceled' in sets ? FLAG_ROUTES.cancel.forward : null,
      );
    });
  }

  /**
   * A successful payment adds its amount once per payment_id: a gateway retrying its callback
   * changes nothing, and the same payment_id with another amount is a conflict. Other results
   * are recorded in the history as attempts and change nothing.
   */
  markPaid(caller: Caller, orderId: number, body: OrderPaidPatchRequest): Promise<OrderModel> {
    return this.changeAndRead(orderId, async (tx, order) => {
      const errors: FieldError[] = [];
      const amount = new CurrencyRules(order.orderCurrencyCode).amount(body.paid, 'paid', errors);
      throwIfAny(errors);
      const attempt = toJsonValue({
        paid: amount,
        payment_id: body.payment_id ?? null,
        status: body.status,
        url: body.url ?? null,
      });
      if (body.status !== 'success') {
        this.writer.check('payment_attempt', order);
        await this.writer.note(tx, caller, order.id, {
          action: 'payment_attempt',
          recordName: `Payment ${body.status}`,
          recordStatus: body.status,
          changes: { payment_attempt: { before: null, after: attempt } },
        });
        return;
      }
      const paymentId = body.payment_id ?? '';
      const recorded = await this.orders.findPaymentAmount(tx, order.id, paymentId);
      if (recorded) {
        if (recorded.equals(amount)) return;
        throw new DomainError(
          ErrorCode.PAYMENT_CONFLICT,
          `Payment ${paymentId} was recorded on order ${order.id} with the amount ${recorded.toString()}, not ${amount.toString()}.`,
        );
      }
      this.writer.check('paid', order);
      await this.orders.insertPayment(tx, {
        orderId: order.id,
        externalPaymentId: paymentId,
        amount,
        url: body.url ?? null,
      });
      const patch: OrderPatch = {
        paid: order.paid.plus(amount),
        datePaid: new Date(),
        externalPaymentId: paymentId,
        externalPaymentUrl: body.url ?? null,
      };
      const payment: PaymentEventPayload = {
        reference: paymentId,
        amount: amount.toString(),
        // Paid in full once the goods have left: MplusKASSA may invoice (payOrder prepay=false);
        // before that, or when something stays open, it is a deposit (prepay=true).
        final: (order.sent || order.delivered) && order.paid.plus(amount).gte(order.money),
      };
      await this.writer.change(
        tx,
        caller,
        order,
        patch,
        {
          action: 'paid',
          recordName: `Paid ${amount.toString()} ${order.orderCurrencyCode}`,
          changes: changedFields([
            ['paid', order.paid, patch.paid],
            ['date_paid', order.datePaid, patch.datePaid],
            ['external_payment_id', order.externalPaymentId, patch.externalPaymentId],
            ['external_payment_url', order.externalPaymentUrl, patch.externalPaymentUrl],
          ]),
        },
        { kind: 'pay', payload: payment },
      );
    });
  }

  /** A parcel the order already has is answered with its id (200) and not added twice. */
  addTracking(caller: Caller, orderId: number, body: TrackingPostRequest): Promise<{ id: number; created: boolean }> {
    return this.writer.inLockedOrder(orderId, async (tx, order) => {
      const shipper = await this.shippers.findById(tx, body.shipper_id);
      if (!shipper) throw DomainError.invalidField('shipper_id', `there is no shipper ${body.shipper_id}`);
      const existing = order.trackings.find(
        (tracking) => tracking.shipperId === body.shipper_id && tracking.trackingNumber === body.tracking_number,
      );
      if (existing) return { id: existing.id, created: false };
      this.writer.check('tracking', order);
      const id = await this.orders.insertTracking(tx, order.id, body.shipper_id, body.tracking_number);
      await this.writer.change(
        tx,
        caller,
        order,
        {},
        {
          action: 'tracking_added',
          recordName: `Parcel ${body.tracking_number} (${shipper.name})`,
          changes: {
            tracking: { before: null, after: { shipper_id: body.shipper_id, tracking_number: body.tracking_number } },
          },
        },
        null,
      );
      return { id, created: true };
    });
  }

  private changeAndRead(orderId: number, change: (tx: Db, order: OrderRecord) => Promise<void>): Promise<OrderModel> {
    return this.writer.inLockedOrder(orderId, async (tx, order) => {
      await change(tx, order);
      const after = await this.orders.findById(tx, order.id);
      if (!after) throw orderNotFound(order.id);
      return this.mapper.toModel(after, false);
    });
  }
}

function flagChanges(order: OrderRecord, sets: Partial<LifecycleFlags>) {
  return changedFields(
    (Object.keys(sets) as Array<keyof LifecycleFlags>).map((flag) => [flag, order[flag], sets[flag]]),
  );
}
