import pg from 'pg';
import { atomSql, toAtom } from '../../src/common/http/dates.js';
import { sql } from '../../src/database/sql.js';
import { SERVER_URL } from '../support/test-database.js';

// A write's answer takes the order's new updated_at from the statement (atomSql), a read from the
// row (toAtom): the two must write every time alike.

it('writes a timestamp in SQL as toAtom writes it in TypeScript', async () => {
  const client = new pg.Client({ connectionString: SERVER_URL });
  await client.connect();
  try {
    const times = [
      '2024-05-02T08:15:00.000Z',
      '2024-05-02T08:15:00.999Z',
      '2024-12-31T23:59:59.500Z',
      '2000-02-29T00:00:00.001Z',
      new Date().toISOString(),
    ];
    for (const time of times) {
      const statement = sql`SELECT ${atomSql(sql`${time}::timestamptz(3)`)} AS atom`;
      const { rows } = await client.query<{ atom: string }>(statement.text, statement.values);
      expect(rows[0]!.atom).toBe(toAtom(new Date(time)));
    }
    // Whatever the session's time zone.
    await client.query("SET TIME ZONE 'Europe/Amsterdam'");
    const statement = sql`SELECT ${atomSql(sql`${times[1]}::timestamptz(3)`)} AS atom`;
    expect((await client.query<{ atom: string }>(statement.text, statement.values)).rows[0]!.atom).toBe(
      '2024-05-02T08:15:00+00:00',
    );
  } finally {
    await client.end();
  }
});
