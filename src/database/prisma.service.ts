import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { PrismaPg } from '@prisma/adapter-pg';
import pg from 'pg';
import { StatementNames } from './statement-names.js';
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

/** Distinct statements a process names (see StatementNames): every hot one, with room to spare. */
const NAMED_STATEMENTS_MAX = 200;

/** A client or the client of an open transaction: what repository methods take. */
export type Db = Prisma.TransactionClient;

@Injectable()
export class PrismaService extends PrismaClient implements OnApplicationShutdown {
  private readonly pool: pg.Pool;
  private readonly statementNames: StatementNames | undefined;

  constructor(@Inject(DATABASE_CONNECTION) connection: DatabaseConnection) {
    const pool = new pg.Pool({ connectionString: connection.url, max: connection.poolSize });
    // Named statements are parsed and planned once per connection, not on every request. The
    // embedded store is one session behind every connection, where the names would collide.
    const statementNames =
      !connection.embedded && connection.namedStatements !== false
        ? new StatementNames(NAMED_STATEMENTS_MAX)
        : undefined;
    super({
      adapter: new PrismaPg(pool, {
        // $disconnect ends the pool, whoever calls it (the app at shutdown, the tools).
        disposeExternalPool: true,
        // Undefined leaves a statement unnamed (node-postgres takes `name: undefined` so).
        ...(statementNames ? { statementNameGenerator: (query) => statementNames.nameFor(query.sql) as string } : {}),
      }),
      // Writes wait for a row lock when many requests change one order; give them time.
      transactionOptions: { maxWait: 10_000, timeout: 20_000 },
      // The other formats capture a stack trace on every query, to quote the calling line in
      // error messages: about a fifth of the CPU a query costs Prisma. Stack traces stay on errors.
      errorFormat: 'minimal',
    });
    this.pool = pool;
    this.statementNames = statementNames;
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
      name: this.statementNames?.nameFor(sql.text),
    });
    return result.rows;
  }

  /** Last of all, after the workers have finished their jobs (beforeApplicationShutdown). */
  async onApplicationShutdown(): Promise<void> {
    await this.$disconnect();
  }
}
