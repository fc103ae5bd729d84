import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import pg from 'pg';
import { DATABASE_CONNECTION, type DatabaseConnection } from './prisma.service.js';

// Which gateway processes are alive, as Postgres sees them. Each process holds session advisory
// locks, (PRESENCE_LOCK_CLASS, hashtext(key)), on a connection of its own that dies with the
// process: one for the process itself (`instanceId`) and one for each thing it owns that others
// may have to take over when it is gone (its job-queue worker pool). Another process that can take
// such a lock knows the owner is gone: a killed gateway's idempotency claims and job locks are
// freed within seconds instead of waiting out leases.
//
// The embedded store is one Postgres session behind every connection, where advisory locks
// cannot tell processes apart; but only one gateway may use it, so there anything owned by
// another instance is gone (`shared` is false).

export const PRESENCE_LOCK_CLASS = 0x4f47;
const RECONNECT_MS = 1000;

@Injectable()
export class ProcessPresence implements OnModuleInit, OnApplicationShutdown {
  readonly instanceId = randomUUID();
  /** Whether other gateway processes may share the database. */
  readonly shared: boolean;
  private readonly logger = new Logger('ProcessPresence');
  private readonly keys = new Set<string>();
  private presence: pg.Client | undefined;
  private connecting = false;
  private reconnect: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(@Inject(DATABASE_CONNECTION) private readonly database: DatabaseConnection) {
    this.shared = !database.embedded;
  }

  onModuleInit(): void {
    this.announce(this.instanceId);
  }

  async onApplicationShutdown(): Promise<void> {
    this.closed = true;
    if (this.reconnect) clearTimeout(this.reconnect);
    const presence = this.presence;
    this.presence = undefined;
    await presence?.end().catch(() => undefined);
  }

  /** Something this process owns, alive as long as the process is. */
  announce(key: string): void {
    if (this.keys.has(key)) return;
    this.keys.add(key);
    if (!this.shared) return;
    if (this.presence) void this.hold(this.presence, [key]);
    else this.connect();
  }

  private connect(): void {
    if (this.closed || this.reconnect || this.connecting) return;
    this.connecting = true;
    const client = new pg.Client({
      connectionString: this.database.url,
      application_name: `orders-gateway presence ${this.instanceId}`,
      keepAlive: true,
    });
    const lost = () => {
      if (this.presence !== client) return;
      this.presence = undefined;
      void client.end().catch(() => undefined);
      this.retry();
    };
    client.on('error', lost);
    client.on('end', lost);
    client
      .connect()
      .then(async () => {
        this.connecting = false;
        this.presence = client;
        await this.hold(client, [...this.keys]);
      })
      .catch((error: unknown) => {
        this.connecting = false;
        this.logger.warn(`Cannot announce this process yet: ${(error as Error).message}`);
        void client.end().catch(() => undefined);
        this.retry();
      });
  }

  private retry(): void {
    if (this.closed || this.reconnect) return;
    this.reconnect = setTimeout(() => {
      this.reconnect = undefined;
      this.connect();
    }, RECONNECT_MS);
    this.reconnect.unref();
  }

  private async hold(client: pg.Client, keys: string[]): Promise<void> {
    if (keys.length === 0) return;
    try {
      await client.query('SELECT pg_advisory_lock($1::int, hashtext(key)) FROM unnest($2::text[]) AS key', [
        PRESENCE_LOCK_CLASS,
        keys,
      ]);
    } catch (error) {
      // The connection is going away; `lost` reconnects and takes every lock again.
      this.logger.warn(`Announcing this process failed: ${(error as Error).message}`);
    }
  }
}
