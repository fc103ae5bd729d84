import { Injectable } from '@nestjs/common';
import { EventDeliveriesRepository } from '../events/event-deliveries.repository.js';
import { OutboxRepository } from '../outbox/outbox.repository.js';
import { Metrics } from './metrics.js';

/** The outbox's and the webhook deliveries' depth and age, read from Postgres when Prometheus scrapes. */
@Injectable()
export class OutboxGauges {
  constructor(
    private readonly outbox: OutboxRepository,
    private readonly deliveries: EventDeliveriesRepository,
    private readonly metrics: Metrics,
  ) {}

  async refresh(): Promise<void> {
    const backlog = await this.outbox.backlog();
    this.metrics.outboxPending.set(backlog.pendingEvents);
    this.metrics.outboxOldestAge.set(backlog.oldestPendingSeconds);
    this.metrics.ordersBySyncState.set({ state: 'retrying' }, backlog.retryingOrders);
    this.metrics.ordersBySyncState.set({ state: 'failed' }, backlog.failedOrders);
    const waiting = await this.deliveries.backlog();
    this.metrics.webhookPending.set(waiting.pending);
    this.metrics.webhookOldestAge.set(waiting.oldestPendingSeconds);
  }
}
