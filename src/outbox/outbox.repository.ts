import { Injectable } from '@nestjs/common';
import { Database, type Executor } from '../database/database.js';
import { jsonb, sql } from '../database/sql.js';
import type { UnitOfWork } from '../database/unit-of-work.js';
import { OutboxSignal } from './outbox-signal.js';
import { type OrderSyncPatch, syncPatch } from './order-sync.repository.js';

// The outbox: what the back office must hear about, recorded in the same statement as the change
// that causes it. It is also the workers' queue (see OutboxDispatcher): an order with unprocessed
// events has work, and its events are applied in id order, stopping at the first one that does
// not go through.

export type SyncEventKind = 'create' | 'update' | 'pay' | 'deliver' | 'cancel';

export interface PaymentEventPayload {
  reference: string;
  amount: string;
  /** The goods had left when it was paid: the back office may invoice. */
  final: boolean;
}

export interface SyncEventRecord {
  id: bigint;
  orderId: number;
  kind: SyncEventKind;
  payload: Record<string, unknown>;
  createdAt: Date;
}

export interface OutboxBacklog {
  pendingEvents: number;
  oldestPendingSeconds: number;
  retryingOrders: number;
  failedOrders: number;
}

@Injectable()
export class OutboxRepository {
  constructor(
    private readonly database: Database,
    private readonly signal: OutboxSignal,
  ) {}

  /**
   * A change to forward, as a part of the anchor order's unit of work. A retrying or failed order
   * keeps its state: the new event waits behind.
   */
  recordIn(work: UnitOfWork<unknown>, kind: SyncEventKind, payload: object = {}): void {
    work.write(
      'event',
      sql`INSERT INTO sync_events (order_id, kind, payload) SELECT anchor.id, ${kind}, ${jsonb(payload)} FROM anchor`,
    );
    work.onCommitted(() => this.signal.changed());
  }

  async pendingEvents(orderId: number, limit: number): Promise<SyncEventRecord[]> {
    const rows = await this.database.query<{
      id: string;
      order_id: number;
      kind: SyncEventKind;
      payload: Record<string, unknown> | null;
      created_at: Date;
    }>(sql`
      SELECT id, order_id, kind, payload, created_at FROM sync_events
       WHERE order_id = ${orderId} AND processed_at IS NULL
       ORDER BY id LIMIT ${limit}`);
    return rows.map((row) => ({
      id: BigInt(row.id),
      orderId: row.order_id,
      kind: row.kind,
      payload: row.payload ?? {},
      createdAt: row.created_at,
    }));
  }

  /** The back office took the event: it is processed, and the order's sync state says so. One statement. */
  async processed(event: SyncEventRecord, patch: OrderSyncPatch): Promise<void> {
    await this.database.query(sql`
      WITH event AS (UPDATE sync_events SET processed_at = now() WHERE id = ${event.id.toString()}::bigint)
      UPDATE order_sync SET ${syncPatch(patch)} WHERE order_id = ${event.orderId}`);
  }

  /**
   * What the back office has still to take: changes of orders that are not stopped by a failure,
   * the age of the oldest, and how many orders are retrying or failed. One statement.
   */
  async backlog(db: Executor = this.database): Promise<OutboxBacklog> {
    const [row] = await db.query<{
      pending: string;
      oldest_seconds: number | null;
      retrying: string;
      failed: string;
    }>(sql`
      SELECT (SELECT count(*) FROM sync_events e JOIN order_sync s ON s.order_id = e.order_id
               WHERE e.processed_at IS NULL AND s.status <> 'failed') AS pending,
             (SELECT extract(epoch FROM now() - min(e.created_at))::float8
                FROM sync_events e JOIN order_sync s ON s.order_id = e.order_id
               WHERE e.processed_at IS NULL AND s.status <> 'failed') AS oldest_seconds,
             (SELECT count(*) FROM order_sync WHERE status = 'retrying') AS retrying,
             (SELECT count(*) FROM order_sync WHERE status = 'failed') AS failed`);
    return {
      pendingEvents: Number(row!.pending),
      oldestPendingSeconds: row!.oldest_seconds ?? 0,
      retryingOrders: Number(row!.retrying),
      failedOrders: Number(row!.failed),
    };
  }
}
