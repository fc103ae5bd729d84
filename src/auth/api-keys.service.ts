import { createHash, randomBytes } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { DomainError } from '../common/errors/domain-error.js';
import { ErrorCode } from '../common/errors/error-codes.js';
import { Answer } from '../common/http/answer.js';
import { paginator } from '../common/http/pagination.dto.js';
import type { WriteRequest } from '../common/http/write-request.js';
import { IdempotencyRepository } from '../idempotency/idempotency.repository.js';
import { ApiKeyCache } from './api-key-cache.js';
import {
  type ApiKeyPatch,
  type ApiKeyRecord,
  ApiKeyRepository,
  type NewApiKey,
  apiKeyState,
} from './api-key.repository.js';
import type { ApiKeyModel, ApiKeysModel, CreatedApiKeyModel } from './dto/api-key.model.js';
import type { Right } from './rights.js';

// Keys are 32 random bytes, shown once and stored only as a SHA-256 hash. A fast hash is right
// here (unlike for passwords): the key has 256 bits of entropy, so there is nothing to guess.

const KEY_PREFIX = 'og_';

export interface CreatedApiKey {
  record: ApiKeyRecord;
  /** The key itself; it cannot be read back later. */
  key: string;
}

export function hashApiKey(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

@Injectable()
export class ApiKeysService {
  constructor(
    private readonly keys: ApiKeyRepository,
    private readonly idempotency: IdempotencyRepository,
    private readonly cache: ApiKeyCache,
  ) {}

  async create(name: string, rights: Right[], expiresAt: Date | null = null): Promise<CreatedApiKey> {
    const key = newKey();
    return { record: await this.keys.insert(newApiKey(key, name, rights, expiresAt)), key };
  }

  /** The key's record if the key exists, is not revoked and has not expired. */
  async authenticate(key: string): Promise<ApiKeyRecord | null> {
    if (!key.startsWith(KEY_PREFIX) || key.length > 100) return null;
    const keyHash = hashApiKey(key);
    const now = new Date();
    return this.cache.get(keyHash, now, () => this.keys.findUsableByHash(keyHash, now));
  }

  /** The usable key this process already knows, without asking the database; null otherwise. */
  knownUsable(key: string): ApiKeyRecord | null {
    if (!key.startsWith(KEY_PREFIX) || key.length > 100) return null;
    return this.cache.peek(hashApiKey(key), new Date());
  }

  list(): Promise<ApiKeyRecord[]> {
    return this.keys.list();
  }

  /** Revokes the key; false when there is no such key or it was revoked already. */
  async revoke(id: number): Promise<boolean> {
    const key = await this.keys.findById(id);
    if (!key || key.revokedAt) return false;
    await this.change(null, key, { revokedAt: new Date() });
    return true;
  }

  /** Sets or clears the expiry: a time in the past stops the key at once. */
  async setExpiry(id: number, expiresAt: Date | null): Promise<ApiKeyRecord | null> {
    const key = await this.keys.findById(id);
    if (!key) return null;
    await this.change(null, key, { expiresAt });
    return { ...key, expiresAt };
  }

  // What the admin routes answer: wire models (plain JSON, as write results must be).

  /**
   * 201 with the key, shown this once; a dry run (see WriteRequest) answers 200 with the key's
   * record as it would be made, in a transaction rolled back, and no key.
   */
  async createForAdmin(
    request: WriteRequest,
    name: string,
    rights: Right[],
    expiresAt: Date | null,
  ): Promise<Answer<CreatedApiKeyModel | ApiKeyModel>> {
    if (request.dryRun) {
      const rehearsed = await this.keys.rehearse((tx) =>
        this.keys.insert(newApiKey(newKey(), name, rights, expiresAt), tx),
      );
      return new Answer(toApiKeyModel(rehearsed));
    }
    const { record, key } = await this.create(name, rights, expiresAt);
    return new Answer({ ...toApiKeyModel(record), key }, 201);
  }

  async page(page: number, perPage: number): Promise<ApiKeysModel> {
    const { total, keys } = await this.keys.page((page - 1) * perPage, perPage);
    return { paginator: paginator(page, perPage, total), api_keys: keys.map(toApiKeyModel) };
  }

  async get(id: number): Promise<ApiKeyModel> {
    const key = await this.keys.findById(id);
    if (!key) throw apiKeyNotFound(id);
    return toApiKeyModel(key);
  }

  /** Revoking is idempotent: a revoked key answers as it is. */
  async revokeForAdmin(request: WriteRequest, id: number): Promise<Answer<ApiKeyModel>> {
    const key = await this.keys.findById(id);
    if (!key) throw apiKeyNotFound(id);
    return this.change(request, key, key.revokedAt ? {} : { revokedAt: new Date() });
  }

  async updateForAdmin(
    request: WriteRequest,
    id: number,
    patch: { name?: string; expiresAt?: Date | null },
  ): Promise<Answer<ApiKeyModel>> {
    const key = await this.keys.findById(id);
    if (!key) throw apiKeyNotFound(id);
    return this.change(request, key, patch);
  }

  /**
   * The change, its answer recorded with the request's Idempotency-Key, in one statement. This
   * process's cache forgets its keys as soon as it commits; the database's notice (see
   * ApiKeyCache) comes a moment later and tells the other processes.
   */
  private async change(
    request: WriteRequest | null,
    key: ApiKeyRecord,
    patch: ApiKeyPatch,
  ): Promise<Answer<ApiKeyModel>> {
    const work = this.keys
      .change<ApiKeyModel>(key.id, patch)
      .answers(toApiKeyModel({ ...key, ...definedFields(patch) }));
    if (request?.dryRun) {
      // Rolled back: nothing for the cache to forget.
      const rehearsed = await this.keys.rehearse((tx) => work.commit(tx));
      if (!rehearsed) throw apiKeyNotFound(key.id);
      return new Answer(rehearsed.answer);
    }
    try {
      const committed = await work
        .recordedBy(request?.idempotency ? this.idempotency.recordFor(request.idempotency) : null)
        .commit();
      if (!committed) throw apiKeyNotFound(key.id);
      return new Answer(committed.answer);
    } finally {
      this.cache.forget();
    }
  }

  async isEmpty(): Promise<boolean> {
    return (await this.keys.count()) === 0;
  }
}

function newKey(): string {
  return KEY_PREFIX + randomBytes(32).toString('base64url');
}

/** The row of a new key: its prefix and hash, never the key itself. */
function newApiKey(key: string, name: string, rights: Right[], expiresAt: Date | null): NewApiKey {
  return { name, prefix: keyPrefixOf(key), keyHash: hashApiKey(key), rights: [...new Set(rights)], expiresAt };
}

/** A patch without the fields it leaves as they are (a name not given is not a name removed). */
function definedFields(patch: ApiKeyPatch): ApiKeyPatch {
  return Object.fromEntries(Object.entries(patch).filter(([, value]) => value !== undefined));
}

/** The part of a key the admin routes show (`og_` and six characters), which failures are counted by. */
export function keyPrefixOf(key: string): string {
  return key.slice(0, KEY_PREFIX.length + 6);
}

function apiKeyNotFound(id: number): DomainError {
  return new DomainError(ErrorCode.API_KEY_NOT_FOUND, `There is no API key ${id}.`);
}

function toApiKeyModel(key: ApiKeyRecord): ApiKeyModel {
  return {
    id: key.id,
    name: key.name,
    prefix: key.prefix,
    rights: key.rights,
    state: apiKeyState(key),
    created_at: key.createdAt.toISOString(),
    expires_at: key.expiresAt?.toISOString() ?? null,
    revoked_at: key.revokedAt?.toISOString() ?? null,
  };
}
