import { randomBytes } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type { Caller } from '../auth/caller.js';
import { BACK_OFFICE, type BackOfficeOrderState, type BackOfficePort } from '../back-office/back-office.port.js';
import { Decimal, ZERO, currencyDecimals } from '../common/money/money.js';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';
import { type Db, PrismaService } from '../database/prisma.service.js';
import { changedFields } from '../orders/history/changes.js';
import { decide } from '../orders/order-lifecycle.js';
import { orderTotal, unitPrice } from '../orders/order-pricing.js';
import type { NewOrderItem, OrderRecord } from '../orders/order.types.js';
import { OrderWriter } from '../orders/order-writer.js';
import { OrdersRepository } from '../orders/orders.repository.js';
import { OutboxRepository } from '../outbox/outbox.repository.js';

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
    private readonly prisma: PrismaService,
    private readonly outbox: OutboxRepository,
    private readonly orders: OrdersRepository,
    private readonly writer: OrderWriter,
  ) {}

  /** One page of changes. Throws BackOfficeUnavailableError when the back office does not answer. */
  async pullPage(): Promise<PullResult> {
    const marker = await this.outbox.cursor(this.prisma, CURSOR);
    const changes = await this.backOffice.changedOrders(marker, this.config.SYNC_PULL_PAGE_SIZE);
    if (changes.kind !== 'accepted') {
      throw new BackOfficeUnavailableError(
        changes.kind === 'rejected' ? `${changes.code}: ${changes.message}` : changes.reason,
      );
    }
    let imported = 0;
    let updated = 0;
    await this.prisma.$transaction(async (tx) => {
      for (const state of changes.value.orders) {
        const orderId = await this.outbox.findOrderIdForBackOffice(tx, state.backOfficeOrderId, state.externalId);
        if (orderId === null) {
          await this.importOrder(tx, state);
          imported += 1;
        } else if (await this.applyChanges(tx, orderId, state)) {
          updated += 1;
        }
      }
      if (
        changes.value.marker !== marker &&
        !(await this.outbox.moveCursor(tx, CURSOR, marker, changes.value.marker))
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

  private async importOrder(tx: Db, state: BackOfficeOrderState): Promise<void> {
    const currency = this.config.MPLUS_CURRENCY;
    const decimals = currencyDecimals(currency);
    const items: NewOrderItem[] = state.lines.map((line) => {
      const price = unitPrice({ givenAs: 'final', amount: line.unitPrice, vatRate: line.vatRate }, decimals);
      const whole = Number.isInteger(line.count) && line.count >= 1;
      return {
        articleNumber: /^\d{1,15}$/.test(line.articleNumber) ? line.articleNumber : null,
        name: line.name,
        // Gateway lines count whole units; a weighed quantity keeps its exact figure in the note.
        count: whole ? line.count : Math.max(1, Math.round(line.count)),
        note: whole ? null : `Quantity ${line.count} in MplusKASSA`,
        priceGivenAs: 'final',
        basePrice: price.basePrice,
        finalPrice: price.finalPrice,
        vatRate: price.vatRate,
        vatValue: price.vatValue,
      };
    });
    const paid = state.payments.reduce((sum, payment) => sum.plus(payment.amount), ZERO);
    const money = orderTotal(items);
    const order = await this.orders.insert(tx, {
      hash: randomBytes(16).toString('hex'),
      source: 'mplus',
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
      money,
      items,
      sent: state.delivered,
      canceled: state.canceled,
      paid,
      datePaid: state.payments.length > 0 ? new Date() : null,
    });
    for (const payment of state.payments) {
      await this.orders.insertPayment(tx, {
        orderId: order.id,
        externalPaymentId: `mplus:${payment.id}`,
        amount: payment.amount,
        url: null,
      });
    }
    await tx.orderSync.create({
      data: {
        orderId: order.id,
        status: 'ok',
        backOfficeOrderId: state.backOfficeOrderId,
        externalId: state.externalId ?? `mplus:${state.backOfficeOrderId}`,
        syncedAt: new Date(),
      },
    });
    await this.writer.note(tx, BACK_OFFICE_ACTOR, order.id, {
      action: 'imported',
      recordName: 'Imported from MplusKASSA',
      recordStatus: null,
      changes: {
        order: { before: null, after: { mplus_order_id: state.backOfficeOrderId, money: money.toNumber() } },
      },
    });
  }

  /** What the till did to an order the gateway knows; true when something changed here. */
  private async applyChanges(tx: Db, orderId: number, state: BackOfficeOrderState): Promise<boolean> {
    let order = await this.orders.lockById(tx, orderId);
    if (!order) return false;
    let changed = false;
    const reload = async (): Promise<OrderRecord> => (await this.orders.findById(tx, orderId))!;

    if (state.canceled && !order.canceled) {
      changed = (await this.applyFlag(tx, order, 'cancel', 'Canceled in MplusKASSA')) || changed;
      order = await reload();
    }
    if (state.delivered && !order.sent) {
      changed = (await this.applyFlag(tx, order, 'sent', 'Delivered in MplusKASSA')) || changed;
      order = await reload();
    }
    const known = new Set(await this.orders.paymentReferences(tx, orderId));
    for (const payment of state.payments) {
      if (payment.reference && known.has(payment.reference)) continue; // ours, coming back
      const reference = `mplus:${payment.id}`;
      if (known.has(reference)) continue;
      await this.orders.insertPayment(tx, { orderId, externalPaymentId: reference, amount: payment.amount, url: null });
      const patch = { paid: order.paid.plus(payment.amount), datePaid: new Date() };
      await this.writer.change(
        tx,
        BACK_OFFICE_ACTOR,
        order,
        patch,
        {
          action: 'paid',
          recordName: `Paid ${payment.amount.toString()} at the till (${payment.method})`,
          changes: changedFields([['paid', order.paid, patch.paid]]),
        },
        null,
      );
      known.add(reference);
      order = await reload();
      changed = true;
    }
    return changed;
  }

  private async applyFlag(tx: Db, order: OrderRecord, action: 'cancel' | 'sent', recordName: string): Promise<boolean> {
    const decision = decide(action, order);
    if (decision.outcome === 'noop') return false;
    if (decision.outcome === 'refuse') {
      // The till did something the gateway's rules forbid here: keep ours, say so in the history.
      await this.writer.note(tx, BACK_OFFICE_ACTOR, order.id, {
        action: 'back_office_conflict',
        recordName: `${recordName}, but the order is ${decision.state} here`,
        recordStatus: decision.state,
        changes: null,
      });
      return true;
    }
    await this.writer.change(
      tx,
      BACK_OFFICE_ACTOR,
      order,
      decision.sets,
      {
        action: action === 'cancel' ? 'canceled' : 'sent',
        recordName,
        changes: changedFields(
          Object.entries(decision.sets).map(([flag, value]) => [flag, order[flag as keyof OrderRecord], value]),
        ),
      },
      null,
    );
    return true;
  }
}

export class CursorMovedError extends Error {
  constructor() {
    super('the back-office cursor moved while this page was read');
  }
}
