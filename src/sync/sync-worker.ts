import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type BeforeApplicationShutdown,
} from '@nestjs/common';
import { EventEmitter } from 'node:events';
import { Logger as WorkerLogger, type Runner, type Task, type WorkerEvents, run } from 'graphile-worker';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';
import { DATABASE_CONNECTION, type DatabaseConnection } from '../database/database-connection.js';
import { IdempotencyRepository } from '../idempotency/idempotency.repository.js';
import { JobsRepository } from '../outbox/jobs.js';
import { BackOfficeUnavailableError, CursorMovedError, InboundSync } from './inbound-sync.js';
import { CataloguePull } from '../catalogue/catalogue-pull.js';
import { EventDeliveriesRepository } from '../events/event-deliveries.repository.js';
import { WorkerLiveness } from './worker-liveness.js';

// The scheduled jobs of this process, on graphile-worker (jobs in Postgres, taken with SKIP
// LOCKED): any number of gateway processes can run them side by side, and each job runs once.
//   pull_back_office one at a time (one job key), reading changes back, then scheduling itself;
//   pull_catalogue likewise, reading the articles changed into the catalogue mirror (CataloguePull);
//   cleanup_idempotency_keys hourly (graphile's cron, once across all processes): expired idempotency
//   keys, and delivered webhooks and spent events past WEBHOOK_RETENTION_DAYS;
// Jobs held by a worker that died (a killed process), or forgotten by one (a database outage
// mid-job), are freed within seconds, see WorkerLiveness. Forwarding changes to the back office
// is not a graphile job: see OutboxDispatcher.

export const PULL_TASK = 'pull_back_office' as const;
const CLEANUP_TASK = 'cleanup_idempotency_keys';
const PULL_KEY = 'pull-back-office';
export const CATALOGUE_TASK = 'pull_catalogue' as const;
const CATALOGUE_KEY = 'pull-catalogue';
const LIVENESS_INTERVAL_MS = 5_000;
const PAGES_PER_RUN = 10;
/** Rows each statement of the retention cleanup removes at most. */
const RETENTION_SLICE = 5_000;

@Injectable()
export class SyncWorker implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('SyncWorker');
  private runner: Runner | undefined;
  private livenessCheck: NodeJS.Timeout | undefined;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(DATABASE_CONNECTION) private readonly database: DatabaseConnection,
    private readonly jobs: JobsRepository,
    private readonly inbound: InboundSync,
    private readonly idempotencyKeys: IdempotencyRepository,
    private readonly liveness: WorkerLiveness,
    private readonly catalogue: CataloguePull,
    private readonly deliveries: EventDeliveriesRepository,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (!this.config.SYNC_WORKER) return;
    const pull: Task = async () => {
      await this.pull();
    };
    const cleanup: Task = async () => {
      const removed = await this.idempotencyKeys.deleteExpired();
      if (removed > 0) this.logger.log(`Removed ${removed} expired idempotency keys`);
      await this.removeOldWebhooks();
    };
    const catalogue: Task = async () => {
      await this.pullCatalogue();
    };
    const events = new EventEmitter() as WorkerEvents;
    events.on('worker:create', ({ worker }) => this.liveness.announce(worker));
    this.runner = await run({
      events,
      connectionString: this.database.url,
      // Three jobs, each at most once at a time across all processes.
      concurrency: 3,
      pollInterval: Math.max(this.config.SYNC_POLL_INTERVAL_MS, 1000),
      noHandleSignals: true,
      crontab: `0 * * * * ${CLEANUP_TASK}`,
      // The embedded Postgres is one session behind every connection, so named prepared
      // statements of two connections would collide.
      noPreparedStatements: this.database.embedded,
      logger: workerLogger(this.logger),
      taskList: { [PULL_TASK]: pull, [CLEANUP_TASK]: cleanup, [CATALOGUE_TASK]: catalogue },
    });
    await this.scheduleRead(PULL_TASK, 0, 'preserve_run_at');
    await this.scheduleRead(CATALOGUE_TASK, 0, 'preserve_run_at');
    await this.freeStaleLocks();
    this.livenessCheck = setInterval(() => void this.freeStaleLocks(), LIVENESS_INTERVAL_MS);
    this.livenessCheck.unref();
  }

  /** Stops taking jobs and waits for the ones running to finish; before the pools close. */
  async beforeApplicationShutdown(): Promise<void> {
    if (this.livenessCheck) clearInterval(this.livenessCheck);
    await this.runner?.stop();
    this.runner = undefined;
  }

  private async freeStaleLocks(): Promise<void> {
    try {
      await this.liveness.freeStaleLocks();
    } catch (error) {
      this.logger.warn(`Looking for stale job locks failed: ${(error as Error).message}`);
    }
  }

  private async pull(): Promise<void> {
    let delay = this.config.SYNC_PULL_INTERVAL_MS;
    try {
      for (let page = 1; page <= PAGES_PER_RUN; page += 1) {
        const result = await this.inbound.pullPage();
        if (result.imported + result.updated > 0) {
          this.logger.log(
            `Read back from MplusKASSA: ${result.imported} imported, ${result.updated} updated (marker ${result.marker})`,
          );
        }
        if (!result.caughtUp) delay = 0;
        else {
          delay = this.config.SYNC_PULL_INTERVAL_MS;
          break;
        }
      }
    } catch (error) {
      if (error instanceof BackOfficeUnavailableError) {
        this.logger.warn(`Reading back from MplusKASSA failed: ${error.message}`);
      } else if (!(error instanceof CursorMovedError)) {
        throw error;
      }
    } finally {
      await this.scheduleRead(PULL_TASK, delay, 'replace');
    }
  }

  /**
   * Deliveries that can never go (their subscription's API key is revoked), then delivered
   * webhooks and spent events past WEBHOOK_RETENTION_DAYS, in slices that keep each statement short.
   */
  private async removeOldWebhooks(): Promise<void> {
    // A delivery being sent is left to its worker: no attempt outlasts its timeout by a minute.
    const graceSeconds = Math.ceil(this.config.WEBHOOK_TIMEOUT_MS / 1000) + 60;
    let dropped = 0;
    for (;;) {
      const slice = await this.deliveries.removeOfRevokedKeys(RETENTION_SLICE, graceSeconds);
      dropped += slice;
      if (slice === 0) break;
    }
    if (dropped > 0) this.logger.log(`Removed ${dropped} waiting webhook deliveries of revoked API keys`);
    const days = this.config.WEBHOOK_RETENTION_DAYS;
    if (days <= 0) return;
    const removed = { deliveries: 0, events: 0 };
    for (;;) {
      const slice = await this.deliveries.removeDeliveredBefore(days, RETENTION_SLICE);
      removed.deliveries += slice.deliveries;
      removed.events += slice.events;
      if (slice.deliveries === 0 && slice.events === 0) break;
    }
    if (removed.deliveries + removed.events > 0) {
      this.logger.log(
        `Removed ${removed.deliveries} webhook deliveries and ${removed.events} events older than ${days} days`,
      );
    }
  }

  private async pullCatalogue(): Promise<void> {
    let delay = this.config.CATALOGUE_PULL_INTERVAL_MS;
    try {
      if (!(await this.catalogue.pull())) delay = 0;
    } catch (error) {
      if (!(error instanceof BackOfficeUnavailableError)) throw error;
      this.logger.warn(`Reading the catalogue from MplusKASSA failed: ${error.message}`);
    } finally {
      await this.scheduleRead(CATALOGUE_TASK, delay, 'replace');
    }
  }

  /**
   * Schedules one of the reads from MplusKASSA that schedule themselves (one job key each, so one
   * at a time across all processes); nothing while its interval is 0, so a job left from a run with
   * another setting ends its line instead of running again at once, and again.
   */
  private async scheduleRead(
    task: typeof PULL_TASK | typeof CATALOGUE_TASK,
    delayMs: number,
    mode: 'replace' | 'preserve_run_at',
  ): Promise<void> {
    const [key, interval] =
      task === PULL_TASK
        ? [PULL_KEY, this.config.SYNC_PULL_INTERVAL_MS]
        : [CATALOGUE_KEY, this.config.CATALOGUE_PULL_INTERVAL_MS];
    if (interval <= 0) return;
    await this.jobs.schedule(task, { queue: key, key, keyMode: mode, delayMs });
  }
}

/** graphile-worker's log in ours: its per-job chatter at debug level, problems as they are. */
function workerLogger(logger: Logger): WorkerLogger {
  return new WorkerLogger(() => (level, message) => {
    // LogLevel is a const enum of strings, which isolated (SWC) builds cannot import.
    const severity: string = level;
    if (severity === 'error') logger.error(message);
    else if (severity === 'warning') logger.warn(message);
    else logger.debug(message);
  });
}
