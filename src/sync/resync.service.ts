import { Injectable } from '@nestjs/common';
import type { Answer } from '../common/http/answer.js';
import type { WriteRequest } from '../common/http/write-request.js';
import type { OrderModel } from '../orders/dto/order.model.js';
import { OrderWriter } from '../orders/order-writer.js';
import { OrderSyncRepository } from '../outbox/order-sync.repository.js';

@Injectable()
export class ResyncService {
  constructor(
    private readonly orderSync: OrderSyncRepository,
    private readonly writer: OrderWriter,
  ) {}

  /**
   * Sends what MplusKASSA has not taken yet, now: a failed order starts again from the change that
   * failed (after its cause was fixed), a retrying one stops waiting out its pause.
   */
  resync(request: WriteRequest, orderId: number): Promise<Answer<OrderModel>> {
    return this.writer.update(request, orderId, (order) => {
      const sync = order.sync;
      const stopped = sync !== null && (sync.status === 'failed' || sync.status === 'retrying');
      return {
        patch: null,
        parts: (work) => this.orderSync.restartIn(work),
        note: stopped
          ? {
              action: 'resync',
              recordName: 'Sync to MplusKASSA restarted',
              recordStatus: 'pending',
              changes: {
                sync_status: { before: sync.status, after: 'pending' },
                last_error: { before: sync.lastError, after: null },
              },
            }
          : null,
        answer: (after) =>
          this.writer.orderAnswer(
            stopped ? { ...after, sync: { ...sync, status: 'ok', attempts: 0, lastError: null } } : after,
          ),
      };
    });
  }
}
