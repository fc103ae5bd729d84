import { Injectable } from '@nestjs/common';
import type { Caller } from '../auth/caller.js';
import type { OrderModel } from '../orders/dto/order.model.js';
import { OrderMapper } from '../orders/order.mapper.js';
import { OrderWriter, orderNotFound } from '../orders/order-writer.js';
import { OrdersRepository } from '../orders/orders.repository.js';
import { OutboxRepository } from '../outbox/outbox.repository.js';

@Injectable()
export class ResyncService {
  constructor(
    private readonly orders: OrdersRepository,
    private readonly outbox: OutboxRepository,
    private readonly writer: OrderWriter,
    private readonly mapper: OrderMapper,
  ) {}

  /**
   * Sends what MplusKASSA has not taken yet, now: a failed order starts again from the change
   * that failed (after its cause was fixed), a retrying one stops waiting out its pause.
   */
  resync(caller: Caller, orderId: number): Promise<OrderModel> {
    return this.writer.inLockedOrder(orderId, async (tx, order) => {
      const sync = await this.outbox.syncState(tx, order.id);
      if (sync && (sync.status === 'failed' || sync.status === 'retrying')) {
        await this.outbox.updateSync(tx, order.id, { status: 'ok', attempts: 0, lastError: null });
        await this.writer.note(tx, caller, order.id, {
          action: 'resync',
          recordName: 'Sync to MplusKASSA restarted',
          recordStatus: 'pending',
          changes: {
            sync_status: { before: sync.status, after: 'pending' },
            last_error: { before: sync.lastError, after: null },
          },
        });
      }
      await this.outbox.retryLater(tx, order.id, 0);
      const after = await this.orders.findById(tx, order.id);
      if (!after) throw orderNotFound(order.id);
      return this.mapper.toModel(after, false);
    });
  }
}
