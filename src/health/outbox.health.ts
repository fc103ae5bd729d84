import { Inject, Injectable } from '@nestjs/common';
import { HealthIndicatorService, type HealthIndicatorResult } from '@nestjs/terminus';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';
import { OutboxRepository } from '../outbox/outbox.repository.js';

/** How far forwarding is behind: `degraded` once the oldest change waits past the limit. */
@Injectable()
export class OutboxHealth {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly indicators: HealthIndicatorService,
    private readonly outbox: OutboxRepository,
  ) {}

  async check(key: string): Promise<HealthIndicatorResult> {
    const session = this.indicators.check(key);
    try {
      const backlog = await this.outbox.backlog();
      const data = {
        pending_events: backlog.pendingEvents,
        oldest_pending_seconds: Math.round(backlog.oldestPendingSeconds),
        retrying_orders: backlog.retryingOrders,
        failed_orders: backlog.failedOrders,
      };
      return backlog.oldestPendingSeconds > this.config.READY_MAX_OUTBOX_AGE_SECONDS
        ? session.degraded(data)
        : session.up(data);
    } catch {
      // The database check says why; this one only adds that the backlog is unknown.
      return session.degraded({ message: 'unknown: the database cannot be read' });
    }
  }
}
