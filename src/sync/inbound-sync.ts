import { OrderEvents, orderCreatedEvent } from '../events/order-events.js';
import { randomBytes } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type { Caller } from '../auth/caller.js';
import { BACK_OFFICE, type BackOfficeOrderState, type BackOfficePort } from '../back-office/back-office.port.js';
import { Decimal, ZERO, currencyDecimals } from '../common/money/money.js';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';
import type { Transaction } from '../database/database.js';
import { changedFields } from '../orders/history/changes.js';
import { OrderHistoryRepository } from '../orders/history/order-history.repository.js';
import { decide } from '../orders/order-lifecycle.js';
import type { FieldError } from '../common/errors/domain-error.js';
import { type LineDraft, type MoneyDraft, priceDraft } from '../orders/order-input.js';
import { ORDER_MONEY_FIELDS } from '../orders/order-money.js';
import type { PaymentReport } from '../orders/order-queries.js';
import type { OrderRecord } from '../orders/order.types.js';
import { OrderWriter, historyEntry } from '../orders/order-writer.js';
import { OrdersRepository } from '../orders/orders.repository.js';
import { OrderSyncRepository } from '../outbox/order-sync.repository.js';
import { SyncCursorRepository } from './sync-cursor.repository.js';

// Orders flowing back from the back office. Each page of changes is applied in one transaction
// together with the new position of the cursor, so a crash repeats a page rather than losing
// one, and a repeated page changes nothing the second time:
//   - orders rung up at the till are imported (source mplus), once: the back-office id becomes
//     their external_order_id, which is unique;
//   - orders the gateway knows take what happened to them there: cancelled, delivered (our
//     `sent`: MplusKASSA delivers when the goods leave) and payments made at the till.
// Nothing here writes to the outbox: a change that came from the back office is not sent back.
// Our own changes coming back are recognised as already there (the flag is set, the payment is
// ours) and write nothing at all.

const CURSOR = 'back-office.orders';

export const BACK_OFFICE_ACTOR: Caller = {
  apiKeyId: null,
  apiKeyName: 'MplusKASSA',
  rights: [],
  requestId: 'back-office-sync',
};

export class BackOfficeUnavailableError extends Error {}

export interface PullResult {
  imported: number;
  updated: number;
  seen: number;
  marker: string;
  caughtUp: boolean;
}

@Injectable()
export class InboundSync {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(BACK_OFFICE) private readonly backOffice: BackOfficePort,
    private readonly cursors: SyncCursorRepository,
    private readonly orderSync: OrderSyncRepository,
    private readonly orders: OrdersRepository,
    private readonly history: OrderHistoryRepository,
    private readonly writer: OrderWriter,
    private readonly events: OrderEvents,
  ) {}

  /** One page of changes. Throws BackOfficeUnavailableError when the back office does not answer. */
  async pullPage(): Promise<PullResult> {
    const marker = await this.cursors.cursor(CURSOR);
    const changes = await this.backOffice.changedOrders(marker, this.config.SYNC_PULL_PAGE_SIZE);
    if (changes.kind !== 'accepted') {
      throw new BackOfficeUnavailableError(
        changes.kind === 'rejected' ? `${changes.code}: ${changes.message}` : changes.reason,
      );
    }
    let imported = 0;
    let updated = 0;
    await this.orders.transaction(async (tx) => {
      for (const state of changes.value.orders) {
        const orderId = await this.orderSync.findOrderIdForBackOffice(state.backOfficeOrderId, state.externalId, tx);
        if (orderId === null) {
          await this.importOrder(tx, state);
          imported += 1;
        } else if (await this.applyChanges(tx, orderId, state)) {
          updated += 1;
        }
      }
      if (
        changes.value.marker !== marker &&
        !(await this.cursors.moveCursor(tx, CURSOR, marker, changes.value.marker))
      ) {
        // Another process read the same page meanwhile and got there first: undo ours.
        throw new CursorMovedError();
      }
    });
    return {
      imported,
      updated,
      seen: changes.value.orders.length,
      marker: changes.value.marker,
      caughtUp: changes.value.caughtUp,
    };
  }

  private async importOrder(tx: Transaction, state: BackOfficeOrderState): Promise<void> {
    const currency = this.config.MPLUS_CURRENCY;
    const decimals = currencyDecimals(currency);
    // The till's lines at their prices; a discount that falls evenly on the units is the line's
    // own, any other is part of an order discount, so that the total is the till's to the cent.
    const errors: FieldError[] = [];
    let orderDiscount = ZERO;
    const lines: LineDraft[] = state.lines.map((line) => {
      const whole = Number.isInteger(line.count) && line.count >= 1;
      const count = whole ? line.count : Math.max(1, Math.round(line.count));
      const perUnit = line.discount.dividedBy(count);
      const even = whole && perUnit.decimalPlaces() <= decimals && perUnit.lte(line.unitPrice);
      if (!line.discount.isZero() && !even) orderDiscount = orderDiscount.plus(line.discount);
      return {
        articleNumber: /^\d{1,15}$/.test(line.articleNumber) ? line.articleNumber : null,
        name: line.name,
        // Gateway lines count whole units; a weighed quantity keeps its exact figure in the note.
        count,
        note: whole ? null : `Quantity ${line.count} in MplusKASSA`,
        metadata: {},
        given: { givenAs: 'final', amount: line.unitPrice, vatRate: line.vatRate },
        discount: even && !line.discount.isZero() ? { kind: 'amount', value: perUnit } : null,
      };
    });
    const draft: MoneyDraft = {
      lines,
      discount: orderDiscount.isZero() ? null : { kind: 'amount', value: orderDiscount, code: null },
      shipping: null,
      paymentFee: null,
    };
    const { lines: items, money: figures } = priceDraft(draft, decimals, ORDER_MONEY_FIELDS, errors);
    if (errors.length > 0) {
      throw new Error(
        `MplusKASSA order ${state.backOfficeOrderId} cannot be priced: ${errors.map((one) => one.message).join('; ')}`,
      );
    }
    const payments = state.payments.filter((payment) => !payment.amount.isZero());
    const paid = payments.reduce((sum, payment) => sum.plus(payment.amount), ZERO);
    const money = figures.money;
    const work = this.orders.creation({
      hash: randomBytes(16).toString('hex'),
      source: 'mplus',
      metadata: {},
      customerId: null,
      companyId: null,
      channelId: null,
      shippingId: null,
      paymentId: null,
      dateOrder: state.createdAt,
      dateMaturity: null,
      email: state.customer.email,
      phone: null,
      name: state.customer.name,
      street: null,
      city: null,
      zip: null,
      stateCode: null,
      companyName: null,
      companyNr: null,
      companyVat: null,
      deliveryName: null,
      deliveryStreet: null,
      deliveryCity: null,
      deliveryZip: null,
      deliveryStateCode: null,
      deliveryPhone: null,
      deliveryEmail: null,
      note: null,
      ourNote: null,
      ip: null,
      domain: null,
      mainCurrencyCode: this.config.MAIN_CURRENCY_CODE,
      orderCurrencyCode: currency,
      currencyRate: currency === this.config.MAIN_CURRENCY_CODE ? new Decimal(1) : null,
      externalOrderPrefix: 'MPLUS',
      externalOrderId: state.backOfficeOrderId,
      ...figures,
      items,
      sent: state.delivered,
      canceled: state.canceled,
      paid,
      datePaid: payments.length > 0 ? new Date() : null,
    });
    this.orders.recordPayments(work, payments.map(tillPayment));
    this.orderSync.importedIn(work, state.backOfficeOrderId, state.externalId);
    this.events.recordIn(work, [orderCreatedEvent({ channelId: null })]);
    this.history.recordIn(
      work,
      historyEntry(
        BACK_OFFICE_ACTOR,
        {
          action: 'imported',
          recordName: 'Imported from MplusKASSA',
          recordStatus: null,
          changes: {
            order: { before: null, after: { mplus_order_id: state.backOfficeOrderId, money: money.toNumber() } },
          },
        },
        { sent: state.delivered, delivered: false, done: false, canceled: state.canceled, archived: false },
      ),
    );
    await work.commit(tx);
  }

  /** What the till did to an order the gateway knows; true when something changed here. */
  private async applyChanges(tx: Transaction, orderId: number, state: BackOfficeOrderState): Promise<boolean> {
    let order = await this.orders.lockById(tx, orderId);
    if (!order) return false;
    let changed = false;
    if (state.canceled && !order.canceled) {
      const after = await this.applyFlag(tx, order, 'cancel', 'Canceled in MplusKASSA');
      changed ||= after !== null;
      order = after ?? order;
    }
    if (state.delivered && !order.sent) {
      const after = await this.applyFlag(tx, order, 'sent', 'Delivered in MplusKASSA');
      changed ||= after !== null;
      order = after ?? order;
    }
    const known = new Set(order.payments.map((payment) => payment.externalPaymentId));
    for (const payment of state.payments) {
      if (payment.reference && known.has(payment.reference)) continue; // ours, coming back
      const reference = `mplus:${payment.id}`;
      if (known.has(reference)) continue;
      const patch = { paid: order.paid.plus(payment.amount), datePaid: new Date() };
      const before = order;
      order = await this.writer.applyLocked(tx, BACK_OFFICE_ACTOR, order, {
        patch,
        parts: (work) => this.orders.recordPayments(work, [tillPayment(payment)]),
        note: {
          action: 'paid',
          recordName: `Paid ${payment.amount.toString()} at the till (${payment.method})`,
          changes: changedFields([['paid', before.paid, patch.paid]]),
        },
        answer: () => ({ value: null }),
      });
      known.add(reference);
      changed = true;
    }
    return changed;
  }

  /** The flag as the till set it: the order as it leaves it, or null when nothing changed here. */
  private async applyFlag(
    tx: Transaction,
    order: OrderRecord,
    action: 'cancel' | 'sent',
    recordName: string,
  ): Promise<OrderRecord | null> {
    const decision = decide(action, order);
    if (decision.outcome === 'noop') return null;
    if (decision.outcome === 'refuse') {
      // The till did something the gateway's rules forbid here: keep ours, say so in the history.
      return this.writer.applyLocked(tx, BACK_OFFICE_ACTOR, order, {
        patch: null,
        note: {
          action: 'back_office_conflict',
          recordName: `${recordName}, but the order is ${decision.state} here`,
          recordStatus: decision.state,
          changes: null,
        },
        answer: () => ({ value: null }),
      });
    }
    return this.writer.applyLocked(tx, BACK_OFFICE_ACTOR, order, {
      patch: decision.sets,
      note: {
        action: action === 'cancel' ? 'canceled' : 'sent',
        recordName,
        changes: changedFields(
          Object.entries(decision.sets).map(([flag, value]) => [flag, order[flag as keyof OrderRecord], value]),
        ),
      },
      answer: () => ({ value: null }),
    });
  }
}

export class CursorMovedError extends Error {
  constructor() {
    super('the back-office cursor moved while this page was read');
  }
}

/** A payment made at the till, as the order's payments keep it. */
function tillPayment(payment: BackOfficeOrderState['payments'][number]): PaymentReport {
  return {
    externalPaymentId: `mplus:${payment.id}`,
    amount: payment.amount,
    url: null,
    status: 'success',
    method: payment.method,
  };
}
