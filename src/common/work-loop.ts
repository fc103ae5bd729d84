import { EventEmitter } from 'node:events';

// The loop of a worker pool whose queue is in Postgres (forwarding to MplusKASSA, sending
// webhooks): take as many items as there are free workers, work on each, and look again at once
// while the queue gives full batches and says more wait, else after the poll interval, or sooner
// when nudged: by a change committed in this process, by the process stopping, and by a worker
// done while more may wait (the queue said so, or a change was committed since the last look).
// A worker done with nothing said to wait does not look: on the embedded store, where every
// statement shares one session with the API, that look found nothing after nearly every order.

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

/** What a lease took, and whether other items may be waiting that a later look could take. */
export interface Taken<T> {
  items: T[];
  /**
   * False only when nothing else waits that this process could take now or once its workers are
   * done (items held back behind one being worked on count as waiting); then the loop looks
   * again only when nudged by a commit, or after the poll interval.
   */
  more: boolean;
}

/** A queue in Postgres whose items a process leases (the outbox, the webhook deliveries). */
export interface LeasedQueue<K, T> {
  /**
   * Up to `limit` items for `lease`: free ones, and those of processes that are gone (none younger
   * than `graceSeconds`), and its own not in `working` (left by a try that could not give them back).
   */
  lease(lease: Lease, working: K[], limit: number, graceSeconds: number): Promise<Taken<T>>;
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
  /** Whether items may wait that the next look would take (see Taken.more). */
  private mayHaveMore = true;
  private unsubscribe: (() => void) | undefined;

  constructor(private readonly options: WorkLoopOptions<K, T>) {}

  start(signal: CommitSignal): void {
    this.running = true;
    this.unsubscribe = signal.subscribe(() => {
      this.mayHaveMore = true;
      this.nudge();
    });
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
      let taken: Taken<T> = { items: [], more: false };
      let pause = this.options.pollMs();
      if (free > 0) {
        // Cleared before the look: a commit while it runs sets it again.
        this.mayHaveMore = false;
        try {
          taken = await this.options.queue.lease(
            this.options.holder,
            [...this.working.keys()],
            free,
            LEASE_GRACE_SECONDS,
          );
          if (taken.more) this.mayHaveMore = true;
        } catch (error) {
          this.options.failed('take', error as Error);
          this.mayHaveMore = true;
          pause = Math.max(pause, FAILED_TAKE_PAUSE_MS);
        }
      }
      for (const item of taken.items) this.begin(item);
      // A full batch with more waiting: look again at once, while there are free workers.
      if (taken.more && taken.items.length === free && free > 0) continue;
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
        if (this.mayHaveMore) this.nudge();
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
