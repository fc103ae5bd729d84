import { performance } from 'node:perf_hooks';
import { Injectable } from '@nestjs/common';

/** How often the figures are taken again. */
const WINDOW_MS = 250;
/** Past this share of the event loop's time, the process is busy. */
const BUSY_UTILIZATION = 0.85;

/**
 * Whether this process is busy serving the API: its event loop was nearly always at work in the
 * last quarter second and requests were answered meanwhile. The workers that forward changes to
 * the back office take one order at a time then (see OutboxDispatcher), so that background work
 * does not take what clients wait for; they catch up once the load eases.
 */
@Injectable()
export class ApiLoad {
  private answered = 0;
  private last = { at: performance.now(), utilization: performance.eventLoopUtilization(), answered: 0 };
  private busyNow = false;

  /** A request was answered. */
  served(): void {
    this.answered += 1;
  }

  busy(): boolean {
    const now = performance.now();
    if (now - this.last.at >= WINDOW_MS) {
      const utilization = performance.eventLoopUtilization();
      const share = performance.eventLoopUtilization(utilization, this.last.utilization).utilization;
      this.busyNow = share > BUSY_UTILIZATION && this.answered > this.last.answered;
      this.last = { at: now, utilization, answered: this.answered };
    }
    return this.busyNow;
  }
}
