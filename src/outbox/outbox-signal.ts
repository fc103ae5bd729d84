import { EventEmitter } from 'node:events';
import { Injectable } from '@nestjs/common';

/**
 * Says, within this process, that a change for the back office has just committed, so that this
 * process's workers look at once instead of at their next poll (other processes find it then).
 */
@Injectable()
export class OutboxSignal {
  private readonly events = new EventEmitter().setMaxListeners(0);

  changed(): void {
    this.events.emit('changed');
  }

  subscribe(listener: () => void): () => void {
    this.events.on('changed', listener);
    return () => this.events.off('changed', listener);
  }
}
