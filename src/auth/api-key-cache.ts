import { Inject, Injectable, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { DedicatedConnection } from '../database/dedicated-connection.js';
import { DATABASE_CONNECTION, type DatabaseConnection } from '../database/database-connection.js';
import { type ApiKeyRecord, apiKeyState } from './api-key.repository.js';

// Usable API keys this process has checked, so that a request does not read its key from the
// database every time (a round trip per request, as costly as the read it guards).
//
// A revoked key must stop within moments, in every gateway process. The database announces every
// change to api_keys on the channel `api_keys_changed` (a trigger, see its migration); this
// cache listens on a connection of its own and forgets everything on each notice. While that
// connection is down nothing is cached, since a notice could be missed. Entries also age out
// after a minute, in case a connection dies without saying so.
//
// Only usable keys are cached: an unknown key is read from the database each time, so a flood
// of made-up keys cannot fill the memory, and a key created a moment ago is found at once.
// Expiry is checked on every use. On the embedded store (one session behind every connection,
// where notices are not worth relying on) nothing is cached.

const CHANNEL = 'api_keys_changed';
const MAX_AGE_MS = 60_000;
/** Enough for every key a deployment has; past it, the oldest entries make room. */
const MAX_ENTRIES = 10_000;

@Injectable()
export class ApiKeyCache implements OnModuleInit, OnApplicationShutdown {
  private readonly entries = new Map<string, { record: ApiKeyRecord; cachedAt: number }>();
  private readonly listener: DedicatedConnection | undefined;
  private listening = false;
  /** Counts forgettings, so that a read that began before one is not cached after it. */
  private generation = 0;

  constructor(@Inject(DATABASE_CONNECTION) database: DatabaseConnection) {
    if (database.embedded) return;
    this.listener = new DedicatedConnection(database.url, 'orders-gateway api-key cache', {
      opened: async (client) => {
        client.on('notification', () => this.forget());
        await client.query(`LISTEN ${CHANNEL}`);
        this.forget();
        this.listening = true;
      },
      lost: () => {
        this.listening = false;
        this.forget();
      },
    });
  }

  onModuleInit(): void {
    this.listener?.open();
  }

  async onApplicationShutdown(): Promise<void> {
    this.listening = false;
    await this.listener?.close();
  }

  /**
   * The usable key with this hash: from the cache when it is there and still usable, else from
   * `load`, whose answer is kept if no change to api_keys was announced meanwhile.
   */
  async get(keyHash: string, now: Date, load: () => Promise<ApiKeyRecord | null>): Promise<ApiKeyRecord | null> {
    const cached = this.peek(keyHash, now);
    if (cached) return cached;
    this.entries.delete(keyHash);
    const generation = this.generation;
    const record = await load();
    if (record && this.listening && generation === this.generation) {
      if (this.entries.size >= MAX_ENTRIES) this.entries.delete(this.entries.keys().next().value!);
      this.entries.set(keyHash, { record, cachedAt: Date.now() });
    }
    return record;
  }

  /** The usable key with this hash if the cache holds it, without asking the database. */
  peek(keyHash: string, now: Date): ApiKeyRecord | null {
    const cached = this.entries.get(keyHash);
    const fresh =
      cached && now.getTime() - cached.cachedAt < MAX_AGE_MS && apiKeyState(cached.record, now) === 'active';
    return fresh ? cached.record : null;
  }

  /** Drops every cached key: an API key changed somewhere. */
  forget(): void {
    this.generation += 1;
    this.entries.clear();
  }
}
