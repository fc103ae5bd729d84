import { Injectable } from '@nestjs/common';
import { Database } from '../database/database.js';
import { sql } from '../database/sql.js';

/** graphile-worker's own retries, for the unexpected (a bug, the database gone). */
const GRAPHILE_ATTEMPTS = 10;

export interface JobOptions {
  /** Jobs of one queue run one at a time. */
  queue: string;
  /** At most one pending job per key. */
  key: string;
  /** preserve_run_at: an existing job keeps its time; replace: it takes this one's. */
  keyMode: 'preserve_run_at' | 'replace';
  /** Milliseconds from now. */
  delayMs?: number;
}

/** graphile-worker's jobs (the read-back's schedule), added by SQL: the one place the gateway spells add_job. */
@Injectable()
export class JobsRepository {
  constructor(private readonly database: Database) {}

  /** Adds the job, or keeps or reschedules the one with its key. */
  async schedule(task: string, options: JobOptions): Promise<void> {
    await this.database.query(sql`
      SELECT graphile_worker.add_job(
        ${task}, '{}'::json, queue_name := ${options.queue}, max_attempts := ${GRAPHILE_ATTEMPTS}::int,
        run_at := now() + ${options.delayMs ?? 0}::int * interval '1 millisecond',
        job_key := ${options.key}, job_key_mode := ${options.keyMode})`);
  }
}
