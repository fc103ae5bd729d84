import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import pg from 'pg';
import { DATABASE_CONNECTION, type DatabaseConnection } from './database-connection.js';
import { type Sql, type Statement, sql } from './sql.js';
import { StatementNames } from './statement-names.js';

// The gateway's way to Postgres: one node-postgres pool, statements prepared once per connection
// under a name, and the two shapes a write takes: one statement on its own (a unit of work, its
// own transaction) or, where a write must read under a lock first, a transaction on one
// connection. (Prisma owns the schema and the migrations; nothing at run time goes through its
// client, whose query engine alone would hold some 50 MB of the process.)
//
// Repositories are the only code that holds this; their methods take an `Executor`, which is
// either this (a statement on any pooled connection) or the `Transaction` a caller opened.

const logger = new Logger('Database');

/** Distinct statements a process names (see StatementNames): every hot one, with room to spare. */
const NAMED_STATEMENTS_MAX = 200;

/** A write waits this long for a row lock before it gives up (the request answers 503). */
const LOCK_TIMEOUT_MS = 10_000;
/** No statement of a request runs longer than this. */
const STATEMENT_TIMEOUT_MS = 20_000;
/**
 * A new connection that is not made within this is given up: while Postgres restarts, a connect
 * could otherwise wait forever and hold what waits on it (a forwarder's slot) with it.
 */
const CONNECT_TIMEOUT_MS = 10_000;
/**
 * The client's own limit on a statement's answer, past the server's statement_timeout: a
 * connection that went away without a word (a Postgres restart under load, a dropped network
 * path) must fail its query rather than leave it, and whatever awaits it (a worker loop's look
 * for work), waiting forever. The pool then drops that connection.
 */
const QUERY_TIMEOUT_MS = STATEMENT_TIMEOUT_MS + 5_000;

export interface Executor {
  /** The rows of one statement. Values as node-postgres parses them: numeric and int8 as strings, timestamps as Dates. */
  query<T>(statement: Statement): Promise<T[]>;
  /** Runs `callback` once what this executor wrote has committed (at once outside a transaction). */
  afterCommit(callback: () => void): void;
}

type Prepare = (statement: Statement) => pg.QueryConfig;

/** An open transaction on one connection of the pool (see Database.transaction). */
export class Transaction implements Executor {
  private readonly committedCallbacks: Array<() => void> = [];

  constructor(
    private readonly client: pg.PoolClient,
    private readonly prepare: Prepare,
  ) {}

  async query<T>(statement: Statement): Promise<T[]> {
    return (await this.client.query<T & pg.QueryResultRow>(this.prepare(statement))).rows;
  }

  afterCommit(callback: () => void): void {
    this.committedCallbacks.push(callback);
  }

  /** @internal */
  runCommitted(): void {
    for (const callback of this.committedCallbacks) callback();
  }
}

@Injectable()
export class Database implements Executor, OnApplicationShutdown {
  /** Also the rate limiter's store (see RequestLimiter). */
  readonly pool: pg.Pool;
  private readonly statementNames: StatementNames | undefined;
  private readonly prepare: Prepare;

  constructor(@Inject(DATABASE_CONNECTION) readonly connection: DatabaseConnection) {
    this.pool = new pg.Pool({
      connectionString: connection.url,
      max: connection.poolSize,
      // The embedded store's server keeps no per-connection settings of its own, and its one
      // session may be held by a long transaction while a connection waits for it.
      ...(connection.embedded
        ? {}
        : {
            lock_timeout: LOCK_TIMEOUT_MS,
            statement_timeout: STATEMENT_TIMEOUT_MS,
            connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
            query_timeout: QUERY_TIMEOUT_MS,
          }),
    });
    // Named statements are parsed and planned once per connection, not on every request. The
    // embedded store is one session behind every connection, where the names would collide.
    this.statementNames =
      !connection.embedded && connection.namedStatements !== false
        ? new StatementNames(NAMED_STATEMENTS_MAX)
        : undefined;
    this.prepare = (statement) => ({
      text: statement.text,
      values: statement.values,
      name: this.statementNames?.nameFor(statement.text),
    });
    // An idle connection that dies is dropped by the pool and the next query opens another; an
    // 'error' event nobody listens to would end the process.
    this.pool.on('error', (error) => logger.warn(`An idle database connection failed: ${error.message}`));
  }

  /** One statement on any pooled connection: outside a transaction, it is one of its own. */
  async query<T>(statement: Statement): Promise<T[]> {
    return (await this.pool.query<T & pg.QueryResultRow>(this.prepare(statement))).rows;
  }

  afterCommit(callback: () => void): void {
    callback();
  }

  /**
   * `work` in a transaction on one connection, committed when it returns and rolled back when it
   * throws. Never query the pool from inside `work`: on the embedded store the transaction holds
   * the only session, and such a query would wait for it forever.
   */
  async transaction<T>(work: (tx: Transaction) => Promise<T>): Promise<T> {
    return this.inTransaction(work, 'COMMIT');
  }

  /**
   * `work` in a transaction that is always rolled back (a dry run): what it returns is what it saw
   * of its own writes, and nothing it wrote is kept or acted on (no after-commit callback runs).
   * Sequences it drew from stay drawn, as Postgres has it.
   */
  async rehearse<T>(work: (tx: Transaction) => Promise<T>): Promise<T> {
    return this.inTransaction(work, 'ROLLBACK');
  }

  private async inTransaction<T>(work: (tx: Transaction) => Promise<T>, end: 'COMMIT' | 'ROLLBACK'): Promise<T> {
    const client = await this.pool.connect();
    let broken: Error | undefined;
    // A checked-out connection has no 'error' listener of the pool's: when its server ends it
    // between two statements (a restart, pg_terminate_backend, a failover), node-postgres emits
    // 'error' on it, which unheard would end the process. Heard, it only breaks this transaction:
    // the next statement fails as the database being away, and the pool drops the connection.
    const lost = (error: Error) => (broken = error);
    client.on('error', lost);
    try {
      await client.query('BEGIN');
      const tx = new Transaction(client, this.prepare);
      const result = await work(tx);
      await client.query(end);
      if (end === 'COMMIT') tx.runCommitted();
      return result;
    } catch (error) {
      try {
        await client.query('ROLLBACK');
      } catch (rollbackFailed) {
        // The connection is unusable: the pool must not hand it out again.
        broken = rollbackFailed as Error;
      }
      throw error;
    } finally {
      client.off('error', lost);
      client.release(broken);
    }
  }

  async onApplicationShutdown(): Promise<void> {
    await this.pool.end();
  }
}

/**
 * One page of `source` (a table, or a table with its WHERE) in `order`, and how many rows it has in
 * all, in one statement. Rows come back as `columns` name them.
 */
export async function pageOf<T>(
  db: Executor,
  source: Sql,
  columns: Sql,
  order: Sql,
  offset: number,
  limit: number,
): Promise<{ total: number; rows: T[] }> {
  const rows = await db.query<T & { page_total: number; page_row: boolean | null }>(sql`
    SELECT (SELECT count(*)::int FROM ${source}) AS page_total, page.*
      FROM (SELECT 1) one
      LEFT JOIN LATERAL (SELECT true AS page_row, ${columns} FROM ${source} ORDER BY ${order} LIMIT ${limit} OFFSET ${offset}) page
        ON true`);
  return {
    total: rows[0]?.page_total ?? 0,
    rows: rows
      .filter((row) => row.page_row)
      .map(({ page_total: _total, page_row: _row, ...row }) => row as unknown as T),
  };
}
