import {
  type BeforeApplicationShutdown,
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';
import { ProcessPresence } from '../database/process-presence.js';
import { ApiLoad } from '../metrics/api-load.js';
import { type LeasedOrder, OutboxRepository } from '../outbox/outbox.repository.js';
import { OutboxSignal } from '../outbox/outbox-signal.js';
import { OrderForwarder } from './order-forwarder.js';

// The workers that forward orders' changes, SYNC_CONCURRENCY orders at a time in each process,
// with any number of processes side by side. The outbox is the queue: a worker takes an order
// that has unprocessed events by leasing its order_sync row (one statement, SKIP LOCKED, so no
// two processes take one order), forwards its events in order (OrderForwarder) and gives the
// lease back. A lease is held as long as its process lives: a process that is killed leaves
// leases that others take over once its presence lock is free (ProcessPresence), so a change can
// wait for a dead process's lease for seconds, and never for longer. Nothing else has to exist for
// an order to be found: a change committed is work, whatever crashed in between.
//
// An idle process looks every SYNC_POLL_INTERVAL_MS; a change committed by this process wakes it
// at once, and so does a worker that finishes. While the API keeps the process busy it forwards one
// order at a time (ApiLoad), and catches up when the load eases.

/** A lease younger than this is never taken over: its holder may not have announced itself yet. */
const LEASE_GRACE_SECONDS = 10;
/** After a failed look (the database away) the next waits this long at least. */
const FAILED_LOOK_PAUSE_MS = 1000;
/** While the API keeps the process busy, the pause between two orders forwarded. */
const BUSY_PAUSE_MS = 50;

@Injectable()
export class OutboxDispatcher implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('OutboxDispatcher');
  /** The orders this process forwards now. */
  private readonly working = new Map<number, Promise<void>>();
  private running = false;
  private loop: Promise<void> | undefined;
  private wake: (() => void) | undefined;
  private woken = false;
  private unsubscribe: (() => void) | undefined;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly outbox: OutboxRepository,
    private readonly forwarder: OrderForwarder,
    private readonly presence: ProcessPresence,
    private readonly signal: OutboxSignal,
    private readonly load: ApiLoad,
  ) {}

  onApplicationBootstrap(): void {
    if (!this.config.SYNC_WORKER) return;
    this.running = true;
    this.unsubscribe = this.signal.subscribe(() => this.nudge());
    this.loop = this.run();
  }

  /** Stops taking orders and waits for the ones being forwarded; before the pools close. */
  async beforeApplicationShutdown(): Promise<void> {
    this.running = false;
    this.unsubscribe?.();
    this.nudge();
    await this.loop;
    await Promise.all(this.working.values());
  }

  private async run(): Promise<void> {
    while (this.running) {
      // While the API keeps the process busy: one order at a time, a pause between (see ApiLoad).
      const busy = this.load.busy();
      if (busy && this.working.size === 0) await this.pause(BUSY_PAUSE_MS);
      const capacity = busy ? 1 : this.config.SYNC_CONCURRENCY;
      const free = Math.max(0, capacity - this.working.size);
      let taken: LeasedOrder[] = [];
      let pause = this.config.SYNC_POLL_INTERVAL_MS;
      if (free > 0) {
        try {
          taken = await this.outbox.lease(
            { instanceId: this.presence.instanceId, shared: this.presence.shared },
            [...this.working.keys()],
            free,
            LEASE_GRACE_SECONDS,
          );
        } catch (error) {
          this.logger.warn(`Looking for changes to forward failed: ${(error as Error).message}`);
          pause = Math.max(pause, FAILED_LOOK_PAUSE_MS);
        }
      }
      for (const leased of taken) this.forward(leased);
      // A full batch says there may be more: look again at once, while there are free workers.
      if (taken.length === free && free > 0) continue;
      await this.idle(pause);
    }
  }

  private forward(leased: LeasedOrder): void {
    const { orderId } = leased;
    const forwarding = (async () => {
      try {
        // It gives the lease back when it stops.
        await this.forwarder.forward(leased, this.presence.instanceId);
      } catch (error) {
        this.logger.warn(`Forwarding order ${orderId} stopped: ${(error as Error).message}`);
        try {
          await this.outbox.release(orderId, this.presence.instanceId);
        } catch {
          // The database is away: the lease stays ours, and a later look takes it back (see lease).
        }
      }
    })().finally(() => {
      this.working.delete(orderId);
      this.nudge();
    });
    this.working.set(orderId, forwarding);
  }

  /** Waits `ms`, whatever nudges. */
  private pause(ms: number): Promise<void> {
    return new Promise((resolve) => setTimeout(resolve, ms).unref());
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

  /** Look now: a change was committed here, a worker is free, or the process stops. */
  private nudge(): void {
    if (this.wake) this.wake();
    else this.woken = true;
  }
}
