import { Injectable } from '@nestjs/common';
import { Database, type Executor, pageOf } from '../database/database.js';
import { assignments, join, sql } from '../database/sql.js';
import { UnitOfWork } from '../database/unit-of-work.js';
import type { Right } from './rights.js';

export interface ApiKeyRecord {
  id: number;
  name: string;
  prefix: string;
  rights: Right[];
  createdAt: Date;
  expiresAt: Date | null;
  revokedAt: Date | null;
}

/** Whether the key works now; the database query of usable keys says the same in SQL. */
export function apiKeyState(key: ApiKeyRecord, now = new Date()): 'active' | 'expired' | 'revoked' {
  if (key.revokedAt) return 'revoked';
  if (key.expiresAt && key.expiresAt <= now) return 'expired';
  return 'active';
}

export interface NewApiKey {
  name: string;
  prefix: string;
  keyHash: string;
  rights: Right[];
  expiresAt: Date | null;
}

export type ApiKeyPatch = Partial<Pick<ApiKeyRecord, 'name' | 'expiresAt' | 'revokedAt'>>;

const COLUMNS = sql`id, name, prefix, rights, created_at AS "createdAt", expires_at AS "expiresAt", revoked_at AS "revokedAt"`;
const PATCH_COLUMNS: Record<keyof ApiKeyPatch, string> = {
  name: 'name',
  expiresAt: 'expires_at',
  revokedAt: 'revoked_at',
};

@Injectable()
export class ApiKeyRepository {
  constructor(private readonly database: Database) {}

  /** `work` in a transaction that is rolled back whatever it did (see Database.rehearse): a dry run. */
  rehearse<T>(work: (tx: Executor) => Promise<T>): Promise<T> {
    return this.database.rehearse(work);
  }

  async insert(key: NewApiKey, db: Executor = this.database): Promise<ApiKeyRecord> {
    const [row] = await db.query<ApiKeyRecord>(sql`
      INSERT INTO api_keys (name, prefix, key_hash, rights, expires_at)
      VALUES (${key.name}, ${key.prefix}, ${key.keyHash}, ${key.rights}::text[], ${key.expiresAt})
      RETURNING ${COLUMNS}`);
    return row!;
  }

  async findUsableByHash(keyHash: string, now: Date): Promise<ApiKeyRecord | null> {
    const [row] = await this.database.query<ApiKeyRecord>(sql`
      SELECT ${COLUMNS} FROM api_keys
       WHERE key_hash = ${keyHash} AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > ${now})`);
    return row ?? null;
  }

  async findById(id: number): Promise<ApiKeyRecord | null> {
    const [row] = await this.database.query<ApiKeyRecord>(sql`SELECT ${COLUMNS} FROM api_keys WHERE id = ${id}`);
    return row ?? null;
  }

  /** A change to the key as a unit of work (anchored on its row), which the caller completes and commits. */
  change<T>(id: number, patch: ApiKeyPatch): UnitOfWork<T> {
    const sets = assignments(patch, PATCH_COLUMNS);
    const anchor =
      sets.length > 0
        ? sql`UPDATE api_keys SET ${join(sets, ', ')} WHERE id = ${id} RETURNING id, NULL::int AS version`
        : sql`SELECT id, NULL::int AS version FROM api_keys WHERE id = ${id}`;
    return new UnitOfWork<T>(anchor, this.database);
  }

  async list(): Promise<ApiKeyRecord[]> {
    return this.database.query<ApiKeyRecord>(sql`SELECT ${COLUMNS} FROM api_keys ORDER BY id`);
  }

  async page(offset: number, limit: number): Promise<{ total: number; keys: ApiKeyRecord[] }> {
    const { total, rows } = await pageOf<ApiKeyRecord>(this.database, sql`api_keys`, COLUMNS, sql`id`, offset, limit);
    return { total, keys: rows };
  }

  async count(): Promise<number> {
    const [row] = await this.database.query<{ count: number }>(sql`SELECT count(*)::int AS count FROM api_keys`);
    return row!.count;
  }
}
