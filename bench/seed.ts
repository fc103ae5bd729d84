import { parseArgs } from 'node:util';
import pg from 'pg';
import { applyMigrations } from '../src/database/migrator.js';
import { SERVER_URL, databaseUrl } from '../test/support/test-database.js';

// npm run bench:seed -- 1000000 [--database og_bench]
//
// Fills the benchmark database (created and migrated if missing) with that many more orders,
// as the API would have stored them: 1 to 5 lines each, a status, a spread of dates over three
// years, 200 000 customers' e-mails, some sent, done or canceled, every tenth with a note and every
// fifth with a partner's metadata, each synced to MplusKASSA. The
// rows are made by Postgres itself (INSERT ... SELECT over generate_series), in batches of
// 50 000 orders per transaction, so a million takes minutes.

const BATCH = 50_000;

async function main(): Promise<void> {
  const { positionals, values } = parseArgs({
    allowPositionals: true,
    options: { database: { type: 'string', default: 'og_bench' } },
  });
  const wanted = Number(positionals[0] ?? 10_000);
  if (!Number.isInteger(wanted) || wanted < 1) throw new Error('Say how many orders: npm run bench:seed -- 1000000');
  const server = new pg.Client({ connectionString: SERVER_URL });
  await server.connect();
  const exists = await server.query('SELECT 1 FROM pg_database WHERE datname = $1', [values.database]);
  if (exists.rowCount === 0) await server.query(`CREATE DATABASE "${values.database}"`);
  await server.end();
  const url = databaseUrl(values.database);
  await applyMigrations(url);

  const db = new pg.Client({ connectionString: url });
  await db.connect();
  const started = Date.now();
  try {
    for (let done = 0; done < wanted; done += BATCH) {
      const count = Math.min(BATCH, wanted - done);
      await db.query('BEGIN');
      await db.query('CREATE TEMP TABLE new_orders (id int PRIMARY KEY) ON COMMIT DROP');
      await db.query(
        `WITH made AS (
           INSERT INTO orders (hash, date_order, email, email_normalized, name, street, city, zip, state_code,
                               main_currency_code, order_currency_code, money, paid, status_id, sent, delivered, done,
                               canceled, external_order_prefix, external_order_id, source, created_at, updated_at,
                               note, metadata)
           SELECT md5(random()::text || n), d, e, e, 'Customer ' || c, 'Street ' || c, 'Praha', '11000', 'CZ',
                  'EUR', 'EUR', 0, 0, 1 + (n % 6), n % 3 = 0, n % 6 = 0, n % 9 = 0, n % 17 = 0 AND n % 3 <> 0,
                  'SEED', 'S' || n || '-' || md5(random()::text), 'api', d, d,
                  -- Every tenth order a customer's note, every fifth one a partner's tag (the Kwik filters).
                  CASE WHEN n % 10 = 0 THEN 'Please ring ' || c || ' times at the back door' END,
                  CASE WHEN n % 5 = 0 THEN jsonb_build_object('partner', 'p-' || (n % 1000)) ELSE '{}' END
             FROM (SELECT n, c, 'customer' || c || '@example.cz' AS e,
                          now() - (random() * interval '1095 days') AS d
                     FROM (SELECT n, (random() * 200000)::int AS c FROM generate_series(1, $1::int) AS n) AS g) AS s
           RETURNING id)
         INSERT INTO new_orders SELECT id FROM made`,
        [count],
      );
      await db.query(
        `INSERT INTO order_items (order_id, article_number, name, count, price_given_as, base_price, final_price,
                                  vat_rate, vat_value, original_base_price, original_final_price, original_vat_rate,
                                  original_vat_value)
         SELECT o.id, (1001 + l % 5)::text, 'Article ' || l, 1 + l % 3, 'base', p, round(p * 1.21, 2), 21,
                round(p * 0.21, 2), p, round(p * 1.21, 2), 21, round(p * 0.21, 2)
           FROM new_orders o, LATERAL generate_series(1, 1 + o.id % 5) AS l,
                LATERAL (SELECT (5 + (o.id * 7 + l) % 90)::numeric AS p) AS price`,
      );
      await db.query(
        `UPDATE orders o SET money = t.total, paid = CASE WHEN o.sent THEN t.total ELSE 0 END
           FROM (SELECT order_id, sum(final_price * count) AS total FROM order_items
                  WHERE order_id IN (SELECT id FROM new_orders) GROUP BY order_id) AS t
          WHERE o.id = t.order_id`,
      );
      await db.query(
        `INSERT INTO order_sync (order_id, status, back_office_order_id, external_id, synced_at)
         SELECT id, 'ok', md5(id::text), 'og-' || id, now() FROM new_orders`,
      );
      await db.query(
        `INSERT INTO order_history (order_id, type, action, record_name) SELECT id, 'order', 'created', 'Order' FROM new_orders`,
      );
      await db.query('COMMIT');
      const made = done + count;
      console.log(`${made} orders (${Math.round(made / ((Date.now() - started) / 1000))}/s)`);
    }
    await db.query('ANALYZE');
    const { rows } = await db.query<{ orders: string; items: string }>(
      'SELECT (SELECT count(*) FROM orders) AS orders, (SELECT count(*) FROM order_items) AS items',
    );
    console.log(
      `${url.replace(/\/\/[^@]*@/, '//')}: ${rows[0]!.orders} orders, ${rows[0]!.items} lines; ` +
        `${wanted} added in ${((Date.now() - started) / 1000).toFixed(0)} s`,
    );
  } finally {
    await db.end();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
