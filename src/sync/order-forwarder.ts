import { Inject, Injectable, Logger } from '@nestjs/common';
import { BACK_OFFICE, type BackOfficePort, type Outcome } from '../back-office/back-office.port.js';
import { Decimal } from '../common/money/money.js';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';
import { Metrics } from '../metrics/metrics.js';
import { OrdersRepository } from '../orders/orders.repository.js';
import type { OrderSyncRecord } from '../outbox/order-sync.repository.js';
import {
  type LeasedOrder,
  OutboxRepository,
  type PaymentEventPayload,
  type RefundEventPayload,
  type SyncEventRecord,
} from '../outbox/outbox.repository.js';
import { toBackOfficeOrder } from './back-office-order.js';

// What a worker does with an order it took (see OutboxDispatcher): it applies the order's
// unprocessed events to the back office one by one, in the order they happened, and marks each
// processed once accepted.
//   - rejected (the back office said no): the order's sync is `failed` with the reason, and its
//     later events wait until someone fixes the cause and asks for a resync;
//   - retryable: the sync is `retrying`; the order is taken again after a pause that doubles each
//     time, and marked `failed` after SYNC_MAX_ATTEMPTS.
// The same event may reach the back office twice (an answer lost after it took effect, a crash
// before `processed` was written); every call of the port is safe to repeat for that reason, and
// each event is marked before its first send so that a later try knows to look before repeating.

@Injectable()
export class OrderForwarder {
  private readonly logger = new Logger(OrderForwarder.name);

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(BACK_OFFICE) private readonly backOffice: BackOfficePort,
    private readonly outbox: OutboxRepository,
    private readonly orders: OrdersRepository,
    private readonly metrics: Metrics,
  ) {}

  /**
   * Forwards the leased order's events in order and gives its lease back when it stops: all taken
   * (the last acceptance gives it back), one refused (failed) or one to try again later.
   */
  async forward(leased: LeasedOrder, instanceId: string): Promise<void> {
    const { orderId } = leased;
    let sync = leased.sync;
    let events = leased.events;
    while (events.length > 0) {
      for (const event of events) {
        const outcome = await this.apply(event, sync);
        if (outcome.kind === 'rejected') {
          const reason = `${event.kind}: ${outcome.code}: ${outcome.message}`;
          this.logger.warn(`Order ${orderId} failed to sync: ${reason}`);
          await this.outbox.stop(orderId, { status: 'failed', lastError: reason }, instanceId);
          return;
        }
        if (outcome.kind === 'retryable') {
          await this.retryLater(orderId, sync, `${event.kind}: ${outcome.reason}`, instanceId);
          return;
        }
        const backOfficeOrderId: string | null = outcome.value ?? sync.backOfficeOrderId;
        const patch = { backOfficeOrderId, syncedAt: new Date(), attempts: 0, lastError: null, status: 'ok' as const };
        const released = await this.outbox.accepted(event, patch, instanceId);
        sync = { ...sync, ...patch };
        this.metrics.syncLag.observe({ kind: event.kind }, (Date.now() - event.createdAt.getTime()) / 1000);
        if (released) return;
      }
      // More came in while these were forwarded.
      events = await this.outbox.moreEvents(orderId);
    }
    await this.outbox.release(orderId, instanceId);
  }

  /** What one event does in the back office; accepted with the back-office id after a create. */
  private async apply(event: SyncEventRecord, sync: OrderSyncRecord): Promise<Outcome<string | null>> {
    const order = await this.orders.readById(event.orderId);
    if (!order) return { kind: 'rejected', code: 'GONE', message: `order ${event.orderId} no longer exists` };
    // Taken events are marked before they are sent (see OutboxRepository.lease): never taken
    // before, this one cannot be in the back office yet.
    const attempt = { first: event.attemptedAt === null };
    if (event.kind === 'create') {
      const created = await this.backOffice.createOrder(toBackOfficeOrder(order, sync.externalId), attempt);
      return created.kind === 'accepted' ? { kind: 'accepted', value: created.value.backOfficeOrderId } : created;
    }
    const id = sync.backOfficeOrderId;
    if (!id) {
      return { kind: 'rejected', code: 'NOT-CREATED', message: 'the order was never created in the back office' };
    }
    let outcome: Outcome<void>;
    switch (event.kind) {
      case 'update':
        outcome = await this.backOffice.updateOrder(id, toBackOfficeOrder(order, sync.externalId));
        break;
      case 'pay': {
        const payment = event.payload as unknown as PaymentEventPayload;
        outcome = await this.backOffice.recordPayment(
          id,
          {
            reference: payment.reference,
            amount: new Decimal(payment.amount),
            paymentMethodId: order.paymentId,
            final: payment.final,
          },
          attempt,
        );
        break;
      }
      case 'refund': {
        const refund = event.payload as unknown as RefundEventPayload;
        outcome = await this.backOffice.refund(
          id,
          {
            reference: refund.reference,
            amount: new Decimal(refund.amount),
            invoiced: refund.invoiced,
            paymentMethodId: order.paymentId,
          },
          attempt,
        );
        break;
      }
      case 'deliver':
        outcome = await this.backOffice.markDelivered(id);
        break;
      case 'cancel':
        outcome = await this.backOffice.cancelOrder(id);
        break;
    }
    return outcome.kind === 'accepted' ? { kind: 'accepted', value: id } : outcome;
  }

  private async retryLater(orderId: number, sync: OrderSyncRecord, reason: string, instanceId: string): Promise<void> {
    const attempts = sync.attempts + 1;
    if (attempts >= this.config.SYNC_MAX_ATTEMPTS) {
      this.logger.warn(`Order ${orderId} failed to sync after ${attempts} attempts: ${reason}`);
      const lastError = `gave up after ${attempts} attempts: ${reason}`;
      await this.outbox.stop(orderId, { status: 'failed', attempts, lastError }, instanceId);
      return;
    }
    const pause = Math.min(this.config.SYNC_RETRY_MAX_MS, this.config.SYNC_RETRY_BASE_MS * 2 ** (attempts - 1));
    // Some jitter, so that orders held up by one outage do not all come back at once.
    const delay = Math.round(pause * (0.8 + Math.random() * 0.4));
    this.logger.log(`Order ${orderId}: attempt ${attempts} failed (${reason}); retrying in ${delay} ms`);
    await this.outbox.stop(orderId, { status: 'retrying', attempts, lastError: reason }, instanceId, delay);
  }
}
