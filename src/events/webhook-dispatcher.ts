import {
  type BeforeApplicationShutdown,
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';
import { WorkLoop } from '../common/work-loop.js';
import { ProcessPresence } from '../database/process-presence.js';
import { Metrics } from '../metrics/metrics.js';
import { EventDeliveriesRepository, type LeasedDelivery } from './event-deliveries.repository.js';
import { EventSignal } from './event-signal.js';
import { EventSubscriptionsRepository } from './event-subscriptions.repository.js';
import { WebhookSender } from './webhook-sender.js';

// The workers that send webhooks, WEBHOOK_CONCURRENCY deliveries at a time in each process, with
// any number of processes side by side (those with SYNC_WORKER on, like forwarding). The
// deliveries are the queue (see EventDeliveriesRepository): a worker leases the ones next in
// line, sends each (WebhookSender), and writes the outcome with its attempt. A receiver that
// fails pauses its subscription (the back-off), and the delivery stays first in line for its
// order, so nothing is skipped and nothing overtakes. A process killed mid-send leaves its
// leases to the others once its presence lock is free: those deliveries go again, with the same
// event id, which is what lets a receiver drop the repeat.

/** How often the workers read which events are subscribed to, for EventSignal. */
const SUBSCRIBED_KINDS_MS = 5_000;

@Injectable()
export class WebhookDispatcher implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('WebhookDispatcher');
  private readonly loop: WorkLoop<string, LeasedDelivery>;
  private subscribedKindsReader: NodeJS.Timeout | undefined;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly deliveries: EventDeliveriesRepository,
    private readonly sender: WebhookSender,
    private readonly presence: ProcessPresence,
    private readonly signal: EventSignal,
    private readonly subscriptions: EventSubscriptionsRepository,
    private readonly metrics: Metrics,
  ) {
    this.loop = new WorkLoop<string, LeasedDelivery>({
      queue: this.deliveries,
      holder: this.presence,
      capacity: () => this.config.WEBHOOK_CONCURRENCY,
      // A take is a statement: refilled a quarter of the workers at a time.
      minTake: Math.ceil(this.config.WEBHOOK_CONCURRENCY / 4),
      key: (delivery) => delivery.id,
      work: (delivery) => this.deliver(delivery),
      pollMs: () => this.config.SYNC_POLL_INTERVAL_MS,
      failed: (what, error) =>
        this.logger.warn(
          what === 'take'
            ? `Looking for webhooks to send failed: ${error.message}`
            : `Sending failed: ${error.message}`,
        ),
    });
  }

  onApplicationBootstrap(): void {
    if (!this.config.SYNC_WORKER) return;
    this.loop.start(this.signal);
    const readKinds = () => void this.signal.refresh(() => this.subscriptions.subscribedKinds());
    readKinds();
    this.subscribedKindsReader = setInterval(readKinds, SUBSCRIBED_KINDS_MS);
    this.subscribedKindsReader.unref();
  }

  /** Stops taking deliveries and waits for the ones being sent (at most the timeout); before the pools close. */
  async beforeApplicationShutdown(): Promise<void> {
    if (this.subscribedKindsReader) clearInterval(this.subscribedKindsReader);
    await this.loop.stop();
  }

  private async deliver(delivery: LeasedDelivery): Promise<void> {
    const attempt = await this.sender.send(delivery);
    this.metrics.webhookAttempts.inc({ outcome: attempt.outcome });
    try {
      if (attempt.outcome === 'delivered') {
        await this.deliveries.delivered(delivery, attempt);
        this.metrics.webhookLag.observe(
          { event: delivery.event.kind },
          (Date.now() - new Date(delivery.event.createdAt).getTime()) / 1000,
        );
        return;
      }
      const disabled = await this.deliveries.failed(delivery, attempt, {
        retryBaseMs: this.config.WEBHOOK_RETRY_BASE_MS,
        retryMaxMs: this.config.WEBHOOK_RETRY_MAX_MS,
        disableAfterFailures: this.config.WEBHOOK_DISABLE_AFTER_FAILURES,
      });
      if (disabled) {
        this.logger.warn(
          `Event subscription ${delivery.subscriptionId} disabled after ${this.config.WEBHOOK_DISABLE_AFTER_FAILURES} failed deliveries in a row`,
        );
      }
    } catch (error) {
      // The outcome could not be written (the database away): the delivery is still pending and
      // leased by this process; it is freed here if possible, else a later look takes it back.
      this.logger.warn(`Recording webhook delivery ${delivery.id} failed: ${(error as Error).message}`);
      await this.deliveries.release(delivery.id, this.presence.instanceId).catch(() => undefined);
    }
  }
}
