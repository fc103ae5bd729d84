import { Inject, Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { DATABASE_CONNECTION, type DatabaseConnection } from './database-connection.js';
import { Database } from './database.js';
import { raw, sql } from './sql.js';

// What autovacuum does for a Postgres server, done for the embedded one. PGlite is a single
// Postgres session with no background processes, so nothing ever analyzes or vacuums its tables:
// the planner never has statistics and plans every statement as for empty tables. At a backlog of
// 3 000 orders waiting to be forwarded, the forwarding's lease, planned so, ran for seconds on the
// one session (and so on the gateway's only thread), and the gateway took 45 s to start, its
// calls to the simulated MplusKASSA timing out meanwhile; analyzed, it starts in 3 s. So the
// tables are analyzed before anything else uses them, and again every few minutes as they grow,
// and the queue tables, whose rows change on every order forwarded or webhook sent, are vacuumed
// then too. The session is the gateway's, so each of these holds up the API while it runs: ANALYZE
// reads a sample of each table, and the queue tables stay small once vacuumed regularly.

/** How often the embedded store is analyzed and its queue tables vacuumed. */
const MAINTENANCE_INTERVAL_MS = 5 * 60_000;

/** The tables whose rows are updated or deleted as the queues move. */
const QUEUE_TABLES = ['order_sync', 'sync_events', 'sync_cursors', 'event_deliveries', 'graphile_worker._private_jobs'];

@Injectable()
export class EmbeddedMaintenance implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('EmbeddedMaintenance');
  private timer: NodeJS.Timeout | undefined;

  constructor(
    @Inject(DATABASE_CONNECTION) private readonly connection: DatabaseConnection,
    private readonly database: Database,
  ) {}

  /** Before the other modules start (their workers, the catalogue mirror): the first ANALYZE. */
  async onModuleInit(): Promise<void> {
    if (!this.connection.embedded) return;
    await this.run(() => this.analyze());
    this.timer = setInterval(() => void this.run(() => this.maintain()), MAINTENANCE_INTERVAL_MS);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    if (this.timer) clearInterval(this.timer);
  }

  /** Statistics for every table. */
  async analyze(): Promise<void> {
    await this.database.query(raw('ANALYZE'));
  }

  /** The queue tables vacuumed, then every table analyzed. */
  async maintain(): Promise<void> {
    const existing = await this.database.query<{ name: string }>(
      sql`SELECT t AS name FROM unnest(${QUEUE_TABLES}::text[]) t WHERE to_regclass(t) IS NOT NULL`,
    );
    // Names from the list above, never from input: VACUUM takes no parameters.
    if (existing.length > 0) await this.database.query(raw(`VACUUM ${existing.map((one) => one.name).join(', ')}`));
    await this.analyze();
  }

  private async run(work: () => Promise<void>): Promise<void> {
    const started = Date.now();
    try {
      await work();
      this.logger.debug(`Maintained the embedded store in ${Date.now() - started} ms`);
    } catch (error) {
      this.logger.warn(`Maintaining the embedded store failed: ${(error as Error).message}`);
    }
  }
}
