import { Injectable } from '@nestjs/common';
import { Database, type Executor, pageOf } from '../database/database.js';
import { type Sql, empty, join, jsonb, raw, sql } from '../database/sql.js';
import type { OrderEventKind } from './event-catalogue.js';

/** A parameter of a subscription: its name in the call and the text its value is made of. */
export interface EventParameter {
  name: string;
  variable: string;
}

export interface NewSubscription {
  apiKeyId: number;
  event: string;
  kind: OrderEventKind;
  path: string;
  method: 'GET' | 'POST';
  parameters: EventParameter[];
  condition: string | null;
  statusIds: number[];
  channelIds: number[];
  secret: string;
}

export interface SubscriptionRecord extends Omit<NewSubscription, 'secret'> {
  id: number;
  enabled: boolean;
  disabledReason: string | null;
  consecutiveFailures: number;
  /** When a pause after failures ends; null when none is in force. */
  pausedUntil: Date | null;
  previousSecretExpiresAt: Date | null;
  /** Its API key was revoked: the subscription has ended (see the migration revoked_key_subscriptions). */
  keyRevoked: boolean;
  createdAt: Date;
  updatedAt: Date;
}

export type SubscriptionPatch = Partial<
  Pick<NewSubscription, 'event' | 'kind' | 'path' | 'method' | 'parameters' | 'condition' | 'statusIds' | 'channelIds'>
> & { enabled?: boolean };

/** A subscription that keeps failing, for /health/ready. */
export interface FailingSubscription {
  id: number;
  consecutiveFailures: number;
  enabled: boolean;
}

/** Why a subscription its owner disabled (PUT with enabled false) is. */
const DISABLED_BY_OWNER = 'disabled by its owner';

const COLUMNS = sql`id, api_key_id AS "apiKeyId", event, kind, path, method, parameters, condition,
  coalesce(status_ids, '{}') AS "statusIds", coalesce(channel_ids, '{}') AS "channelIds", enabled,
  disabled_reason AS "disabledReason", consecutive_failures AS "consecutiveFailures",
  CASE WHEN paused_until > now() THEN paused_until END AS "pausedUntil",
  CASE WHEN previous_secret_expires_at > now() THEN previous_secret_expires_at END AS "previousSecretExpiresAt",
  EXISTS (SELECT 1 FROM api_keys k WHERE k.id = api_key_id AND k.revoked_at IS NOT NULL) AS "keyRevoked",
  created_at AS "createdAt", updated_at AS "updatedAt"`;

@Injectable()
export class EventSubscriptionsRepository {
  constructor(private readonly database: Database) {}

  /** `work` in a transaction that is rolled back whatever it did (see Database.rehearse): a dry run. */
  rehearse<T>(work: (tx: Executor) => Promise<T>): Promise<T> {
    return this.database.rehearse(work);
  }

  async create(subscription: NewSubscription, db: Executor = this.database): Promise<number> {
    const [row] = await db.query<{ id: number }>(sql`
      INSERT INTO event_subscriptions (api_key_id, event, kind, path, method, parameters, condition, status_ids,
                                       channel_ids, secret)
      VALUES (${subscription.apiKeyId}::int, ${subscription.event}, ${subscription.kind}, ${subscription.path},
              ${subscription.method}, ${jsonb(subscription.parameters)}, ${subscription.condition},
              ${subscription.statusIds}::int[], ${subscription.channelIds}::int[], ${subscription.secret})
      RETURNING id`);
    return row!.id;
  }

  /** The subscriptions of `apiKeyId`, by id, with `path` when given. */
  async page(
    apiKeyId: number,
    path: string | undefined,
    offset: number,
    limit: number,
  ): Promise<{ total: number; subscriptions: SubscriptionRecord[] }> {
    const { total, rows } = await pageOf<SubscriptionRecord>(
      this.database,
      sql`event_subscriptions WHERE api_key_id = ${apiKeyId}::int ${path === undefined ? empty : sql`AND path = ${path}`}`,
      COLUMNS,
      sql`id`,
      offset,
      limit,
    );
    return { total, subscriptions: rows };
  }

  async findById(id: number, db: Executor = this.database): Promise<SubscriptionRecord | null> {
    const [row] = await db.query<SubscriptionRecord>(
      sql`SELECT ${COLUMNS} FROM event_subscriptions WHERE id = ${id}::int`,
    );
    return row ?? null;
  }

  /**
   * Changes the subscription; enabling it (again) also forgets its run of failures, so that its
   * waiting deliveries go out at once. Null when it is gone.
   */
  async update(id: number, patch: SubscriptionPatch, db: Executor = this.database): Promise<SubscriptionRecord | null> {
    const sets: Sql[] = [sql`updated_at = now()`];
    const set = (column: string, value: Sql) => sets.push(sql`${raw(column)} = ${value}`);
    if (patch.event !== undefined) set('event', sql`${patch.event}`);
    if (patch.kind !== undefined) set('kind', sql`${patch.kind}`);
    if (patch.path !== undefined) set('path', sql`${patch.path}`);
    if (patch.method !== undefined) set('method', sql`${patch.method}`);
    if (patch.parameters !== undefined) set('parameters', jsonb(patch.parameters));
    if (patch.condition !== undefined) set('condition', sql`${patch.condition}`);
    if (patch.statusIds !== undefined) set('status_ids', sql`${patch.statusIds}::int[]`);
    if (patch.channelIds !== undefined) set('channel_ids', sql`${patch.channelIds}::int[]`);
    if (patch.enabled === true) {
      sets.push(sql`enabled = true, disabled_reason = NULL, consecutive_failures = 0, paused_until = NULL`);
    } else if (patch.enabled === false) {
      sets.push(sql`enabled = false, disabled_reason = ${DISABLED_BY_OWNER}`);
    }
    const [row] = await db.query<SubscriptionRecord>(sql`
      UPDATE event_subscriptions SET ${join(sets, ', ')} WHERE id = ${id}::int RETURNING ${COLUMNS}`);
    return row ?? null;
  }

  /** Removes the subscription with its deliveries and their log. False when there was none. */
  async remove(id: number, db: Executor = this.database): Promise<boolean> {
    const rows = await db.query(sql`DELETE FROM event_subscriptions WHERE id = ${id}::int RETURNING id`);
    return rows.length > 0;
  }

  /**
   * A new signing secret; the old one keeps signing beside it until `overlapSeconds` have passed,
   * so receivers can move to the new one without missing a delivery.
   */
  async rotateSecret(
    id: number,
    secret: string,
    overlapSeconds: number,
    db: Executor = this.database,
  ): Promise<{ previousSecretExpiresAt: Date | null } | null> {
    const [row] = await db.query<{ previousSecretExpiresAt: Date | null }>(sql`
      UPDATE event_subscriptions
         SET previous_secret = CASE WHEN ${overlapSeconds}::int > 0 THEN secret END,
             previous_secret_expires_at = CASE WHEN ${overlapSeconds}::int > 0
                                               THEN now() + make_interval(secs => ${overlapSeconds}::int) END,
             secret = ${secret}, updated_at = now()
       WHERE id = ${id}::int
      RETURNING previous_secret_expires_at AS "previousSecretExpiresAt"`);
    return row ?? null;
  }

  /** The kinds of events enabled subscriptions of usable keys are to (see EventSignal). */
  async subscribedKinds(): Promise<Set<string>> {
    const rows = await this.database.query<{ kind: string }>(sql`
      SELECT DISTINCT s.kind FROM event_subscriptions s JOIN api_keys k ON k.id = s.api_key_id
       WHERE s.enabled AND k.revoked_at IS NULL`);
    return new Set(rows.map((row) => row.kind));
  }

  /**
   * Subscriptions failing at least `failures` times in a row, enabled or disabled by their
   * failures (not one its owner disabled, nor one whose key was revoked).
   */
  async failing(failures: number): Promise<FailingSubscription[]> {
    return this.database.query<FailingSubscription>(sql`
      SELECT s.id, s.consecutive_failures AS "consecutiveFailures", s.enabled
        FROM event_subscriptions s JOIN api_keys k ON k.id = s.api_key_id
       WHERE s.consecutive_failures >= ${failures}::int AND k.revoked_at IS NULL
         AND (s.enabled OR s.disabled_reason IS DISTINCT FROM ${DISABLED_BY_OWNER})
       ORDER BY s.id LIMIT 20`);
  }
}
