import { Injectable } from '@nestjs/common';
import { Database } from '../database/database.js';
import { PRESENCE_LOCK_CLASS } from '../database/process-presence.js';
import { sql } from '../database/sql.js';

/** A lock younger than this is left alone: its pool may not have been announced yet. */
const GRACE_SECONDS = 10;

/** graphile-worker's job and queue locks, as WorkerLiveness frees them. */
@Injectable()
export class JobLocksRepository {
  constructor(private readonly database: Database) {}

  /**
   * Frees the jobs and queues locked by worker pools that are neither `own` nor announced by a live
   * process (their presence lock can be taken; without `shared`, any pool not ours is gone).
   * Answers the pools freed. One transaction, which holds the presence locks it tries while it
   * frees.
   */
  async freeDeadPools(own: string[], shared: boolean): Promise<string[]> {
    return this.database.transaction(async (tx) => {
      const dead = await tx.query<{ worker_id: string }>(sql`
        WITH holders AS (
          SELECT locked_by FROM graphile_worker._private_jobs
           WHERE locked_by IS NOT NULL AND locked_at < now() - make_interval(secs => ${GRACE_SECONDS})
          UNION
          SELECT locked_by FROM graphile_worker._private_job_queues
           WHERE locked_by IS NOT NULL AND locked_at < now() - make_interval(secs => ${GRACE_SECONDS})
        )
        SELECT locked_by AS worker_id FROM holders
         WHERE locked_by <> ALL(${own}::text[])
           AND (NOT ${shared} OR pg_try_advisory_xact_lock(${PRESENCE_LOCK_CLASS}::int, hashtext(locked_by)))`);
      const ids = dead.map((row) => row.worker_id);
      if (ids.length > 0) await tx.query(sql`SELECT graphile_worker.force_unlock_workers(${ids}::text[])`);
      return ids;
    });
  }

  /** Frees the locks `own` pools hold on jobs (and their queues) other than `running`; answers how many jobs. */
  async freeForgottenJobs(own: string[], running: string[]): Promise<number> {
    const [row] = await this.database.query<{ jobs: string }>(sql`
      WITH jobs AS (
        UPDATE graphile_worker._private_jobs SET locked_at = NULL, locked_by = NULL
         WHERE locked_by = ANY(${own}::text[]) AND id <> ALL(${running}::bigint[])
           AND locked_at < now() - make_interval(secs => ${GRACE_SECONDS})
        RETURNING 1),
      queues AS (
        UPDATE graphile_worker._private_job_queues AS queues SET locked_at = NULL, locked_by = NULL
         WHERE locked_by = ANY(${own}::text[])
           AND locked_at < now() - make_interval(secs => ${GRACE_SECONDS})
           AND NOT EXISTS (SELECT 1 FROM graphile_worker._private_jobs AS jobs
                            WHERE jobs.job_queue_id = queues.id AND jobs.id = ANY(${running}::bigint[])))
      SELECT count(*) AS jobs FROM jobs`);
    return Number(row!.jobs);
  }
}
