import pg from 'pg';
import { Database } from '../../src/database/database.js';
import { isDatabaseUnavailable } from '../../src/database/database-errors.js';
import { sql } from '../../src/database/sql.js';
import { createEmptyDatabase, type TestDatabase } from '../support/test-database.js';

// The pool's connections when their server ends them: a Postgres restart, a failover or a DBA's
// pg_terminate_backend must cost the requests on them a 503, never the process.

let database: TestDatabase;
let db: Database;
let admin: pg.Client;

beforeAll(async () => {
  database = await createEmptyDatabase();
  db = new Database({ url: database.url, poolSize: 4, embedded: false });
  admin = new pg.Client({ connectionString: database.url });
  await admin.connect();
});

afterAll(async () => {
  await db.onApplicationShutdown();
  await admin.end();
  await database.drop();
});

async function terminate(pid: number): Promise<void> {
  await admin.query('SELECT pg_terminate_backend($1)', [pid]);
}

it('fails a transaction whose connection the server ends between two statements as the database being away, and goes on', async () => {
  const failure = await db
    .transaction(async (tx) => {
      const [row] = await tx.query<{ pid: number }>(sql`SELECT pg_backend_pid() AS pid`);
      await terminate(row!.pid);
      // The server's goodbye arrives while the transaction holds the connection and sends nothing.
      await new Promise((resolve) => setTimeout(resolve, 300));
      return tx.query(sql`SELECT 1`);
    })
    .then(
      () => undefined,
      (error: unknown) => error,
    );
  expect(failure).toBeInstanceOf(Error);
  expect(isDatabaseUnavailable(failure)).toBe(true);
  // The broken connection was dropped, not handed out again.
  const pids = await Promise.all(
    [1, 2, 3, 4].map(() => db.transaction((tx) => tx.query<{ pid: number }>(sql`SELECT pg_backend_pid() AS pid`))),
  );
  expect(pids).toHaveLength(4);
  expect((await db.query<{ one: number }>(sql`SELECT 1 AS one`))[0]!.one).toBe(1);
});

it('drops an idle pooled connection that the server ended and answers the next statement on another', async () => {
  const [row] = await db.query<{ pid: number }>(sql`SELECT pg_backend_pid() AS pid`);
  await terminate(row!.pid);
  await new Promise((resolve) => setTimeout(resolve, 300));
  const answers = await Promise.all([1, 2, 3, 4].map(() => db.query<{ one: number }>(sql`SELECT 1 AS one`)));
  expect(answers.map((rows) => rows[0]!.one)).toEqual([1, 1, 1, 1]);
});
