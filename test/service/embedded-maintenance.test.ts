import { jest } from '@jest/globals';
import { PGlite } from '@electric-sql/pglite';
import { Database } from '../../src/database/database.js';
import { EmbeddedMaintenance } from '../../src/database/embedded-maintenance.js';
import { PgliteServer } from '../../src/database/pglite-server.js';
import { sql } from '../../src/database/sql.js';

// The embedded store has no autovacuum: the gateway analyzes it before it is used, and analyzes
// and vacuums it as it goes, through the same connections as everything else.

let db: PGlite;
let server: PgliteServer;
let database: Database;

beforeAll(async () => {
  db = await PGlite.create();
  server = new PgliteServer(db);
  const url = `postgresql://postgres@${await server.start()}/postgres`;
  await db.exec(`CREATE TABLE orders (id int PRIMARY KEY, note text);
                 CREATE TABLE order_sync (order_id int PRIMARY KEY, leased_by text);
                 INSERT INTO orders SELECT n, 'n' || n FROM generate_series(1, 2000) n;
                 INSERT INTO order_sync SELECT n, NULL FROM generate_series(1, 2000) n;`);
  database = new Database({ url, poolSize: 2, embedded: true });
});

afterAll(async () => {
  await database.onApplicationShutdown();
  await server.stop();
  await db.close();
});

const stats = (table: string) =>
  database.query<{ analyzed: boolean; vacuumed: boolean }>(sql`
    SELECT last_analyze IS NOT NULL AS analyzed, last_vacuum IS NOT NULL AS vacuumed
      FROM pg_stat_user_tables WHERE relname = ${table}`);
const estimate = async () =>
  (
    await database.query<{ rows: number }>(sql`SELECT reltuples::int AS rows FROM pg_class WHERE relname = 'orders'`)
  )[0]!.rows;

it('analyzes every table before the gateway uses the store, and vacuums the queue tables later', async () => {
  // Never analyzed, Postgres plans for a table it knows nothing of.
  expect(await estimate()).toBeLessThan(0);
  const maintenance = new EmbeddedMaintenance({ url: '', poolSize: 2, embedded: true }, database);
  await maintenance.onModuleInit();
  maintenance.onApplicationShutdown();
  expect(await estimate()).toBe(2000);
  expect(await stats('orders')).toEqual([{ analyzed: true, vacuumed: false }]);

  await database.query(sql`UPDATE order_sync SET leased_by = 'a worker'`);
  await maintenance.maintain();
  expect(await stats('order_sync')).toEqual([{ analyzed: true, vacuumed: true }]);
  // Not a queue table: analyzed, not vacuumed.
  expect(await stats('orders')).toEqual([{ analyzed: true, vacuumed: false }]);
});

it('leaves a server of its own to its autovacuum', async () => {
  const maintenance = new EmbeddedMaintenance({ url: '', poolSize: 2, embedded: false }, database);
  const analyze = jest.spyOn(maintenance, 'analyze');
  await maintenance.onModuleInit();
  expect(analyze).not.toHaveBeenCalled();
});
