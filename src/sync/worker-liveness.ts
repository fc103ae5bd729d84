import { Injectable, Logger } from '@nestjs/common';
import type { Worker } from 'graphile-worker';
import { ProcessPresence } from '../database/process-presence.js';
import { JobLocksRepository } from './job-locks.repository.js';

// graphile-worker marks a job, and the queue of its order, as locked by the worker pool that took
// it (one pool per process), and frees a lock only after four hours: a gateway killed in the
// middle of a job would hold that order's changes back that long. So each process announces its
// pool through ProcessPresence; a job lock whose pool nobody announces any more belongs to a dead
// process, and any process frees it (graphile's force_unlock_workers). The job then runs again,
// which is safe: the forwarder re-reads what is still pending and every back-office call may be
// repeated. (graphile/worker#328 describes users tracking worker health by hand for the same reason.)
//
// A live pool can leave a lock behind too: when the database goes away while a job runs,
// graphile cannot record the job's end, and the job and its queue stay locked by a pool that has
// long moved on. Locks of this process's pool on jobs none of its workers runs are freed too.

@Injectable()
export class WorkerLiveness {
  private readonly logger = new Logger('WorkerLiveness');
  private readonly workers = new Set<Worker>();
  private readonly poolIds = new Set<string>();

  constructor(
    private readonly presence: ProcessPresence,
    private readonly locks: JobLocksRepository,
  ) {}

  /** A worker of this process: announced before its first job can be old enough to be freed. */
  announce(worker: Worker): void {
    this.workers.add(worker);
    this.poolIds.add(worker.workerPool.id);
    this.presence.announce(worker.workerPool.id);
  }

  /** Frees the jobs and queues of dead processes, and the forgotten ones of ours; says what it freed. */
  async freeStaleLocks(): Promise<{ deadWorkers: string[]; forgottenJobs: number }> {
    const deadWorkers = await this.freeDeadWorkers();
    const forgottenJobs = await this.freeForgottenJobs();
    return { deadWorkers, forgottenJobs };
  }

  private async freeDeadWorkers(): Promise<string[]> {
    const ids = await this.locks.freeDeadPools([...this.poolIds], this.presence.shared);
    if (ids.length > 0) {
      this.logger.warn(`Freed the jobs of gateway processes that are gone (worker pools ${ids.join(', ')})`);
    }
    return ids;
  }

  /** Locks our own pool holds on jobs (and queues) none of its workers is running. */
  private async freeForgottenJobs(): Promise<number> {
    const own = [...this.poolIds];
    if (own.length === 0) return 0;
    const running = [...this.workers].map((worker) => worker.getActiveJob()?.id).filter(Boolean) as string[];
    const jobs = await this.locks.freeForgottenJobs(own, running);
    if (jobs > 0) this.logger.warn(`Freed ${jobs} jobs this process's workers no longer run`);
    return jobs;
  }
}
