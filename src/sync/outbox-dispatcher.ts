import {
  type BeforeApplicationShutdown,
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';
import { ProcessPresence } from '../database/process-presence.js';
import { WorkLoop } from '../common/work-loop.js';
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
// at once, and so does a worker that finishes while more orders wait (the lease says whether any
// do, see WorkLoop). While the API keeps the process busy it forwards one
// order at a time (ApiLoad), and catches up when the load eases.

/** While the API keeps the process busy, the pause between two orders forwarded. */
const BUSY_PAUSE_MS = 50;

@Injectable()
export class OutboxDispatcher implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('OutboxDispatcher');
  private readonly loop: WorkLoop<number, LeasedOrder>;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly outbox: OutboxRepository,
    private readonly forwarder: OrderForwarder,
    private readonly presence: ProcessPresence,
    private readonly signal: OutboxSignal,
    private readonly load: ApiLoad,
  ) {
    this.loop = new WorkLoop<number, LeasedOrder>({
      queue: this.outbox,
      holder: this.presence,
      capacity: async (working) => {
        // While the API keeps the process busy: one order at a time, a pause between (see ApiLoad).
        const busy = this.load.busy();
        if (busy && working === 0) await new Promise((resolve) => setTimeout(resolve, BUSY_PAUSE_MS).unref());
        return busy ? 1 : this.config.SYNC_CONCURRENCY;
      },
      key: (leased) => leased.orderId,
      work: (leased) => this.forward(leased),
      pollMs: () => this.config.SYNC_POLL_INTERVAL_MS,
      failed: (what, error) =>
        this.logger.warn(
          what === 'take'
            ? `Looking for changes to forward failed: ${error.message}`
            : `Forwarding failed: ${error.message}`,
        ),
    });
  }

  onApplicationBootstrap(): void {
    if (this.config.SYNC_WORKER) this.loop.start(this.signal);
  }

  /** Stops taking orders and waits for the ones being forwarded; before the pools close. */
  async beforeApplicationShutdown(): Promise<void> {
    await this.loop.stop();
  }

  private async forward(leased: LeasedOrder): Promise<void> {
    const { orderId } = leased;
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
  }
}
