import type { Worker } from 'graphile-worker';
import pg from 'pg';
import { ProcessPresence } from '../../src/database/process-presence.js';
import { Database } from '../../src/database/database.js';
import { JobLocksRepository } from '../../src/sync/job-locks.repository.js';
import { WorkerLiveness } from '../../src/sync/worker-liveness.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

// Two gateway processes' worth of WorkerLiveness on one Postgres, and job locks as graphile
// leaves them: locks of a live process are kept, those of a gone one are freed, and so are those
// a live process holds on jobs none of its workers runs any more.

let database: TestDatabase;
let db: pg.Client;
const opened: Array<{ presence: ProcessPresence; database: Database }> = [];

beforeAll(async () => {
  database = await createTestDatabase();
  db = new pg.Client({ connectionString: database.url });
  await db.connect();
});
afterAll(async () => {
  for (const { presence, database: pool } of opened) {
    await presence.onApplicationShutdown();
    await pool.onApplicationShutdown();
  }
  await db.end();
  await database.drop();
});

interface GatewayProcess {
  liveness: WorkerLiveness;
  presence: ProcessPresence;
}

function gatewayProcess(): GatewayProcess {
  const connection = { url: database.url, poolSize: 2, embedded: false };
  const pool = new Database(connection);
  const presence = new ProcessPresence(connection);
  opened.push({ presence, database: pool });
  return { liveness: new WorkerLiveness(presence, new JobLocksRepository(pool)), presence };
}

function worker(poolId: string, activeJobId: () => string | null): Worker {
  return {
    workerId: `worker-of-${poolId}`,
    workerPool: { id: poolId },
    getActiveJob: () => {
      const id = activeJobId();
      return id ? { id } : null;
    },
  } as unknown as Worker;
}

/** A job in its own queue, locked by `poolId` a minute ago, as a running (or abandoned) one is. */
async function lockedJob(queue: string, poolId: string): Promise<string> {
  const { rows } = await db.query<{ id: string }>(
    `SELECT id FROM graphile_worker.add_job('sync_order', '{}'::json, queue_name := $1)`,
    [queue],
  );
  const id = rows[0]!.id;
  await db.query(
    `UPDATE graphile_worker._private_jobs SET locked_by = $2, locked_at = now() - interval '1 minute' WHERE id = $1`,
    [id, poolId],
  );
  await db.query(
    `UPDATE graphile_worker._private_job_queues SET locked_by = $2, locked_at = now() - interval '1 minute'
      WHERE queue_name = $1`,
    [queue, poolId],
  );
  return id;
}

async function lockOf(jobId: string): Promise<{ job: string | null; queue: string | null }> {
  const { rows } = await db.query<{ job: string | null; queue: string | null }>(
    `SELECT j.locked_by AS job, q.locked_by AS queue FROM graphile_worker._private_jobs j
       LEFT JOIN graphile_worker._private_job_queues q ON q.id = j.job_queue_id WHERE j.id = $1`,
    [jobId],
  );
  return rows[0]!;
}

async function announced(liveness: WorkerLiveness, poolId: string, active: () => string | null): Promise<void> {
  liveness.announce(worker(poolId, active));
  // The presence connection takes its advisory lock in the background.
  for (let i = 0; i < 50; i += 1) {
    if (await presenceHolds(poolId)) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`${poolId} never announced itself`);
}

async function presenceHolds(poolId: string): Promise<boolean> {
  const { rows } = await db.query<{ held: boolean }>(`SELECT NOT pg_try_advisory_lock($1::int, hashtext($2)) AS held`, [
    0x4f47,
    poolId,
  ]);
  if (!rows[0]!.held) await db.query(`SELECT pg_advisory_unlock($1::int, hashtext($2))`, [0x4f47, poolId]);
  return rows[0]!.held;
}

it('frees the jobs of a gone process and of forgotten jobs, and keeps those a live process runs', async () => {
  const { liveness: alive, presence: alivePresence } = gatewayProcess();
  const { liveness: other } = gatewayProcess();
  let running: string | null = null;
  await announced(alive, 'pool-alive', () => running);

  const runningJob = await lockedJob('sync-order-1', 'pool-alive');
  const forgottenJob = await lockedJob('sync-order-2', 'pool-alive');
  const deadJob = await lockedJob('sync-order-3', 'pool-dead');
  running = runningJob;

  // Another process sees the dead pool's lock (nobody holds its advisory lock) and frees it only.
  expect(await other.freeStaleLocks()).toEqual({ deadWorkers: ['pool-dead'], forgottenJobs: 0 });
  expect(await lockOf(deadJob)).toEqual({ job: null, queue: null });
  expect(await lockOf(runningJob)).toEqual({ job: 'pool-alive', queue: 'pool-alive' });
  expect(await lockOf(forgottenJob)).toEqual({ job: 'pool-alive', queue: 'pool-alive' });

  // The live process frees the lock it holds on a job none of its workers runs.
  expect(await alive.freeStaleLocks()).toEqual({ deadWorkers: [], forgottenJobs: 1 });
  expect(await lockOf(forgottenJob)).toEqual({ job: null, queue: null });
  expect(await lockOf(runningJob)).toEqual({ job: 'pool-alive', queue: 'pool-alive' });

  // Once the live process is gone (its presence connection closed), its locks go too.
  await alivePresence.onApplicationShutdown();
  expect(await other.freeStaleLocks()).toEqual({ deadWorkers: ['pool-alive'], forgottenJobs: 0 });
  expect(await lockOf(runningJob)).toEqual({ job: null, queue: null });
});

it('leaves a lock younger than the grace period alone, whoever holds it', async () => {
  const { liveness: other } = gatewayProcess();
  const { rows } = await db.query<{ id: string }>(
    `SELECT id FROM graphile_worker.add_job('sync_order', '{}'::json, queue_name := 'sync-order-9')`,
  );
  await db.query(`UPDATE graphile_worker._private_jobs SET locked_by = 'pool-new', locked_at = now() WHERE id = $1`, [
    rows[0]!.id,
  ]);
  expect(await other.freeStaleLocks()).toEqual({ deadWorkers: [], forgottenJobs: 0 });
  expect((await lockOf(rows[0]!.id)).job).toBe('pool-new');
});
