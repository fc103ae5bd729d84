import { Injectable } from '@nestjs/common';
import { OutboxRepository } from '../outbox/outbox.repository.js';
import { Metrics } from './metrics.js';

/** The outbox's depth and age, read from Postgres when Prometheus scrapes. */
@Injectable()
export class OutboxGauges {
  constructor(
    private readonly outbox: OutboxRepository,
    private readonly metrics: Metrics,
  ) {}

  async refresh(): Promise<void> {
    const backlog = await this.outbox.backlog();
    this.metrics.outboxPending.set(backlog.pendingEvents);
    this.metrics.outboxOldestAge.set(backlog.oldestPendingSeconds);
    this.metrics.ordersBySyncState.set({ state: 'retrying' }, backlog.retryingOrders);
    this.metrics.ordersBySyncState.set({ state: 'failed' }, backlog.failedOrders);
  }
}
