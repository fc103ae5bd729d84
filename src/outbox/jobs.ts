import { Injectable } from '@nestjs/common';
import { Database } from '../database/database.js';
import { type Sql, sql } from '../database/sql.js';

// graphile-worker's jobs, added by SQL (graphile_worker.add_job) so that a job can be created in
// the same statement as the change that needs it: the job exists exactly when the change does.
// The only place the gateway spells add_job.

export const SYNC_ORDER_TASK = 'sync_order';

/**
 * graphile-worker's own retries are only for the unexpected (a bug, the database gone): the sync
 * job schedules its retries itself when the back office fails, counting them in order_sync.
 */
const GRAPHILE_ATTEMPTS = 10;

export interface JobOptions {
  /** Jobs of one queue run one at a time (text, or SQL when only the statement knows it). */
  queue: string | Sql;
  /** At most one pending job per key. */
  key: string | Sql;
  /** preserve_run_at: an existing job keeps its time; replace: it takes this one's. */
  keyMode: 'preserve_run_at' | 'replace';
  /** Milliseconds from now. */
  delayMs?: number;
}

/** The SQL call that adds (or keeps, or reschedules, by its key) a job. */
export function addJob(task: string, payload: Sql, options: JobOptions): Sql {
  return sql`graphile_worker.add_job(
    ${task}, ${payload}, queue_name := ${options.queue}, max_attempts := ${GRAPHILE_ATTEMPTS}::int,
    run_at := now() + ${options.delayMs ?? 0}::int * interval '1 millisecond',
    job_key := ${options.key}, job_key_mode := ${options.keyMode})`;
}

const SYNC_JOB_KEY_PREFIX = 'sync-order-';

/** One job per order at a time; the key keeps a second event from making a second job. */
export function syncJobKey(orderId: number): string {
  return `${SYNC_JOB_KEY_PREFIX}${orderId}`;
}

/**
 * The order's sync job (the order's id a number, or SQL for an order only the statement knows).
 * Without a delay an existing job keeps its time (`preserve_run_at`): a new event does not hurry a
 * retry that waits out a back-off. With one, the job is moved to it.
 */
export function syncJob(orderId: Sql | number, delayMs?: number): Sql {
  const key = typeof orderId === 'number' ? syncJobKey(orderId) : sql`${SYNC_JOB_KEY_PREFIX}::text || ${orderId}`;
  return addJob(SYNC_ORDER_TASK, sql`json_build_object('orderId', ${orderId}::int)`, {
    queue: key,
    key,
    keyMode: delayMs === undefined ? 'preserve_run_at' : 'replace',
    delayMs,
  });
}

/** Jobs that are not an order's sync job (the read-back's own schedule). */
@Injectable()
export class JobsRepository {
  constructor(private readonly database: Database) {}

  async schedule(task: string, options: JobOptions): Promise<void> {
    await this.database.query(sql`SELECT ${addJob(task, sql`'{}'::json`, options)}`);
  }
}
