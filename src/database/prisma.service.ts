import { createHash } from 'node:crypto';
import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { PrismaPg } from '@prisma/adapter-pg';
import pg from 'pg';
import { PrismaClient, type Prisma } from '../generated/prisma/client.js';

export const DATABASE_CONNECTION = Symbol('DATABASE_CONNECTION');

export interface DatabaseConnection {
  url: string;
  poolSize: number;
  /** The embedded store: one Postgres session behind every connection, one gateway at a time. */
  embedded: boolean;
  /**
   * Whether statements are prepared once per connection under a name (DATABASE_NAMED_STATEMENTS);
   * never on the embedded store. Unset: yes.
   */
  namedStatements?: boolean;
}

/** What the application is started with; the pool settings come from the configuration. */
export type DatabaseConnectionInput = Omit<DatabaseConnection, 'poolSize' | 'namedStatements'>;

const logger = new Logger('Database');

/** The same name for the same SQL text, short enough for Postgres (63 bytes). */
function statementName(sql: string): string {
  return `og_${createHash('sha1').update(sql).digest('base64url')}`;
}

/** A client or the client of an open transaction: what repository methods take. */
export type Db = Prisma.TransactionClient;

@Injectable()
export class PrismaService extends PrismaClient implements OnApplicationShutdown {
  private readonly pool: pg.Pool;
  private readonly namesStatements: boolean;

  constructor(@Inject(DATABASE_CONNECTION) connection: DatabaseConnection) {
    const pool = new pg.Pool({ connectionString: connection.url, max: connection.poolSize });
    // Named statements are parsed and planned once per connection, not on every request. The
    // embedded store is one session behind every connection, where the names would collide.
    const namesStatements = !connection.embedded && connection.namedStatements !== false;
    super({
      adapter: new PrismaPg(pool, {
        // $disconnect ends the pool, whoever calls it (the app at shutdown, the tools).
        disposeExternalPool: true,
        ...(namesStatements ? { statementNameGenerator: (query) => statementName(query.sql) } : {}),
      }),
      // Writes wait for a row lock when many requests change one order; give them time.
      transactionOptions: { maxWait: 10_000, timeout: 20_000 },
      // The other formats capture a stack trace on every query, to quote the calling line in
      // error messages: a sixth of the CPU a query costs Prisma. Stack traces stay on errors.
      errorFormat: 'minimal',
    });
    this.pool = pool;
    this.namesStatements = namesStatements;
    // An idle connection that dies is dropped by the pool and the next query opens another; an
    // 'error' event nobody listens to would end the process.
    pool.on('error', (error) => logger.warn(`An idle database connection failed: ${error.message}`));
  }

  /**
   * The rows of one read statement, outside any transaction, straight through the pool that Prisma
   * uses too. The hot reads go this way: Prisma's raw-query path costs about as much CPU as the
   * mapping of the rows it returns. Values come back as node-postgres parses them (numeric and
   * int8 as strings, timestamps as Dates, JSON parsed).
   */
  async read<T>(sql: Prisma.Sql): Promise<T[]> {
    const result = await this.pool.query<T & pg.QueryResultRow>({
      text: sql.text,
      values: sql.values,
      name: this.namesStatements ? statementName(sql.text) : undefined,
    });
    return result.rows;
  }

  /** Last of all, after the workers have finished their jobs (beforeApplicationShutdown). */
  async onApplicationShutdown(): Promise<void> {
    await this.$disconnect();
  }
}
