import { Injectable } from '@nestjs/common';
import { Database, type Executor } from '../database/database.js';
import { type Sql, assignments, join, sql } from '../database/sql.js';
import type { UnitOfWork } from '../database/unit-of-work.js';
import { PRESENCE_LOCK_CLASS } from '../database/process-presence.js';
import { OutboxSignal } from './outbox-signal.js';

// Each order's state in the back office (order_sync): the back-office id, the extOrderId, what
// the last attempt to forward a change left, and which gateway process forwards it now (its lease).

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

  /** The sync row of an order read back from the back office, which has it already. */
  importedIn(work: UnitOfWork<unknown>, backOfficeOrderId: string, externalId: string): void {
    work.write(
      'sync',
      sql`INSERT INTO order_sync (order_id, status, back_office_order_id, external_id, synced_at, updated_at)
          SELECT anchor.id, 'ok', ${backOfficeOrderId}, ${externalId}, now(), now() FROM anchor`,
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

  /**
   * Leases up to `limit` orders with changes to forward, whose pause is over, for the process
   * `instanceId`: orders nobody holds, and orders held by a process that is gone. A process is gone
   * when its presence lock is free (ProcessPresence; with a database of its own, `shared` false,
   * any other process is); a lease younger than the grace is left alone, since its holder may not
   * have announced itself yet. Leases of this process on orders not in `working` were left by a
   * forward that could not release them (the database away). Oldest pause first.
   */
  async claim(
    instanceId: string,
    shared: boolean,
    working: number[],
    limit: number,
    graceSeconds: number,
  ): Promise<number[]> {
    const rows = await this.database.query<{ order_id: number }>(sql`
      WITH candidates AS (
        SELECT s.order_id FROM order_sync s
         WHERE s.order_id IN (SELECT e.order_id FROM sync_events e WHERE e.processed_at IS NULL)
           AND s.status <> 'failed' AND s.run_at <= now()
           AND (s.leased_by IS NULL
                OR (s.leased_by = ${instanceId} AND s.order_id <> ALL(${working}::int[]))
                OR (s.leased_by <> ${instanceId} AND s.leased_at < now() - make_interval(secs => ${graceSeconds})
                    AND (NOT ${shared} OR pg_try_advisory_xact_lock(${PRESENCE_LOCK_CLASS}::int, hashtext(s.leased_by)))))
         ORDER BY s.run_at, s.order_id
         LIMIT ${limit}
           FOR UPDATE OF s SKIP LOCKED)
      UPDATE order_sync s SET leased_by = ${instanceId}, leased_at = now()
        FROM candidates WHERE s.order_id = candidates.order_id
      RETURNING s.order_id`);
    return rows.map((row) => row.order_id);
  }

  /** The process is done with the order for now. */
  async release(orderId: number, instanceId: string): Promise<void> {
    await this.database.query(sql`
      UPDATE order_sync SET leased_by = NULL, leased_at = NULL WHERE order_id = ${orderId} AND leased_by = ${instanceId}`);
  }

  /** A failed attempt's state, and the pause before the next. */
  async retryLater(orderId: number, delayMs: number, patch: OrderSyncPatch): Promise<void> {
    await this.database.query(sql`
      UPDATE order_sync SET ${syncPatch(patch)}, run_at = now() + ${delayMs}::int * interval '1 millisecond'
       WHERE order_id = ${orderId}`);
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
    const [row] = await db.query<{ order_id: number }>(sql`
      SELECT order_id FROM order_sync
       WHERE back_office_order_id = ${backOfficeOrderId} OR external_id = ${externalId}
       LIMIT 1`);
    return row?.order_id ?? null;
  }
}
