import { Injectable } from '@nestjs/common';
import { Database, type Executor } from '../database/database.js';
import { jsonb, sql } from '../database/sql.js';
import type { UnitOfWork } from '../database/unit-of-work.js';
import { syncJob } from './jobs.js';
import { type OrderSyncPatch, syncPatch } from './order-sync.repository.js';

// The outbox: what the back office must hear about, recorded in the same statement as the change
// that causes it, together with the order's sync job (graphile-worker), so the job exists exactly
// when the event does.
//
// Ordering does not rest on the job queue (a job that fails lets later jobs of its queue pass
// it): the job applies the order's unprocessed events in id order and stops at the first one
// that does not go through.

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
  constructor(private readonly database: Database) {}

  /**
   * A change to forward, as parts of the anchor order's unit of work: the event, and the order's
   * sync job. A retrying or failed order keeps its state: the new event waits behind.
   */
  recordIn(work: UnitOfWork<unknown>, kind: SyncEventKind, payload: object = {}): void {
    work.write(
      'event',
      sql`INSERT INTO sync_events (order_id, kind, payload) SELECT anchor.id, ${kind}, ${jsonb(payload)} FROM anchor
          RETURNING order_id`,
    );
    work.select('sync_job', sql`SELECT ${syncJob(sql`event.order_id`)} FROM event`);
  }

  /** The anchor order's sync job, as a part of its unit of work (a resync: now, whatever it waited for). */
  wakeIn(work: UnitOfWork<unknown>): void {
    work.select('sync_job', sql`SELECT ${syncJob(sql`anchor.id`, 0)} FROM anchor`);
  }

  /** Makes sure the order's sync job exists. */
  async wake(orderId: number): Promise<void> {
    await this.database.query(sql`SELECT ${syncJob(orderId)}`);
  }

  /**
   * The order's sync job to run after `delayMs`, with the sync state of a failed attempt: how a
   * job schedules its own retry. One statement.
   */
  async retryLater(orderId: number, delayMs: number, patch: OrderSyncPatch): Promise<void> {
    await this.database.query(sql`
      WITH sync AS (UPDATE order_sync SET ${syncPatch(patch)} WHERE order_id = ${orderId})
      SELECT ${syncJob(orderId, delayMs)}`);
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

  /** Orders with events still to send, not stopped by a permanent failure: for the sweeper. */
  async ordersWithPendingEvents(limit: number): Promise<number[]> {
    const rows = await this.database.query<{ order_id: number }>(sql`
      SELECT DISTINCT e.order_id FROM sync_events e JOIN order_sync s ON s.order_id = e.order_id
       WHERE e.processed_at IS NULL AND s.status <> 'failed'
       LIMIT ${limit}`);
    return rows.map((row) => row.order_id);
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
