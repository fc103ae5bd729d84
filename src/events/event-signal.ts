import { Injectable } from '@nestjs/common';
import { CommitSignal } from '../common/work-loop.js';

/**
 * Says, within this process, that an order event has just committed, so that this process's
 * webhook workers look at once instead of at their next poll (other processes find it then).
 */
@Injectable()
export class EventSignal extends CommitSignal {}
