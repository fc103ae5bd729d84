import { Injectable } from '@nestjs/common';
import { Database, type Executor } from '../database/database.js';
import { PRESENCE_LOCK_CLASS } from '../database/process-presence.js';
import { type Sql, empty, jsonb, sql } from '../database/sql.js';
import { syncFailedEventStatement } from '../events/order-events.js';
import type { Lease, LeasedQueue, Taken } from '../common/work-loop.js';
import type { TableWork } from '../database/table-work.js';
import type { UnitOfWork } from '../database/unit-of-work.js';
import { OutboxSignal } from './outbox-signal.js';
import { type OrderSyncPatch, type OrderSyncRecord, type SyncState, syncPatch } from './order-sync.repository.js';

// The outbox: what the back office must hear about, recorded in the same statement as the change
// that causes it. It is also the workers' queue (see OutboxDispatcher): an order with unprocessed
// events has work; a worker leases the order (its order_sync row), applies its events in id
// order, stops at the first one that does not go through, and gives the lease back. The
// statements here keep that to a few round trips per order: one to lease a batch of orders with
// their events, one per event the back office took (which also gives the lease back after the
// last), one to stop.

export type SyncEventKind = 'create' | 'update' | 'pay' | 'deliver' | 'cancel' | 'refund';

export interface PaymentEventPayload {
  reference: string;
  amount: string;
  /** The goods had left when it was paid: the back office may invoice. */
  final: boolean;
}

/** A refund as the back office must hear of it. */
export interface RefundEventPayload {
  /** The refund's id (refund_id): what makes a repeated refund find the first one. */
  reference: string;
  /** Amount with VAT, as decimal text. */
  amount: string;
  /** Whether the order was invoiced when it was refunded: a credit of the invoice, else a negative payment. */
  invoiced: boolean;
}

export interface SyncEventRecord {
  id: bigint;
  orderId: number;
  kind: SyncEventKind;
  payload: Record<string, unknown>;
  createdAt: Date;
  /** When it was first taken to be sent; null: never, so the back office cannot have it. */
  attemptedAt: Date | null;
}

/** An order a worker leased, with its sync state and the events it has to forward. */
export interface LeasedOrder {
  orderId: number;
  sync: OrderSyncRecord;
  events: SyncEventRecord[];
}

export interface OutboxBacklog {
  pendingEvents: number;
  oldestPendingSeconds: number;
  retryingOrders: number;
  failedOrders: number;
}

interface EventJson {
  id: string;
  kind: SyncEventKind;
  payload: Record<string, unknown> | null;
  createdAt: string;
  attemptedAt: string | null;
}

/**
 * The unprocessed events of the orders `orders` selects, marked taken (attempted) in the same
 * statement: marking before the send is what lets a later try know to look first. An event marked
 * but not sent (a try that stopped at an earlier event) only costs that later try a look.
 */
function takeEvents(orders: Sql): Sql {
  return sql`
    pending AS (
      SELECT e.id, e.order_id, e.kind, e.payload, e.created_at, e.attempted_at
        FROM sync_events e WHERE e.order_id IN (${orders}) AND e.processed_at IS NULL),
    marked AS (
      UPDATE sync_events e SET attempted_at = now() FROM pending WHERE e.id = pending.id AND e.attempted_at IS NULL)`;
}

/** The events of `pending` for the order `orderId` (a column), oldest first, as JSON. */
function eventsOf(orderId: Sql): Sql {
  return sql`coalesce((SELECT json_agg(json_build_object(
      'id', p.id::text, 'kind', p.kind, 'payload', p.payload, 'createdAt', p.created_at, 'attemptedAt', p.attempted_at)
      ORDER BY p.id) FROM pending p WHERE p.order_id = ${orderId}), '[]')`;
}

/**
 * The changes waiting, oldest first, one row each (`waiting(id, order_id)`): a recursive walk of
 * the index on (processed_at, id), one probe a step, which goes only as far as the statement reads
 * it, so a lease stops at the first orders it can take. The walk is spelled out because Postgres
 * cannot be left to choose it: its statistics of processed_at are the last ANALYZE's, usually taken
 * with almost nothing waiting (or none yet, on a new database), and planned for that, the lease
 * that sorted every order with a change waiting took 13.8 s with 3 000 waiting after a quiet
 * ANALYZE and 22 ms with fresh statistics (EXPLAIN ANALYZE); this one takes 0.7-1.7 ms either way.
 * Needs WITH RECURSIVE.
 */
const WAITING = sql`waiting(id, order_id) AS (
      (SELECT e.id, e.order_id FROM sync_events e WHERE e.processed_at IS NULL ORDER BY e.processed_at, e.id LIMIT 1)
    UNION ALL
      SELECT next.id, next.order_id FROM waiting w
        CROSS JOIN LATERAL (SELECT e.id, e.order_id FROM sync_events e
                             WHERE e.processed_at IS NULL AND e.id > w.id
                             ORDER BY e.processed_at, e.id LIMIT 1) next)`;

/** An order_sync row `s` whose pause is over and that has not failed. */
const DUE = sql`s.status <> 'failed' AND s.run_at <= now()`;

/**
 * The order_sync row (as `s`) of a `waiting` row `w` when it is DUE, looked up by key (OFFSET 0:
 * a join Postgres may not turn around into a scan of every order).
 */
const DUE_SYNC = sql`CROSS JOIN LATERAL (
      SELECT s.order_id, s.leased_by, s.leased_at FROM order_sync s
       WHERE s.order_id = w.order_id AND ${DUE} OFFSET 0) s`;

/**
 * An order_sync row `s` this process may lease: nobody holds it, it is this process's own but no
 * worker has it (`working`), or its holder is gone (see lease).
 */
function leasable(lease: Lease, working: number[], graceSeconds: number): Sql {
  return sql`(s.leased_by IS NULL
         OR (s.leased_by = ${lease.instanceId} AND s.order_id <> ALL(${working}::int[]))
         OR (s.leased_by <> ${lease.instanceId}
             AND s.leased_at < now() - make_interval(secs => ${graceSeconds})
             AND (NOT ${lease.shared}
                  OR pg_try_advisory_xact_lock(${PRESENCE_LOCK_CLASS}::int, hashtext(s.leased_by)))))`;
}

function toEvents(orderId: number, events: EventJson[]): SyncEventRecord[] {
  return events.map((event) => ({
    id: BigInt(event.id),
    orderId,
    kind: event.kind,
    payload: event.payload ?? {},
    createdAt: new Date(event.createdAt),
    attemptedAt: event.attemptedAt === null ? null : new Date(event.attemptedAt),
  }));
}

@Injectable()
export class OutboxRepository implements LeasedQueue<number, LeasedOrder> {
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

  /** recordIn for every unit of a TableWork, in the order of the units. */
  recordAllIn(work: TableWork, kind: SyncEventKind, payload: object = {}): void {
    work.write(
      'event',
      sql`INSERT INTO sync_events (order_id, kind, payload)
          SELECT anchor.id, ${kind}, ${jsonb(payload)} FROM anchor ORDER BY anchor.u`,
    );
    work.onCommitted(() => this.signal.changed());
  }

  /**
   * Leases up to `limit` orders (fewer when one has several changes waiting) with changes to
   * forward whose pause is over, with their events:
   * orders nobody holds, and orders held by a process that is gone. A process is gone when its
   * presence lock is free (ProcessPresence; with a database of its own, `shared` false, any other
   * process is); a lease younger than `graceSeconds` is left alone, since its holder may not have
   * announced itself yet. Leases of this process on orders not in `working` were left by a forward
   * that could not give them back (the database away). The order whose oldest waiting change is
   * oldest first (a retry whose pause is over goes before orders made after its change). One statement.
   */
  async lease(lease: Lease, working: number[], limit: number, graceSeconds: number): Promise<Taken<LeasedOrder>> {
    const mayLease = leasable(lease, working, graceSeconds);
    const rows = await this.database.query<{
      order_id: number | null;
      status: SyncState;
      attempts: number;
      last_error: string | null;
      back_office_order_id: string | null;
      external_id: string;
      synced_at: Date | null;
      events: EventJson[];
      more: boolean;
    }>(sql`
      WITH RECURSIVE ${WAITING},
      candidates AS MATERIALIZED (
        SELECT s.order_id FROM waiting w ${DUE_SYNC}
          CROSS JOIN LATERAL (SELECT o.id, o.email_normalized FROM orders o WHERE o.id = w.order_id OFFSET 0) o
           -- A new customer's first order before its others: two first orders of a new e-mail
           -- forwarded side by side would both find no relation in MplusKASSA and make two. So
           -- until one order of the e-mail has reached MplusKASSA, an order waits while an older
           -- one's create is still to be forwarded (unless that one failed). That is committed
           -- state, not a lease, so no two processes can see it differently; once the e-mail has
           -- an order in MplusKASSA (its relation exists), its orders go side by side again.
           -- (The older orders are found by e-mail first; "IS TRUE" keeps Postgres from looking
           -- for their waiting creates among all waiting changes, as its statistics may say few.)
         WHERE (o.email_normalized IS NULL
                OR EXISTS (SELECT 1 FROM orders known JOIN order_sync ks ON ks.order_id = known.id
                            WHERE known.email_normalized = o.email_normalized AND ks.back_office_order_id IS NOT NULL)
                OR NOT EXISTS (
                     SELECT 1 FROM (SELECT earlier.id FROM orders earlier
                                     WHERE earlier.email_normalized = o.email_normalized AND earlier.id < o.id
                                    OFFSET 0) earlier
                       JOIN order_sync es ON es.order_id = earlier.id AND es.status <> 'failed'
                      WHERE EXISTS (SELECT 1 FROM sync_events ee
                                     WHERE ee.order_id = earlier.id AND ee.kind = 'create'
                                       AND (ee.processed_at IS NULL) IS TRUE)))
           AND ${mayLease}
         LIMIT ${limit}),
      -- The candidates locked, their conditions checked again on the rows as they are now.
      locked AS (
        SELECT s.order_id FROM order_sync s
         WHERE s.order_id = ANY (ARRAY(SELECT order_id FROM candidates))
           AND ${DUE} AND ${mayLease}
           FOR UPDATE SKIP LOCKED),
      claimed AS (
        UPDATE order_sync s SET leased_by = ${lease.instanceId}, leased_at = now()
          FROM locked WHERE s.order_id = locked.order_id
        RETURNING s.order_id, s.status, s.attempts, s.last_error, s.back_office_order_id, s.external_id, s.synced_at),
      ${takeEvents(sql`SELECT order_id FROM claimed`)}
      -- Another order with changes to forward that this process may take now or later: free or
      -- its own, not failed, due; held back or not (behind an older order of its e-mail, behind
      -- its own changes being forwarded), but not one just claimed, whose claim this statement's
      -- reads do not see. Answered also when nothing was claimed (a row without an order).
      SELECT c.*, ${eventsOf(sql`c.order_id`)} AS events, others.more
        FROM (SELECT EXISTS (
                SELECT 1 FROM waiting w ${DUE_SYNC}
                 WHERE (s.leased_by IS NULL OR s.leased_by = ${lease.instanceId})
                   AND s.order_id NOT IN (SELECT order_id FROM claimed)) AS more) others
        LEFT JOIN claimed c ON true`);
    const items = rows
      .filter((row): row is typeof row & { order_id: number } => row.order_id !== null)
      .map((row) => ({
        orderId: row.order_id,
        sync: {
          status: row.status,
          attempts: row.attempts,
          lastError: row.last_error,
          backOfficeOrderId: row.back_office_order_id,
          externalId: row.external_id,
          syncedAt: row.synced_at,
        },
        events: toEvents(row.order_id, row.events),
      }));
    return { items, more: rows[0]?.more ?? true };
  }

  /** Events of a leased order that came in while its earlier ones were forwarded, taken as `lease` does. */
  async moreEvents(orderId: number): Promise<SyncEventRecord[]> {
    const [row] = await this.database.query<{ events: EventJson[] }>(sql`
      WITH ${takeEvents(sql`${orderId}::int`)}
      SELECT ${eventsOf(sql`${orderId}::int`)} AS events`);
    return toEvents(orderId, row!.events);
  }

  /**
   * The back office took the event: it is processed, the order's sync state says so, and when no
   * other event of the order waits the lease is given back. True when it was (the order is done).
   */
  async accepted(event: SyncEventRecord, patch: OrderSyncPatch, instanceId: string): Promise<boolean> {
    const [row] = await this.database.query<{ released: boolean }>(sql`
      WITH event AS (UPDATE sync_events SET processed_at = now() WHERE id = ${event.id.toString()}::bigint),
           waiting AS (SELECT EXISTS (SELECT 1 FROM sync_events WHERE order_id = ${event.orderId}
                                         AND processed_at IS NULL AND id <> ${event.id.toString()}::bigint) AS more)
      UPDATE order_sync SET ${syncPatch(patch)},
             leased_by = CASE WHEN (SELECT more FROM waiting) OR leased_by <> ${instanceId} THEN leased_by END,
             leased_at = CASE WHEN (SELECT more FROM waiting) OR leased_by <> ${instanceId} THEN leased_at END
       WHERE order_id = ${event.orderId}
      RETURNING leased_by IS NULL AS released`);
    return row?.released ?? true;
  }

  /**
   * The order stops for now: its sync state after a refusal (failed) or a failed try (retrying,
   * taken again after `delayMs`), and the lease given back. An order that becomes failed tells
   * partner apps so (order-sync-failed), in the same statement.
   */
  async stop(orderId: number, patch: OrderSyncPatch, instanceId: string, delayMs?: number): Promise<void> {
    const runAt = delayMs === undefined ? sql`run_at` : sql`now() + ${delayMs}::int * interval '1 millisecond'`;
    const told =
      patch.status === 'failed'
        ? sql`WITH told AS (${syncFailedEventStatement(orderId, patch.lastError ?? '')}
                 AND EXISTS (SELECT 1 FROM order_sync WHERE order_id = ${orderId} AND status <> 'failed'))`
        : empty;
    await this.database.query(sql`
      ${told}
      UPDATE order_sync SET ${syncPatch(patch)}, run_at = ${runAt},
             leased_by = CASE WHEN leased_by = ${instanceId} THEN NULL ELSE leased_by END,
             leased_at = CASE WHEN leased_by = ${instanceId} THEN NULL ELSE leased_at END
       WHERE order_id = ${orderId}`);
  }

  /** The process is done with the order for now, whatever became of it (see OutboxDispatcher). */
  async release(orderId: number, instanceId: string): Promise<void> {
    await this.database.query(sql`
      UPDATE order_sync SET leased_by = NULL, leased_at = NULL WHERE order_id = ${orderId} AND leased_by = ${instanceId}`);
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
