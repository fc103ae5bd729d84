import { Inject, Injectable } from '@nestjs/common';
import { HealthIndicatorService, type HealthIndicatorResult } from '@nestjs/terminus';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';
import { EventDeliveriesRepository } from '../events/event-deliveries.repository.js';
import { EventSubscriptionsRepository } from '../events/event-subscriptions.repository.js';

/**
 * Webhooks: `degraded` while a subscription keeps failing (READY_WEBHOOK_FAILURES in a row) or
 * was disabled by its failures; the receivers' trouble, never a reason to stop taking orders.
 */
@Injectable()
export class WebhooksHealth {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly indicators: HealthIndicatorService,
    private readonly subscriptions: EventSubscriptionsRepository,
    private readonly deliveries: EventDeliveriesRepository,
  ) {}

  async check(key: string): Promise<HealthIndicatorResult> {
    const session = this.indicators.check(key);
    try {
      const [failing, backlog] = await Promise.all([
        this.subscriptions.failing(this.config.READY_WEBHOOK_FAILURES),
        this.deliveries.backlog(),
      ]);
      const data = {
        pending_deliveries: backlog.pending,
        oldest_pending_seconds: Math.round(backlog.oldestPendingSeconds),
        failing_subscriptions: failing.map((one) => ({
          id: one.id,
          consecutive_failures: one.consecutiveFailures,
          enabled: one.enabled,
        })),
      };
      return failing.length > 0 ? session.degraded(data) : session.up(data);
    } catch {
      return session.degraded({ message: 'unknown: the database cannot be read' });
    }
  }
}
