import { Injectable } from '@nestjs/common';
import { CommitSignal } from '../common/work-loop.js';

/**
 * Says, within this process, that order events have just committed which a subscription may
 * want, so that this process's webhook workers look at once instead of at their next poll (other
 * processes find them then). Events no subscription is to wake nobody: on a gateway without
 * subscriptions a create would otherwise cost a second statement, a look for deliveries that
 * cannot be there. The kinds subscribed to are what the webhook workers last read (see
 * WebhookDispatcher); while they are not known, every event wakes them. A subscription made
 * meanwhile in another process is found by the next poll.
 */
@Injectable()
export class EventSignal extends CommitSignal {
  private subscribed: ReadonlySet<string> | null = null;
  /** Counts the changes to subscriptions in this process, so that a read begun before one is not kept. */
  private generation = 0;

  /** Events of these kinds committed. */
  recorded(kinds: readonly string[]): void {
    if (this.subscribed === null || kinds.some((kind) => this.subscribed!.has(kind))) this.changed();
  }

  /** The kinds enabled subscriptions are to, as `read` finds them, unless a subscription changed meanwhile. */
  async refresh(read: () => Promise<ReadonlySet<string>>): Promise<void> {
    const generation = this.generation;
    try {
      const kinds = await read();
      if (generation === this.generation) this.subscribed = kinds;
    } catch {
      this.subscribed = null;
    }
  }

  /** A subscription was made or changed in this process: every event wakes until the next read. */
  subscriptionsChanged(): void {
    this.generation += 1;
    this.subscribed = null;
  }
}
