import { Injectable } from '@nestjs/common';
import { Database, type Executor } from '../database/database.js';
import { type Sql, assignments, join, sql } from '../database/sql.js';
import { type TableWork, unitRows } from '../database/table-work.js';
import type { UnitOfWork } from '../database/unit-of-work.js';
import { type ExternalIdSource, clientsExternalId, gatewayExternalId, looksLikeOurs } from './external-id.js';
import { OutboxSignal } from './outbox-signal.js';

// Each order's state in the back office (order_sync): the back-office id, the extOrderId, what
// the last attempt to forward a change left. (Its lease, which process forwards it now, is the
// outbox's: see OutboxRepository.)

/** What the last attempt left; pending or synced is read off the outbox (see syncStatus). */
export type SyncState = 'ok' | 'retrying' | 'failed';

/** The sync status clients see. */
export type SyncStatus = 'pending' | 'synced' | 'retrying' | 'failed';

export function syncStatus(state: SyncState | undefined, hasPendingEvents: boolean): SyncStatus {
  if (state === 'failed' || state === 'retrying') return state;
  return hasPendingEvents ? 'pending' : 'synced';
}

export interface OrderSyncRecord {
  status: SyncState;
  attempts: number;
  lastError: string | null;
  backOfficeOrderId: string | null;
  externalId: string;
  syncedAt: Date | null;
}

export type OrderSyncPatch = Partial<Omit<OrderSyncRecord, 'externalId'>>;

const COLUMNS: Record<keyof OrderSyncPatch, string> = {
  status: 'status',
  attempts: 'attempts',
  lastError: 'last_error',
  backOfficeOrderId: 'back_office_order_id',
  syncedAt: 'synced_at',
};

/** `SET` items of a patch, with updated_at. */
export function syncPatch(patch: OrderSyncPatch): Sql {
  return join([...assignments(patch, COLUMNS), sql`updated_at = now()`], ', ');
}

@Injectable()
export class OrderSyncRepository {
  constructor(
    private readonly database: Database,
    private readonly signal: OutboxSignal,
  ) {}

  /** A new order's sync row, as a part of its unit of work: `externalId` is SQL (it may need the new id). */
  startIn(work: UnitOfWork<unknown>, externalId: Sql): void {
    work.write(
      'sync',
      sql`INSERT INTO order_sync (order_id, external_id, status, updated_at)
          SELECT anchor.id, ${externalId}, 'ok', now() FROM anchor`,
    );
  }

  /** startIn for the orders of a TableWork, `orders[u]` unit u's. */
  startAllIn(work: TableWork, orders: ExternalIdSource[]): void {
    const rows = orders.map((order, u) => ({
      u,
      clients: clientsExternalId(order),
      hash_start: order.hash.slice(0, 6),
    }));
    work.write(
      'sync',
      sql`INSERT INTO order_sync (order_id, external_id, status, updated_at)
          SELECT anchor.id, coalesce(given.clients, ${gatewayExternalId(sql`anchor.id`, sql`given.hash_start`)}), 'ok', now()
            FROM anchor JOIN ${unitRows(rows, 'given', 'clients text, hash_start text')} USING (u)`,
    );
  }

  /**
   * The sync row of an order read back from the back office, which has it already. It keeps the
   * till's extOrderId unless another order has it or it has the form the gateway makes (another
   * installation's, or one of ours restored from a backup): then `mplus:<id>`, so that it can
   * never block or be taken for an order of ours.
   */
  importedIn(work: UnitOfWork<unknown>, backOfficeOrderId: string, externalId: string | null): void {
    const own = `mplus:${backOfficeOrderId}`;
    const kept = externalId === null || looksLikeOurs(externalId) ? own : externalId;
    work.write(
      'sync',
      sql`INSERT INTO order_sync (order_id, status, back_office_order_id, external_id, synced_at, updated_at)
          SELECT anchor.id, 'ok', ${backOfficeOrderId},
                 CASE WHEN EXISTS (SELECT 1 FROM order_sync s WHERE s.external_id = ${kept}) THEN ${own} ELSE ${kept} END,
                 now(), now()
            FROM anchor`,
    );
  }

  /** A part that starts the anchor order's sync again, now: a failed or retrying one from where it stopped. */
  restartIn(work: UnitOfWork<unknown>): void {
    work.write(
      'sync',
      sql`UPDATE order_sync s SET ${syncPatch({ status: 'ok', attempts: 0, lastError: null })}, run_at = now()
            FROM anchor WHERE s.order_id = anchor.id`,
    );
    work.onCommitted(() => this.signal.changed());
  }

  async state(orderId: number, db: Executor = this.database): Promise<OrderSyncRecord | null> {
    const [row] = await db.query<OrderSyncRecord>(sql`
      SELECT status, attempts, last_error AS "lastError", back_office_order_id AS "backOfficeOrderId",
             external_id AS "externalId", synced_at AS "syncedAt"
        FROM order_sync WHERE order_id = ${orderId}`);
    return row ?? null;
  }

  async update(orderId: number, patch: OrderSyncPatch, db: Executor = this.database): Promise<void> {
    await db.query(sql`UPDATE order_sync SET ${syncPatch(patch)} WHERE order_id = ${orderId}`);
  }

  /** The order's id for a back-office order: by the back office's id, or by our extOrderId. */
  async findOrderIdForBackOffice(
    backOfficeOrderId: string,
    externalId: string | null,
    db: Executor = this.database,
  ): Promise<number | null> {
    // By its extOrderId only while the gateway does not know its back-office id yet (a create
    // whose answer is still on its way): an order of ours with another back-office id is not
    // this one, whatever its extOrderId says.
    const [row] = await db.query<{ order_id: number }>(sql`
      SELECT order_id FROM order_sync
       WHERE back_office_order_id = ${backOfficeOrderId}
          OR (external_id = ${externalId} AND back_office_order_id IS NULL)
       ORDER BY back_office_order_id IS NULL
       LIMIT 1`);
    return row?.order_id ?? null;
  }
}
