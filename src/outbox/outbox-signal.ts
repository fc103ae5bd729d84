import { Injectable } from '@nestjs/common';
import { CommitSignal } from '../common/work-loop.js';

/**
 * Says, within this process, that a change for the back office has just committed, so that this
 * process's workers look at once instead of at their next poll (other processes find it then).
 */
@Injectable()
export class OutboxSignal extends CommitSignal {}
