import { Injectable } from '@nestjs/common';
import { Database, type Transaction, pageOf } from '../database/database.js';
import { PRESENCE_LOCK_CLASS } from '../database/process-presence.js';
import { type Sql, empty, sql } from '../database/sql.js';
import type { Lease, LeasedQueue, Taken } from '../common/work-loop.js';
import type { EventParameter } from './event-subscriptions.repository.js';

// The deliveries are the webhook workers' queue (see WebhookDispatcher). A worker leases the
// deliveries that are next in line, one statement with SKIP LOCKED: pending, the one before them
// for their order and subscription (previous_id) no longer pending (so each receiver hears of an
// order's events in order, one at a time), of an enabled subscription whose back-off is over and
// whose API key still works. The line is kept as a link to the previous delivery, made when a
// delivery is (by the trigger of order_events, or a replay here), so that "next in line" is one
// primary-key lookup per candidate, whatever the planner thinks of the table's size.
// A delivery stays pending, and its lease held, until its outcome is written with its attempt, so
// a process killed while sending leaves it to be taken over and sent again, never skipped.

/** A delivery a worker leased: what to send, where, and how to sign it. */
export interface LeasedDelivery {
  id: string;
  attempt: number;
  subscriptionId: number;
  event: {
    id: string;
    kind: string;
    orderId: number;
    sequence: number;
    statusId: number | null;
    channelId: number | null;
    data: Record<string, unknown>;
    createdAt: Date;
  };
  target: {
    /** The event as the subscription names it. */
    event: string;
    path: string;
    method: 'GET' | 'POST';
    parameters: EventParameter[];
    /** Signing secrets, the newest first (two while a rotation's overlap lasts). */
    secrets: string[];
  };
}

export type AttemptOutcome = 'delivered' | 'failed' | 'timeout' | 'refused' | 'error';

export interface AttemptRecord {
  startedAt: Date;
  durationMs: number;
  outcome: AttemptOutcome;
  responseStatus: number | null;
  responseBody: string | null;
  error: string | null;
}

export interface FailurePolicy {
  retryBaseMs: number;
  retryMaxMs: number;
  disableAfterFailures: number;
}

export interface DeliveryRecord {
  id: string;
  subscriptionId: number;
  eventId: string;
  event: string;
  orderId: number;
  sequence: number;
  state: 'pending' | 'delivered';
  attempts: number;
  lastStatus: number | null;
  lastError: string | null;
  replayOf: string | null;
  createdAt: Date;
  deliveredAt: Date | null;
  occurredAt: Date;
}

export interface DeliveryAttemptRecord extends AttemptRecord {
  attempt: number;
}

export interface DeliveryBacklog {
  pending: number;
  oldestPendingSeconds: number;
}

const DELIVERY_COLUMNS = sql`d.id::text AS id, d.subscription_id AS "subscriptionId", d.event_id::text AS "eventId",
  s.event, d.order_id AS "orderId", e.sequence, d.state, d.attempts, d.last_status AS "lastStatus",
  d.last_error AS "lastError", d.replay_of::text AS "replayOf", d.created_at AS "createdAt",
  d.delivered_at AS "deliveredAt", e.created_at AS "occurredAt"`;

@Injectable()
export class EventDeliveriesRepository implements LeasedQueue<string, LeasedDelivery> {
  constructor(private readonly database: Database) {}

  /** `work` in a transaction, committed, or for a dry run rolled back (see Database.rehearse). */
  private inTransaction<T>(dryRun: boolean, work: (tx: Transaction) => Promise<T>): Promise<T> {
    return dryRun ? this.database.rehearse(work) : this.database.transaction(work);
  }

  /**
   * Leases up to `limit` deliveries that are next in line (see the top of this file), counting
   * the attempt: free ones, those of a process that is gone (its presence lock free; any other
   * process's, without `shared`) once older than `graceSeconds`, and our own not in `working`.
   */
  async lease(lease: Lease, working: string[], limit: number, graceSeconds: number): Promise<Taken<LeasedDelivery>> {
    const rows = await this.database.query<{
      id: string;
      attempts: number;
      subscription_id: number;
      event_id: string;
      kind: string;
      order_id: number;
      sequence: number;
      status_id: number | null;
      channel_id: number | null;
      data: Record<string, unknown>;
      created_at: Date;
      event: string;
      path: string;
      method: 'GET' | 'POST';
      parameters: EventParameter[];
      secret: string;
      previous_secret: string | null;
    }>(sql`
      WITH candidates AS (
        SELECT d.id FROM event_deliveries d
          JOIN event_subscriptions s ON s.id = d.subscription_id
          JOIN api_keys k ON k.id = s.api_key_id
         WHERE d.state = 'pending'
           AND s.enabled AND (s.paused_until IS NULL OR s.paused_until <= now())
           AND k.revoked_at IS NULL AND (k.expires_at IS NULL OR k.expires_at > now())
           AND (d.previous_id IS NULL
                OR NOT EXISTS (SELECT 1 FROM event_deliveries p WHERE p.id = d.previous_id AND p.state = 'pending'))
           AND (d.leased_by IS NULL
                OR (d.leased_by = ${lease.instanceId} AND d.id::text <> ALL(${working}::text[]))
                OR (d.leased_by <> ${lease.instanceId}
                    AND d.leased_at < now() - make_interval(secs => ${graceSeconds}::int)
                    AND (NOT ${lease.shared}
                         OR pg_try_advisory_xact_lock(${PRESENCE_LOCK_CLASS}::int, hashtext(d.leased_by)))))
         ORDER BY d.id
         LIMIT ${limit}::int
           FOR UPDATE OF d SKIP LOCKED),
      leased AS (
        UPDATE event_deliveries d SET leased_by = ${lease.instanceId}, leased_at = now(), attempts = d.attempts + 1
          FROM candidates WHERE d.id = candidates.id
        RETURNING d.id, d.attempts, d.subscription_id, d.event_id)
      SELECT l.id::text AS id, l.attempts, l.subscription_id, l.event_id::text AS event_id, e.kind, e.order_id,
             e.sequence, e.status_id, e.channel_id, e.data, e.created_at, s.event, s.path, s.method, s.parameters,
             s.secret, CASE WHEN s.previous_secret_expires_at > now() THEN s.previous_secret END AS previous_secret
        FROM leased l
        JOIN order_events e ON e.id = l.event_id
        JOIN event_subscriptions s ON s.id = l.subscription_id
       ORDER BY l.id`);
    // A delivery waits behind the one before it to the same receiver about the same order, often
    // one being sent: said to wait always, so that every delivery done looks again at once.
    const items = rows.map((row) => ({
      id: row.id,
      attempt: row.attempts,
      subscriptionId: row.subscription_id,
      event: {
        id: row.event_id,
        kind: row.kind,
        orderId: row.order_id,
        sequence: row.sequence,
        statusId: row.status_id,
        channelId: row.channel_id,
        data: row.data,
        createdAt: row.created_at,
      },
      target: {
        event: row.event,
        path: row.path,
        method: row.method,
        parameters: row.parameters,
        secrets: row.previous_secret ? [row.secret, row.previous_secret] : [row.secret],
      },
    }));
    return { items, more: true };
  }

  /** The receiver took it: delivered, the attempt logged, the subscription's run of failures over. */
  async delivered(delivery: LeasedDelivery, attempt: AttemptRecord): Promise<void> {
    await this.database.query(sql`
      WITH logged AS (${insertAttempt(delivery, attempt)}),
           subscription AS (
             UPDATE event_subscriptions SET consecutive_failures = 0, paused_until = NULL
              WHERE id = ${delivery.subscriptionId}::int AND (consecutive_failures > 0 OR paused_until IS NOT NULL))
      UPDATE event_deliveries SET state = 'delivered', delivered_at = now(), leased_by = NULL, leased_at = NULL,
             last_status = ${attempt.responseStatus}::int, last_error = NULL
       WHERE id = ${delivery.id}::bigint`);
  }

  /**
   * The attempt failed: logged, the delivery free again (still pending, still first in line), and
   * the subscription paused for its back-off (doubling with each failure in a row, with jitter),
   * or disabled once the run reaches `disableAfterFailures`. Whether it was disabled.
   */
  async failed(delivery: LeasedDelivery, attempt: AttemptRecord, policy: FailurePolicy): Promise<boolean> {
    const error =
      attempt.error ?? (attempt.responseStatus === null ? attempt.outcome : `HTTP ${attempt.responseStatus}`);
    const [row] = await this.database.query<{ enabled: boolean }>(sql`
      WITH logged AS (${insertAttempt(delivery, attempt)}),
           released AS (
             UPDATE event_deliveries SET leased_by = NULL, leased_at = NULL,
                    last_status = ${attempt.responseStatus}::int, last_error = ${error}
              WHERE id = ${delivery.id}::bigint)
      UPDATE event_subscriptions
         SET consecutive_failures = consecutive_failures + 1,
             paused_until = now() + least(${policy.retryMaxMs}::float8,
                                          ${policy.retryBaseMs}::float8 * power(2, least(consecutive_failures, 40)))
                                    * (0.5 + random() * 0.5) * interval '1 millisecond',
             enabled = enabled AND consecutive_failures + 1 < ${policy.disableAfterFailures}::int,
             disabled_reason = CASE WHEN enabled AND consecutive_failures + 1 >= ${policy.disableAfterFailures}::int
                                    THEN 'disabled after ' || (consecutive_failures + 1) || ' failed deliveries in a row, the last: ' || ${error}
                                    ELSE disabled_reason END
       WHERE id = ${delivery.subscriptionId}::int
      RETURNING enabled`);
    return row !== undefined && !row.enabled;
  }

  /** The process stops sending it (shutting down, or it could not record an outcome): free again. */
  async release(id: string, instanceId: string): Promise<void> {
    await this.database.query(sql`
      UPDATE event_deliveries SET leased_by = NULL, leased_at = NULL
       WHERE id = ${id}::bigint AND leased_by = ${instanceId}`);
  }

  /** The subscription's deliveries, newest first, in `state` when given. */
  async page(
    subscriptionId: number,
    state: 'pending' | 'delivered' | undefined,
    offset: number,
    limit: number,
  ): Promise<{ total: number; deliveries: DeliveryRecord[] }> {
    const { total, rows } = await pageOf<DeliveryRecord>(
      this.database,
      sql`event_deliveries d JOIN order_events e ON e.id = d.event_id JOIN event_subscriptions s ON s.id = d.subscription_id
          WHERE d.subscription_id = ${subscriptionId}::int ${state ? sql`AND d.state = ${state}` : empty}`,
      DELIVERY_COLUMNS,
      sql`d.id DESC`,
      offset,
      limit,
    );
    return { total, deliveries: rows };
  }

  async findById(
    subscriptionId: number,
    id: string,
  ): Promise<{ delivery: DeliveryRecord; attempts: DeliveryAttemptRecord[] } | null> {
    const [delivery] = await this.database.query<DeliveryRecord>(sql`
      SELECT ${DELIVERY_COLUMNS} FROM event_deliveries d
        JOIN order_events e ON e.id = d.event_id JOIN event_subscriptions s ON s.id = d.subscription_id
       WHERE d.id = ${id}::bigint AND d.subscription_id = ${subscriptionId}::int`);
    if (!delivery) return null;
    const attempts = await this.database.query<DeliveryAttemptRecord>(sql`
      SELECT attempt, started_at AS "startedAt", duration_ms AS "durationMs", outcome,
             response_status AS "responseStatus", response_body AS "responseBody", error
        FROM event_delivery_attempts WHERE delivery_id = ${id}::bigint ORDER BY id`);
    return { delivery, attempts };
  }

  /**
   * A new delivery of the delivery `id`'s event to the same subscription, at the end of its
   * order's line; its id, or null when there is none. `dryRun`: made and rolled back (its id not kept).
   */
  async replay(subscriptionId: number, id: string, dryRun = false): Promise<string | null> {
    return this.inTransaction(dryRun, async (tx) => {
      const [source] = await tx.query<{ order_id: number }>(sql`
        SELECT order_id FROM event_deliveries WHERE id = ${id}::bigint AND subscription_id = ${subscriptionId}::int`);
      if (!source) return null;
      await lockLines(tx, sql`SELECT ${source.order_id}::int`);
      const [row] = await tx.query<{ id: string }>(sql`
        INSERT INTO event_deliveries (subscription_id, event_id, order_id, replay_of, previous_id)
        SELECT d.subscription_id, d.event_id, d.order_id, d.id,
               (SELECT max(p.id) FROM event_deliveries p
                 WHERE p.subscription_id = d.subscription_id AND p.order_id = d.order_id)
          FROM event_deliveries d WHERE d.id = ${id}::bigint
        RETURNING id::text AS id`);
      return row!.id;
    });
  }

  /**
   * New deliveries to the subscription of every event since the event `sinceEventId` (itself
   * included) it would get now (its event and condition), whenever it was made, each at the end
   * of its order's line. How many. `dryRun`: made and rolled back.
   */
  async replaySince(subscriptionId: number, sinceEventId: string, dryRun = false): Promise<number> {
    return this.inTransaction(dryRun, async (tx) => {
      const matching = sql`
        SELECT e.id, e.order_id FROM event_subscriptions s
          JOIN order_events e ON e.kind = s.kind AND e.id >= ${sinceEventId}::bigint
         WHERE s.id = ${subscriptionId}::int
           AND (coalesce(cardinality(s.status_ids), 0) = 0 OR e.status_id = ANY (s.status_ids))
           AND (coalesce(cardinality(s.channel_ids), 0) = 0 OR e.channel_id = ANY (s.channel_ids))`;
      await lockLines(tx, sql`SELECT DISTINCT m.order_id FROM (${matching}) m`);
      const [made] = await tx.query<{ count: string; first: string | null; orders: number[] | null }>(sql`
        WITH made AS (
          INSERT INTO event_deliveries (subscription_id, event_id, order_id)
          SELECT ${subscriptionId}::int, m.id, m.order_id FROM (${matching}) m ORDER BY m.id
          RETURNING id, order_id)
        SELECT count(*) AS count, min(id)::text AS first, array_agg(DISTINCT order_id) AS orders FROM made`);
      if (made!.first !== null) {
        // Each new delivery after the one before it in its line (the statement above could not
        // see its own rows): by id within the subscription and order.
        await tx.query(sql`
          UPDATE event_deliveries d SET previous_id = line.previous
            FROM (SELECT p.id, lag(p.id) OVER (PARTITION BY p.order_id ORDER BY p.id) AS previous
                    FROM event_deliveries p
                   WHERE p.subscription_id = ${subscriptionId}::int AND p.order_id = ANY(${made!.orders}::int[])) line
           WHERE d.id = line.id AND d.id >= ${made!.first}::bigint`);
      }
      return Number(made!.count);
    });
  }

  /** Deliveries waiting for a working subscription, and the age of the oldest. */
  async backlog(): Promise<DeliveryBacklog> {
    const [row] = await this.database.query<{ pending: string; oldest: number | null }>(sql`
      SELECT count(*) AS pending, extract(epoch FROM now() - min(d.created_at))::float8 AS oldest
        FROM event_deliveries d JOIN event_subscriptions s ON s.id = d.subscription_id
       WHERE d.state = 'pending' AND s.enabled`);
    return { pending: Number(row!.pending), oldestPendingSeconds: row!.oldest ?? 0 };
  }

  /**
   * Removes up to `limit` deliveries delivered more than `days` ago (their attempt logs go with
   * them) and up to `limit` events older than that which no delivery waits for, oldest first; how
   * many of each went. Pending deliveries, and their events, are never removed. An event whose
   * last deliveries go in one call goes in the next (a statement does not see its own deletes).
   */
  async removeDeliveredBefore(days: number, limit: number): Promise<{ deliveries: number; events: number }> {
    const [row] = await this.database.query<{ deliveries: number; events: number }>(sql`
      WITH gone AS (
        DELETE FROM event_deliveries WHERE id IN (
          SELECT id FROM event_deliveries
           WHERE state = 'delivered' AND delivered_at < now() - make_interval(days => ${days}::int)
           ORDER BY id LIMIT ${limit})
        RETURNING 1),
      events AS (
        DELETE FROM order_events WHERE id IN (
          SELECT e.id FROM order_events e
           WHERE e.created_at < now() - make_interval(days => ${days}::int)
             AND NOT EXISTS (SELECT 1 FROM event_deliveries d WHERE d.event_id = e.id)
           ORDER BY e.created_at LIMIT ${limit})
        RETURNING 1)
      SELECT (SELECT count(*)::int FROM gone) AS deliveries, (SELECT count(*)::int FROM events) AS events`);
    return row!;
  }

  /**
   * Removes up to `limit` waiting deliveries of subscriptions whose API key was revoked (see the
   * migration revoked_key_subscriptions): no worker will ever send them. One a worker holds is
   * left until its lease is older than `graceSeconds`, so its outcome can still be written.
   */
  async removeOfRevokedKeys(limit: number, graceSeconds: number): Promise<number> {
    const [row] = await this.database.query<{ removed: number }>(sql`
      WITH gone AS (
        DELETE FROM event_deliveries WHERE id IN (
          SELECT d.id FROM event_deliveries d
            JOIN event_subscriptions s ON s.id = d.subscription_id
            JOIN api_keys k ON k.id = s.api_key_id
           WHERE d.state = 'pending' AND k.revoked_at IS NOT NULL
             AND (d.leased_by IS NULL OR d.leased_at < now() - make_interval(secs => ${graceSeconds}::int))
           ORDER BY d.id LIMIT ${limit}::int)
        RETURNING 1)
      SELECT count(*)::int AS removed FROM gone`);
    return row!.removed;
  }
}

/**
 * Takes the event counters of the orders `orderIds` selects, as a writer of their events does (see
 * the migration of order_events), so that no new event joins their lines while they are extended.
 */
async function lockLines(tx: Transaction, orderIds: Sql): Promise<void> {
  await tx.query(sql`
    SELECT order_id FROM order_event_sequences WHERE order_id IN (${orderIds}) ORDER BY order_id FOR UPDATE`);
}

function insertAttempt(delivery: LeasedDelivery, attempt: AttemptRecord) {
  return sql`INSERT INTO event_delivery_attempts (delivery_id, attempt, started_at, duration_ms, outcome,
                                                  response_status, response_body, error)
             VALUES (${delivery.id}::bigint, ${delivery.attempt}::int, ${attempt.startedAt}, ${Math.round(attempt.durationMs)}::int,
                     ${attempt.outcome}, ${attempt.responseStatus}::int, ${attempt.responseBody}, ${attempt.error})`;
}
