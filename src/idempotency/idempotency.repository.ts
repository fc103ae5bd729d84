import { Injectable } from '@nestjs/common';
import { PRESENCE_LOCK_CLASS } from '../database/process-presence.js';
import type { Db } from '../database/prisma.service.js';
import { Prisma } from '../generated/prisma/client.js';

/** What a claim on a key found. */
export type ClaimOutcome =
  | { kind: 'claimed' }
  /** Another request with this key is running. */
  | { kind: 'running' }
  /** The key was used with another request. */
  | { kind: 'mismatch' }
  /** The first request's write committed: its stored result. */
  | { kind: 'committed'; result: StoredResult }
  /** The first request finished without a write of its own: run it again. */
  | { kind: 'done' };

/** What a write transaction answered, kept for repeats. */
export interface StoredResult {
  value: unknown;
  orderVersion: number | null;
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

@Injectable()
export class IdempotencyRepository {
  /**
   * Takes the key for this request: a new key, an expired one, or one whose holder died before
   * its write committed (same request only): its process is gone (ProcessPresence), or its lease
   * ran out. Otherwise says what holds it.
   */
  async claim(db: Db, request: ClaimRequest): Promise<ClaimOutcome> {
    for (let attempt = 0; attempt < 3; attempt += 1) {
      const taken = await db.$queryRaw<unknown[]>`
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
        RETURNING 1`;
      if (taken.length === 1) return { kind: 'claimed' };
      const held = await db.idempotencyKey.findUnique({
        where: { apiKeyId_key: { apiKeyId: request.apiKeyId, key: request.key } },
      });
      // Released between the two statements: try again.
      if (!held) continue;
      if (held.fingerprint !== request.fingerprint) return { kind: 'mismatch' };
      if (held.state === 'committed') return { kind: 'committed', result: held.result as unknown as StoredResult };
      if (held.state === 'done') return { kind: 'done' };
      return { kind: 'running' };
    }
    return { kind: 'running' };
  }

  /**
   * Inside the request's write transaction: the result goes with the write, or neither does.
   * False when the claim is no longer this request's (taken over after its lease ran out).
   */
  async commit(tx: Db, apiKeyId: number, key: string, owner: string, result: StoredResult): Promise<boolean> {
    const { count } = await tx.idempotencyKey.updateMany({
      where: { apiKeyId, key, owner, state: 'running' },
      data: { state: 'committed', result: result as unknown as Prisma.InputJsonValue },
    });
    return count === 1;
  }

  /** The request ended without a write through the claim: repeats run again, but not at once. */
  async finish(db: Db, apiKeyId: number, key: string, owner: string): Promise<void> {
    await db.idempotencyKey.updateMany({ where: { apiKeyId, key, owner, state: 'running' }, data: { state: 'done' } });
  }

  /** The request failed before its write committed: the key is free again. */
  async release(db: Db, apiKeyId: number, key: string, owner: string): Promise<void> {
    await db.idempotencyKey.deleteMany({ where: { apiKeyId, key, owner, state: 'running' } });
  }

  async deleteExpired(db: Db): Promise<number> {
    const { count } = await db.idempotencyKey.deleteMany({ where: { expiresAt: { lte: new Date() } } });
    return count;
  }
}
