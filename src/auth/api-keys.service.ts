import { createHash, randomBytes } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { type ApiKeyRecord, ApiKeyRepository } from './api-key.repository.js';
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
  constructor(private readonly keys: ApiKeyRepository) {}

  async create(name: string, rights: Right[], expiresAt: Date | null = null): Promise<CreatedApiKey> {
    const key = KEY_PREFIX + randomBytes(32).toString('base64url');
    const record = await this.keys.insert({
      name,
      prefix: key.slice(0, KEY_PREFIX.length + 6),
      keyHash: hashApiKey(key),
      rights: [...new Set(rights)],
      expiresAt,
    });
    return { record, key };
  }

  /** The key's record if the key exists, is not revoked and has not expired. */
  async authenticate(key: string): Promise<ApiKeyRecord | null> {
    if (!key.startsWith(KEY_PREFIX) || key.length > 100) return null;
    return this.keys.findUsableByHash(hashApiKey(key), new Date());
  }

  list(): Promise<ApiKeyRecord[]> {
    return this.keys.list();
  }

  revoke(id: number): Promise<boolean> {
    return this.keys.revoke(id, new Date());
  }

  async isEmpty(): Promise<boolean> {
    return (await this.keys.count()) === 0;
  }
}
