import { Injectable } from '@nestjs/common';
import { Counter, Gauge, Histogram, collectDefaultMetrics, register } from 'prom-client';

// The gateway's Prometheus metrics, beside prom-client's process metrics (CPU, memory, event-loop
// lag, garbage collection). prom-client keeps one registry per process; a second gateway in the
// same process (the tests start several) shares the metrics of the first.

function histogram<L extends string>(name: string, help: string, labelNames: L[], buckets: number[]): Histogram<L> {
  return (
    (register.getSingleMetric(name) as Histogram<L> | undefined) ?? new Histogram({ name, help, labelNames, buckets })
  );
}

function gauge<L extends string>(name: string, help: string, labelNames: L[] = []): Gauge<L> {
  return (register.getSingleMetric(name) as Gauge<L> | undefined) ?? new Gauge({ name, help, labelNames });
}

function counter<L extends string>(name: string, help: string, labelNames: L[]): Counter<L> {
  return (register.getSingleMetric(name) as Counter<L> | undefined) ?? new Counter({ name, help, labelNames });
}

@Injectable()
export class Metrics {
  readonly httpRequests = histogram(
    'http_request_duration_seconds',
    'Time to answer an HTTP request, by method, route template and status.',
    ['method', 'route', 'status'],
    [0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
  );

  readonly backOfficeCalls = histogram(
    'mplus_call_duration_seconds',
    'Time of one MplusKASSA call, by operation and outcome (accepted, rejected, retryable).',
    ['operation', 'outcome'],
    [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
  );

  readonly syncLag = histogram(
    'sync_lag_seconds',
    'Time from a change committing in the gateway to MplusKASSA taking it, by kind of change.',
    ['kind'],
    [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600],
  );

  readonly outboxPending = gauge('outbox_pending_events', 'Changes not yet taken by MplusKASSA.');

  readonly outboxOldestAge = gauge(
    'outbox_oldest_pending_age_seconds',
    'Age of the oldest change not yet taken by MplusKASSA (0 when there is none).',
  );

  readonly ordersBySyncState = gauge('orders_sync_state', 'Orders whose sync is retrying or failed, by state.', [
    'state',
  ]);

  readonly webhookAttempts = counter(
    'webhook_delivery_attempts_total',
    'Webhook delivery attempts, by outcome (delivered, failed, timeout, refused, error).',
    ['outcome'],
  );

  readonly webhookLag = histogram(
    'webhook_delivery_lag_seconds',
    'Time from an order event committing to its receiver taking it, by event.',
    ['event'],
    [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600],
  );

  readonly webhookPending = gauge(
    'webhook_pending_deliveries',
    'Webhook deliveries waiting for their receiver (of enabled subscriptions).',
  );

  readonly webhookOldestAge = gauge(
    'webhook_oldest_pending_age_seconds',
    'Age of the oldest webhook delivery waiting for its receiver (0 when there is none).',
  );

  constructor() {
    if (!register.getSingleMetric('process_cpu_user_seconds_total')) collectDefaultMetrics();
  }

  render(): Promise<string> {
    return register.metrics();
  }

  get contentType(): string {
    return register.contentType;
  }
}
