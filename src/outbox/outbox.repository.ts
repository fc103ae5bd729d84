import { Injectable } from '@nestjs/common';
import type { Db } from '../database/prisma.service.js';
import { Prisma } from '../generated/prisma/client.js';

// The outbox: what the back office must hear about, recorded in the same transaction as the
// change that causes it. Each event also asks graphile-worker for the order's sync job (by SQL,
// inside that transaction), so the job exists exactly when the event does.
//
// Ordering does not rest on the job queue (a job that fails lets later jobs of its queue pass
// it): the job applies the order's unprocessed events in id order and stops at the first one
// that does not go through.

export type SyncEventKind = 'create' | 'update' | 'pay' | 'deliver' | 'cancel';

/** What the last attempt left; pending or synced is read off the outbox (see syncStatus). */
export type SyncState = 'ok' | 'retrying' | 'failed';

/** The sync status clients see. */
export type SyncStatus = 'pending' | 'synced' | 'retrying' | 'failed';

export function syncStatus(state: SyncState | undefined, hasPendingEvents: boolean): SyncStatus {
  if (state === 'failed' || state === 'retrying') return state;
  return hasPendingEvents ? 'pending' : 'synced';
}

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

export interface OrderSyncRecord {
  status: SyncState;
  attempts: number;
  lastError: string | null;
  backOfficeOrderId: string | null;
  externalId: string;
  syncedAt: Date | null;
}

export interface OutboxBacklog {
  pendingEvents: number;
  oldestPendingSeconds: number;
  retryingOrders: number;
  failedOrders: number;
}

export const SYNC_ORDER_TASK = 'sync_order';

/**
 * graphile-worker's own retries are only for the unexpected (a bug, the database gone): the job
 * schedules its retries itself when the back office fails, counting them in order_sync.
 */
const GRAPHILE_ATTEMPTS = 10;

/** One job per order at a time; the key keeps a second event from making a second job. */
export function syncJobKey(orderId: number): string {
  return `sync-order-${orderId}`;
}

/**
 * The order's sync job, created unless it exists. `preserve_run_at` keeps a job that waits out a
 * back-off waiting: a new event does not hurry a retry.
 */
function addSyncJob(orderId: number): Prisma.Sql {
  return Prisma.sql`graphile_worker.add_job(
    ${SYNC_ORDER_TASK}, json_build_object('orderId', ${orderId}::int),
    queue_name := ${syncJobKey(orderId)}, max_attempts := ${GRAPHILE_ATTEMPTS}::int,
    job_key := ${syncJobKey(orderId)}, job_key_mode := 'preserve_run_at')`;
}

@Injectable()
export class OutboxRepository {
  /**
   * A new order's sync row and its create event, with the order's sync job: one statement. The
   * order reads as pending while the create event is unprocessed.
   */
  async startSync(tx: Db, orderId: number, externalId: string): Promise<void> {
    await tx.$executeRaw`
      WITH sync AS (INSERT INTO order_sync (order_id, external_id, status, updated_at)
                    VALUES (${orderId}, ${externalId}, 'ok', now())),
           event AS (INSERT INTO sync_events (order_id, kind) VALUES (${orderId}, ${'create' satisfies SyncEventKind}))
      SELECT ${addSyncJob(orderId)}`;
  }

  /** A change to forward, with the order's sync job. A retrying or failed order keeps its state: the new event waits behind. */
  async record(tx: Db, orderId: number, kind: SyncEventKind, payload: object = {}): Promise<void> {
    await tx.$executeRaw`
      WITH event AS (INSERT INTO sync_events (order_id, kind, payload)
                     VALUES (${orderId}, ${kind}, ${JSON.stringify(payload)}::jsonb))
      SELECT ${addSyncJob(orderId)}`;
  }

  /** Makes sure the order's sync job exists. */
  async wake(db: Db, orderId: number): Promise<void> {
    await db.$executeRaw`SELECT ${addSyncJob(orderId)}`;
  }

  /** The order's sync job, to run after `delayMs`: how a job schedules its own retry. */
  async retryLater(db: Db, orderId: number, delayMs: number): Promise<void> {
    await db.$executeRaw`SELECT graphile_worker.add_job(
      ${SYNC_ORDER_TASK}, json_build_object('orderId', ${orderId}::int),
      queue_name := ${syncJobKey(orderId)}, max_attempts := ${GRAPHILE_ATTEMPTS}::int,
      run_at := now() + ${delayMs}::int * interval '1 millisecond',
      job_key := ${syncJobKey(orderId)}, job_key_mode := 'replace')`;
  }

  async pendingEvents(db: Db, orderId: number, limit: number): Promise<SyncEventRecord[]> {
    const rows = await db.syncEvent.findMany({
      where: { orderId, processedAt: null },
      orderBy: { id: 'asc' },
      take: limit,
    });
    return rows.map((row) => ({
      id: row.id,
      orderId: row.orderId,
      kind: row.kind as SyncEventKind,
      payload: (row.payload ?? {}) as Record<string, unknown>,
      createdAt: row.createdAt,
    }));
  }

  async markProcessed(tx: Db, eventId: bigint): Promise<void> {
    await tx.syncEvent.update({ where: { id: eventId }, data: { processedAt: new Date() } });
  }

  async syncState(db: Db, orderId: number): Promise<OrderSyncRecord | null> {
    const row = await db.orderSync.findUnique({ where: { orderId } });
    return row && toSyncRecord(row);
  }

  async updateSync(db: Db, orderId: number, patch: Partial<OrderSyncRecord>): Promise<void> {
    await db.orderSync.update({ where: { orderId }, data: { ...patch, updatedAt: new Date() } });
  }

  /** The order's id for a back-office order: by the back office's id, or by our extOrderId. */
  async findOrderIdForBackOffice(db: Db, backOfficeOrderId: string, externalId: string | null): Promise<number | null> {
    const row = await db.orderSync.findFirst({
      where: { OR: [{ backOfficeOrderId }, ...(externalId ? [{ externalId }] : [])] },
      select: { orderId: true },
    });
    return row?.orderId ?? null;
  }

  /** Orders with events still to send, not stopped by a permanent failure: for the sweeper. */
  async ordersWithPendingEvents(db: Db, limit: number): Promise<number[]> {
    const rows = await db.syncEvent.findMany({
      where: { processedAt: null, order: { sync: { status: { not: 'failed' } } } },
      distinct: ['orderId'],
      select: { orderId: true },
      take: limit,
    });
    return rows.map((row) => row.orderId);
  }

  /**
   * What the back office has still to take: changes of orders that are not stopped by a failure,
   * the age of the oldest, and how many orders are retrying or failed.
   */
  async backlog(db: Db): Promise<OutboxBacklog> {
    const [pending] = await db.$queryRaw<[{ count: bigint; oldest_seconds: number | null }]>`
      SELECT count(*) AS count, extract(epoch FROM now() - min(e.created_at))::float8 AS oldest_seconds
        FROM sync_events e JOIN order_sync s ON s.order_id = e.order_id
       WHERE e.processed_at IS NULL AND s.status <> 'failed'`;
    const states = await db.orderSync.groupBy({
      by: ['status'],
      where: { status: { in: ['retrying', 'failed'] } },
      _count: { _all: true },
    });
    const count = (state: string) => states.find((row) => row.status === state)?._count._all ?? 0;
    return {
      pendingEvents: Number(pending.count),
      oldestPendingSeconds: pending.oldest_seconds ?? 0,
      retryingOrders: count('retrying'),
      failedOrders: count('failed'),
    };
  }

  async cursor(db: Db, name: string): Promise<string | null> {
    return (await db.syncCursor.findUnique({ where: { name } }))?.value ?? null;
  }

  /** Moves the cursor from `expected` to `value`; false when someone else moved it first. */
  async moveCursor(tx: Db, name: string, expected: string | null, value: string): Promise<boolean> {
    if (expected === null) {
      const inserted = await tx.$executeRaw`
        INSERT INTO sync_cursors (name, value) VALUES (${name}, ${value}) ON CONFLICT (name) DO NOTHING`;
      return inserted === 1;
    }
    const { count } = await tx.syncCursor.updateMany({
      where: { name, value: expected },
      data: { value, updatedAt: new Date() },
    });
    return count === 1;
  }
}

export function toSyncRecord(row: {
  status: string;
  attempts: number;
  lastError: string | null;
  backOfficeOrderId: string | null;
  externalId: string;
  syncedAt: Date | null;
}): OrderSyncRecord {
  return {
    status: row.status as SyncState,
    attempts: row.attempts,
    lastError: row.lastError,
    backOfficeOrderId: row.backOfficeOrderId,
    externalId: row.externalId,
    syncedAt: row.syncedAt,
  };
}
