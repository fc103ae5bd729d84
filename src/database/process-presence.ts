import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import type pg from 'pg';
import { DedicatedConnection } from './dedicated-connection.js';
import { DATABASE_CONNECTION, type DatabaseConnection } from './database-connection.js';

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

@Injectable()
export class ProcessPresence implements OnModuleInit, OnApplicationShutdown {
  readonly instanceId = randomUUID();
  /** Whether other gateway processes may share the database. */
  readonly shared: boolean;
  private readonly logger = new Logger('ProcessPresence');
  private readonly keys = new Set<string>();
  private readonly presence: DedicatedConnection;

  constructor(@Inject(DATABASE_CONNECTION) database: DatabaseConnection) {
    this.shared = !database.embedded;
    this.presence = new DedicatedConnection(database.url, `orders-gateway presence ${this.instanceId}`, {
      // A new connection takes every lock again.
      opened: (client) => this.hold(client, [...this.keys]),
      lost: () => undefined,
    });
  }

  onModuleInit(): void {
    this.announce(this.instanceId);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.presence.close();
  }

  /** Something this process owns, alive as long as the process is. */
  announce(key: string): void {
    if (this.keys.has(key)) return;
    this.keys.add(key);
    if (!this.shared) return;
    const client = this.presence.current;
    if (client) void this.hold(client, [key]);
    else this.presence.open();
  }

  private async hold(client: pg.Client, keys: string[]): Promise<void> {
    if (keys.length === 0) return;
    try {
      await client.query('SELECT pg_advisory_lock($1::int, hashtext(key)) FROM unnest($2::text[]) AS key', [
        PRESENCE_LOCK_CLASS,
        keys,
      ]);
    } catch (error) {
      // The connection is going away; a new one takes every lock again.
      this.logger.warn(`Announcing this process failed: ${(error as Error).message}`);
    }
  }
}
