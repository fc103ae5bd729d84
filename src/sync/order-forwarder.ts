import { Inject, Injectable, Logger } from '@nestjs/common';
import { BACK_OFFICE, type BackOfficePort, type Outcome } from '../back-office/back-office.port.js';
import { Decimal } from '../common/money/money.js';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';
import { Metrics } from '../metrics/metrics.js';
import { OrdersRepository } from '../orders/orders.repository.js';
import { type OrderSyncRecord, OrderSyncRepository } from '../outbox/order-sync.repository.js';
import { OutboxRepository, type PaymentEventPayload, type SyncEventRecord } from '../outbox/outbox.repository.js';
import { toBackOfficeOrder } from './back-office-order.js';

// The job behind every order's sync: it applies the order's unprocessed events to the back
// office one by one, in the order they happened, and marks each processed once accepted.
//   - rejected (the back office said no): the order's sync is `failed` with the reason, and its
//     later events wait until someone fixes the cause and asks for a resync;
//   - retryable: the sync is `retrying`; the job comes back after a pause that doubles each time,
//     and the order is marked `failed` after SYNC_MAX_ATTEMPTS.
// The same event may reach the back office twice (an answer lost after it took effect, a crash
// before `processed` was written); every call of the port is safe to repeat for that reason.

@Injectable()
export class OrderForwarder {
  private readonly logger = new Logger(OrderForwarder.name);

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(BACK_OFFICE) private readonly backOffice: BackOfficePort,
    private readonly outbox: OutboxRepository,
    private readonly orderSync: OrderSyncRepository,
    private readonly orders: OrdersRepository,
    private readonly metrics: Metrics,
  ) {}

  async syncOrder(orderId: number): Promise<void> {
    let sync = await this.orderSync.state(orderId);
    if (!sync || sync.status === 'failed') return;
    for (;;) {
      const events = await this.outbox.pendingEvents(orderId, 20);
      if (events.length === 0) return;
      for (const event of events) {
        const outcome = await this.apply(event, sync);
        if (outcome.kind === 'rejected') {
          const reason = `${event.kind}: ${outcome.code}: ${outcome.message}`;
          this.logger.warn(`Order ${orderId} failed to sync: ${reason}`);
          await this.orderSync.update(orderId, { status: 'failed', lastError: reason });
          return;
        }
        if (outcome.kind === 'retryable') {
          await this.retryLater(orderId, sync, `${event.kind}: ${outcome.reason}`);
          return;
        }
        const backOfficeOrderId: string | null = outcome.value ?? sync.backOfficeOrderId;
        await this.outbox.processed(event, {
          backOfficeOrderId,
          syncedAt: new Date(),
          attempts: 0,
          lastError: null,
          status: 'ok',
        });
        sync = { ...sync, backOfficeOrderId, status: 'ok', attempts: 0, lastError: null };
        this.metrics.syncLag.observe({ kind: event.kind }, (Date.now() - event.createdAt.getTime()) / 1000);
      }
    }
  }

  /** What one event does in the back office; accepted with the back-office id after a create. */
  private async apply(event: SyncEventRecord, sync: OrderSyncRecord): Promise<Outcome<string | null>> {
    const order = await this.orders.readById(event.orderId);
    if (!order) return { kind: 'rejected', code: 'GONE', message: `order ${event.orderId} no longer exists` };
    if (event.kind === 'create') {
      const created = await this.backOffice.createOrder(toBackOfficeOrder(order, sync.externalId));
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
        outcome = await this.backOffice.recordPayment(id, {
          reference: payment.reference,
          amount: new Decimal(payment.amount),
          paymentMethodId: order.paymentId,
          final: payment.final,
        });
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

  private async retryLater(orderId: number, sync: OrderSyncRecord, reason: string): Promise<void> {
    const attempts = sync.attempts + 1;
    if (attempts >= this.config.SYNC_MAX_ATTEMPTS) {
      this.logger.warn(`Order ${orderId} failed to sync after ${attempts} attempts: ${reason}`);
      await this.orderSync.update(orderId, {
        status: 'failed',
        attempts,
        lastError: `gave up after ${attempts} attempts: ${reason}`,
      });
      return;
    }
    const pause = Math.min(this.config.SYNC_RETRY_MAX_MS, this.config.SYNC_RETRY_BASE_MS * 2 ** (attempts - 1));
    // Some jitter, so that orders held up by one outage do not all come back at once.
    const delay = Math.round(pause * (0.8 + Math.random() * 0.4));
    this.logger.log(`Order ${orderId}: attempt ${attempts} failed (${reason}); retrying in ${delay} ms`);
    await this.orderSync.retryLater(orderId, delay, { status: 'retrying', attempts, lastError: reason });
  }
}
