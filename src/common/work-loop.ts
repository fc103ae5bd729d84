import { EventEmitter } from 'node:events';

// The loop of a worker pool whose queue is in Postgres (forwarding to MplusKASSA, sending
// webhooks): take as many items as there are free workers, work on each, and look again at once
// while the queue gives full batches, else after the poll interval, or sooner when nudged (a change
// committed in this process, a worker done, the process stopping).

/** A lease younger than this is never taken over: its holder may not have announced itself yet. */
const LEASE_GRACE_SECONDS = 10;
/** After a failed take (the database away) the next waits this long at least. */
const FAILED_TAKE_PAUSE_MS = 1000;

/** Who holds a lease: a process (ProcessPresence is one). */
export interface Lease {
  /** The process (ProcessPresence's instance) holding it. */
  instanceId: string;
  /** Whether other processes share the database (else any other holder is gone). */
  shared: boolean;
}

/** A queue in Postgres whose items a process leases (the outbox, the webhook deliveries). */
export interface LeasedQueue<K, T> {
  /**
   * Up to `limit` items for `lease`: free ones, and those of processes that are gone (none younger
   * than `graceSeconds`), and its own not in `working` (left by a try that could not give them back).
   */
  lease(lease: Lease, working: K[], limit: number, graceSeconds: number): Promise<T[]>;
}

export interface WorkLoopOptions<K, T> {
  queue: LeasedQueue<K, T>;
  /** The process the items are leased for. */
  holder: Lease;
  /** How many items may be worked on at once now; it may wait first (a busy process). */
  capacity(working: number): number | Promise<number>;
  key(item: T): K;
  /** Works on one item; handles its own failures (a rejection is only logged by `failed`). */
  work(item: T): Promise<void>;
  /** Pause of an idle loop. */
  pollMs(): number;
  /**
   * While items are being worked on, wait until at least this many workers are free before taking
   * more (fewer, larger takes); 1 by default.
   */
  minTake?: number;
  /** Says that taking items (the database away) or working on one failed. */
  failed(what: 'take' | 'work', error: Error): void;
}

/** Says, within this process, that something was committed that a worker loop should look at now. */
export class CommitSignal {
  private readonly events = new EventEmitter().setMaxListeners(0);

  changed(): void {
    this.events.emit('changed');
  }

  subscribe(listener: () => void): () => void {
    this.events.on('changed', listener);
    return () => this.events.off('changed', listener);
  }
}

export class WorkLoop<K, T> {
  private readonly working = new Map<K, Promise<void>>();
  private running = false;
  private loop: Promise<void> | undefined;
  private wake: (() => void) | undefined;
  private woken = false;
  private unsubscribe: (() => void) | undefined;

  constructor(private readonly options: WorkLoopOptions<K, T>) {}

  start(signal: CommitSignal): void {
    this.running = true;
    this.unsubscribe = signal.subscribe(() => this.nudge());
    this.loop = this.run();
  }

  /** Stops taking items and waits for the ones being worked on. */
  async stop(): Promise<void> {
    this.running = false;
    this.unsubscribe?.();
    this.nudge();
    await this.loop;
    await Promise.all(this.working.values());
  }

  private async run(): Promise<void> {
    while (this.running) {
      const free = Math.max(0, (await this.options.capacity(this.working.size)) - this.working.size);
      if (this.working.size > 0 && free < (this.options.minTake ?? 1)) {
        // Some are still being worked on: the next to finish nudges.
        await this.idle(this.options.pollMs());
        continue;
      }
      let taken: T[] = [];
      let pause = this.options.pollMs();
      if (free > 0) {
        try {
          taken = await this.options.queue.lease(
            this.options.holder,
            [...this.working.keys()],
            free,
            LEASE_GRACE_SECONDS,
          );
        } catch (error) {
          this.options.failed('take', error as Error);
          pause = Math.max(pause, FAILED_TAKE_PAUSE_MS);
        }
      }
      for (const item of taken) this.begin(item);
      // A full batch says there may be more: look again at once, while there are free workers.
      if (taken.length === free && free > 0) continue;
      await this.idle(pause);
    }
  }

  private begin(item: T): void {
    const key = this.options.key(item);
    const working = this.options
      .work(item)
      .catch((error: unknown) => this.options.failed('work', error as Error))
      .finally(() => {
        this.working.delete(key);
        this.nudge();
      });
    this.working.set(key, working);
  }

  /** Waits `ms`, or less when nudged. */
  private idle(ms: number): Promise<void> {
    if (this.woken) {
      this.woken = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const finish = () => {
        clearTimeout(timer);
        this.wake = undefined;
        resolve();
      };
      const timer = setTimeout(finish, ms);
      timer.unref();
      this.wake = finish;
    });
  }

  /** Look now. */
  private nudge(): void {
    if (this.wake) this.wake();
    else this.woken = true;
  }
}
