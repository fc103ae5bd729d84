import { Injectable } from '@nestjs/common';
import { DomainError } from '../common/errors/domain-error.js';
import { ErrorCode } from '../common/errors/error-codes.js';
import { Database, type Executor, type Transaction } from '../database/database.js';
import { PRESENCE_LOCK_CLASS } from '../database/process-presence.js';
import { type Sql, sql } from '../database/sql.js';
import { type AnswerRecord, UnitOfWork } from '../database/unit-of-work.js';

/** What a claim on a key found. */
export type ClaimOutcome =
  | { kind: 'claimed' }
  /** Another request with this key is running. */
  | { kind: 'running' }
  /** The key was used with another request. */
  | { kind: 'mismatch' }
  /** The first request's write committed: what it answered. */
  | { kind: 'committed'; result: StoredAnswer }
  /** The first request finished without a write of its own: run it again. */
  | { kind: 'done' };

/** What a write answered, kept for repeats: the body, its status and the order's version (ETag). */
export interface StoredAnswer {
  value: unknown;
  status: number;
  orderVersion: number | null;
}

/** A request's hold on its Idempotency-Key, from the claim until it is settled. */
export interface IdempotencyClaim {
  apiKeyId: number;
  key: string;
  /** Who holds the claim: `<process instance>/<request id>` (see ProcessPresence). */
  owner: string;
  /** Set once the request's write has committed its answer with the claim. */
  committed: boolean;
}

export interface ClaimRequest {
  apiKeyId: number;
  key: string;
  fingerprint: string;
  /** `<process instance>/<request id>`: see ProcessPresence. */
  owner: string;
  ttlHours: number;
  /** A running claim older than this was left by a request that died; it may be taken over. */
  leaseSeconds: number;
  /** Whether other gateway processes share the database (else a claim of another instance is a dead one's). */
  shared: boolean;
  instanceId: string;
}

interface HeldRow {
  taken: boolean;
  fingerprint: string | null;
  state: string | null;
  result: (Partial<StoredAnswer> & { value?: unknown }) | null;
}

@Injectable()
export class IdempotencyRepository {
  constructor(private readonly database: Database) {}

  /**
   * Takes the key for this request: a new key, an expired one, or one whose holder died before
   * its write committed (same request only): its process is gone (ProcessPresence), or its lease
   * ran out. Otherwise says what holds it. One statement: the claim, and the row as it was.
   */
  async claim(request: ClaimRequest): Promise<ClaimOutcome> {
    for (let attempt = 0; attempt < 3; attempt += 1) {
      const [row] = await this.database.query<HeldRow>(sql`
        WITH taken AS (
          INSERT INTO idempotency_keys (api_key_id, key, fingerprint, state, owner, started_at, expires_at)
          VALUES (${request.apiKeyId}, ${request.key}, ${request.fingerprint}, 'running', ${request.owner}, now(),
                  now() + ${request.ttlHours}::int * interval '1 hour')
          ON CONFLICT (api_key_id, key) DO UPDATE
            SET fingerprint = EXCLUDED.fingerprint, state = 'running', owner = EXCLUDED.owner, result = NULL,
                started_at = now(), expires_at = EXCLUDED.expires_at
            WHERE idempotency_keys.expires_at <= now()
               OR (idempotency_keys.state = 'running'
                   AND idempotency_keys.fingerprint = EXCLUDED.fingerprint
                   AND (idempotency_keys.started_at < now() - ${request.leaseSeconds}::int * interval '1 second'
                        OR CASE WHEN ${request.shared}
                                THEN pg_try_advisory_xact_lock(${PRESENCE_LOCK_CLASS}::int,
                                                               hashtext(split_part(idempotency_keys.owner, '/', 1)))
                                ELSE split_part(idempotency_keys.owner, '/', 1) <> ${request.instanceId} END))
          RETURNING 1)
        SELECT EXISTS (SELECT 1 FROM taken) AS taken, held.fingerprint, held.state, held.result
          FROM (SELECT 1) one
          LEFT JOIN idempotency_keys held ON held.api_key_id = ${request.apiKeyId} AND held.key = ${request.key}`);
      if (row!.taken) return { kind: 'claimed' };
      // Released, or taken by a request that committed after this statement began: look again.
      if (row!.state === null) continue;
      if (row!.fingerprint !== request.fingerprint) return { kind: 'mismatch' };
      if (row!.state === 'committed') return { kind: 'committed', result: storedAnswer(row!.result) };
      if (row!.state === 'done') return { kind: 'done' };
      return { kind: 'running' };
    }
    return { kind: 'running' };
  }

  /**
   * The claim's part of a write's statement (see UnitOfWork): the answer goes with the write, or
   * neither does. The statement fails when the claim is no longer this request's (taken over
   * after its lease ran out).
   */
  recordFor(claim: IdempotencyClaim): AnswerRecord {
    return {
      statement: (answer: Sql, version: Sql, status: number) => sql`
        UPDATE idempotency_keys
           SET state = 'committed',
               result = jsonb_build_object('value', ${answer}, 'status', ${status}::int, 'orderVersion', ${version})
          FROM anchor
         WHERE api_key_id = ${claim.apiKeyId} AND key = ${claim.key} AND owner = ${claim.owner} AND state = 'running'
        RETURNING 1`,
      committed: () => {
        claim.committed = true;
      },
      lost: () =>
        new DomainError(
          ErrorCode.IDEMPOTENCY_KEY_IN_USE,
          'This request took too long and another request with the same Idempotency-Key took its place.',
        ),
    };
  }

  /**
   * The answer of a write made of several units of work in `tx` (a batch), recorded with the
   * claim in the same transaction: the writes and the answer commit together, or neither does.
   */
  async recordIn(tx: Transaction, claim: IdempotencyClaim, answer: unknown, status: number): Promise<void> {
    await new UnitOfWork<unknown>(sql`SELECT 0 AS id, NULL::int AS version`, this.database)
      .answers(answer, { status })
      .recordedBy(this.recordFor(claim))
      .commit(tx);
  }

  /** The request ended without a write through the claim: repeats run again, but not at once. */
  async finish(claim: IdempotencyClaim): Promise<void> {
    await this.database.query(sql`
      UPDATE idempotency_keys SET state = 'done'
       WHERE api_key_id = ${claim.apiKeyId} AND key = ${claim.key} AND owner = ${claim.owner} AND state = 'running'`);
  }

  /** The request failed before its write committed: the key is free again. */
  async release(claim: IdempotencyClaim): Promise<void> {
    await this.database.query(sql`
      DELETE FROM idempotency_keys
       WHERE api_key_id = ${claim.apiKeyId} AND key = ${claim.key} AND owner = ${claim.owner} AND state = 'running'`);
  }

  async deleteExpired(db: Executor = this.database): Promise<number> {
    const rows = await db.query(sql`DELETE FROM idempotency_keys WHERE expires_at <= now() RETURNING 1`);
    return rows.length;
  }
}

/**
 * A stored answer. Records written before answers carried their status held what the service
 * returned; a create's `{id, created}` tells its status, every other such answer was a 200.
 */
function storedAnswer(result: HeldRow['result']): StoredAnswer {
  const { value, status, orderVersion } = result ?? {};
  if (typeof status === 'number') return { value, status, orderVersion: orderVersion ?? null };
  if (value && typeof value === 'object' && 'created' in value) {
    const { created, ...rest } = value;
    return { value: rest, status: created === true ? 201 : 200, orderVersion: orderVersion ?? null };
  }
  return { value, status: 200, orderVersion: orderVersion ?? null };
}
