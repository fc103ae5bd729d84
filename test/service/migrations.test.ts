import { readdirSync } from 'node:fs';
import pg from 'pg';
import { applyMigrations, diffMigrationsToSchema } from '../../src/database/migrator.js';
import { SERVER_URL, createEmptyDatabase } from '../support/test-database.js';

async function query<T extends pg.QueryResultRow>(url: string, sql: string): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(sql)).rows;
  } finally {
    await client.end();
  }
}

function migrationFolders(): string[] {
  const root = new URL('../../prisma/migrations/', import.meta.url);
  return readdirSync(root, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort();
}

describe('migrations', () => {
  it('build an empty database once, even when two processes apply them at the same time', async () => {
    const database = await createEmptyDatabase();
    try {
      const [first, second] = await Promise.all([applyMigrations(database.url), applyMigrations(database.url)]);
      // Each migration folder applied exactly once between the two.
      expect([...first, ...second].sort()).toEqual(migrationFolders());
      expect(await applyMigrations(database.url)).toEqual([]);
      const statuses = await query<{ n: number }>(database.url, 'SELECT count(*)::int AS n FROM order_statuses');
      expect(statuses[0]?.n).toBe(6);
      const shippers = await query<{ id: number }>(database.url, 'SELECT id FROM shippers ORDER BY id');
      expect(shippers[0]?.id).toBe(1);
    } finally {
      await database.drop();
    }
  });

  it('stamp every insert and update of an order with its transaction', async () => {
    const database = await createEmptyDatabase();
    try {
      await applyMigrations(database.url);
      const insert = `INSERT INTO orders (hash, date_order, email, email_normalized, main_currency_code, order_currency_code)
        VALUES ('h', now(), 'a@b.cz', 'a@b.cz', 'EUR', 'EUR') RETURNING change_seq, pg_current_xact_id()::text AS xid`;
      const [row] = await query<{ change_seq: string; xid: string }>(database.url, insert);
      expect(row?.change_seq).toBe(row?.xid);
      const [updated] = await query<{ change_seq: string }>(
        database.url,
        "UPDATE orders SET note = 'x' RETURNING change_seq",
      );
      expect(BigInt(updated!.change_seq)).toBeGreaterThan(BigInt(row!.change_seq));
    } finally {
      await database.drop();
    }
  });

  it('agree with prisma/schema.prisma (what npm run db:check verifies)', async () => {
    expect(await diffMigrationsToSchema(SERVER_URL)).toBeNull();
  });
});
