import { parseArgs } from 'node:util';
import pg from 'pg';
import { createAdminKey } from '../faults/harness.js';
import { databaseUrl } from '../test/support/test-database.js';
import { decimalFromText } from '../src/common/money/money.js';
import type { Sql } from '../src/database/sql.js';
import { listedOrders, orderChanges, orderPage, orderWhere } from '../src/orders/order-queries.js';
import type { OrderListFilter } from '../src/orders/order.types.js';
import { load, startServer } from './servers.js';

// npm run bench:scale -- --database og_bench_1m
//
// The list and changes endpoints on a big database (seed it with npm run bench:seed): page 1
// with each filter, deep pages, the changes feed read from start, and get-one-order, each loaded
// for a few seconds; and the plan Postgres picks for each list query (EXPLAIN of the same
// WHERE/ORDER BY/LIMIT the gateway sends). Run it on databases of two sizes and compare.

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      database: { type: 'string', default: 'og_bench' },
      seconds: { type: 'string', default: '5' },
      connections: { type: 'string', default: '4' },
    },
  });
  const url = databaseUrl(values.database);
  const db = new pg.Client({ connectionString: url });
  await db.connect();
  const gateway = await startServer(
    'src/main.ts',
    { DATABASE_URL: url, PORT: '0', SYNC_WORKER: 'false', RATE_LIMIT_REQUESTS: '0', LOG_REQUESTS: 'false' },
    /Listening on (http:\/\/[^;\s]+)/,
  );
  try {
    const token = await createAdminKey(url);
    const { rows } = await db.query<{
      orders: number;
      some_id: number;
      email: string;
      reference: string;
      total: string;
    }>(
      `SELECT (SELECT count(*)::int FROM orders) AS orders, max(id) - 7 AS some_id,
              (SELECT email FROM orders ORDER BY id LIMIT 1) AS email,
              (SELECT external_order_id FROM orders ORDER BY id LIMIT 1) AS reference,
              (SELECT money::text FROM orders ORDER BY id LIMIT 1) AS total FROM orders`,
    );
    const { orders, some_id: someId, email, reference, total } = rows[0]!;
    const lastPage = Math.max(1, Math.floor(orders / 50));
    const middle = await fetch(`${gateway.url}/System/Orders?updated_since=2000-01-01T00:00:00Z&per_page=250`, {
      headers: { token },
    });
    const firstCursor = ((await middle.json()) as { next_cursor: string }).next_cursor;

    const cases: Array<[string, string]> = [
      ['page 1', '/System/Orders?per_page=50'],
      ['page 1, status_id', '/System/Orders?per_page=50&status_id=3'],
      ['page 1, done', '/System/Orders?per_page=50&done=true'],
      ['page 1, canceled=false', '/System/Orders?per_page=50&canceled=false'],
      ['page 1, email', `/System/Orders?per_page=50&email=${encodeURIComponent(email)}`],
      ['page 1, from/to (a month)', '/System/Orders?per_page=50&from=2025-03-01T00:00:00Z&to=2025-03-31T23:59:59Z'],
      ['page 1, sync_status=failed', '/System/Orders?per_page=50&sync_status=failed'],
      // The Kwik filters (issue 12).
      ['page 1, metadata[partner]', '/System/Orders?per_page=50&metadata[partner]=p-5'],
      ['page 1, description (a note contains)', '/System/Orders?per_page=50&description=ring%2077'],
      // The two above match 10 and 7 orders of 10 000 (a hundred times as many of a million), so
      // the smaller database answers a page of a few orders and the bigger one a full page. With
      // pages of 10 (the least per_page) full at both sizes, what differs is the filter's cost.
      ['page 1 of 10, metadata[partner]', '/System/Orders?per_page=10&metadata[partner]=p-5'],
      ['page 1 of 10, description=ring 7', '/System/Orders?per_page=10&description=ring%207'],
      // Beside a filter only an order's row answers, the search reads orders and their own index.
      ['page 1 of 10, description=ring 7, status_id', '/System/Orders?per_page=10&description=ring%207&status_id=3'],
      // A text one customer's notes hold: as many matches at either size (none or one or two).
      ['page 1, description=ring 1999 times', '/System/Orders?per_page=50&description=ring%201999%20times'],
      ['page 1, amount_total', `/System/Orders?per_page=50&amount_total=${total}`],
      ['page 1, order_reference', `/System/Orders?per_page=50&order_reference=${encodeURIComponent(reference)}`],
      ['page 1, order_id', `/System/Orders?per_page=50&order_id=${someId}`],
      ['page 1, date_start/date_end (a month)', '/System/Orders?per_page=50&date_start=2025-03-01&date_end=2025-03-31'],
      ['page 100', '/System/Orders?per_page=50&page=100'],
      [`page ${Math.ceil(lastPage / 2)} (middle)`, `/System/Orders?per_page=50&page=${Math.ceil(lastPage / 2)}`],
      [`page ${lastPage} (last)`, `/System/Orders?per_page=50&page=${lastPage}`],
      ['changes: first page (updated_since)', '/System/Orders?updated_since=2000-01-01T00:00:00Z&per_page=250'],
      ['changes: a next_cursor page', `/System/Orders?cursor=${encodeURIComponent(firstCursor)}&per_page=250`],
      ['get one order', `/System/Orders/${someId}`],
    ];
    const table: Array<Record<string, string | number>> = [];
    for (const [name, path] of cases) {
      const result = await load({
        url: gateway.url,
        token,
        requests: [{ method: 'GET', path }],
        connections: Number(values.connections),
        warmupSeconds: 1,
        seconds: Number(values.seconds),
      });
      table.push({
        case: name,
        'req/s': Math.round(result.requestsPerSecond),
        'p50 ms': result.p50,
        'p99 ms': result.p99,
        errors: result.errors + result.non2xx,
      });
    }

    // Reading the whole feed, page after page, as a client catching up would.
    const feedStarted = Date.now();
    let cursor: string | null = null;
    let read = 0;
    let pages = 0;
    const feedLimit = Math.min(orders, 100_000);
    while (read < feedLimit) {
      const path: string = cursor
        ? `/System/Orders?cursor=${encodeURIComponent(cursor)}&per_page=250`
        : '/System/Orders?updated_since=2000-01-01T00:00:00Z&per_page=250';
      const response = await fetch(`${gateway.url}${path}`, { headers: { token } });
      const page = (await response.json()) as { orders: unknown[]; next_cursor: string | null };
      read += page.orders.length;
      pages += 1;
      cursor = page.next_cursor;
      if (page.orders.length === 0 || !cursor) break;
    }
    const feedSeconds = (Date.now() - feedStarted) / 1000;

    console.log(
      `\n${values.database}: ${orders} orders; ${values.connections} connections, ${values.seconds} s per case`,
    );
    console.table(table);
    console.log(
      `changes feed from the start: ${read} orders in ${pages} pages of 250 in ${feedSeconds.toFixed(1)} s ` +
        `(${Math.round(read / feedSeconds)} orders/s, ${((1000 * feedSeconds) / pages).toFixed(0)} ms a page)`,
    );

    // The statements the gateway sends (order-queries.ts), with the values of the cases above.
    console.log('\nPlans (EXPLAIN ANALYZE of the statement the gateway sends for each list):');
    const newestFirst = { key: 'dateOrder' as const, descending: true };
    const page = (filter: OrderListFilter, offset = 0) =>
      orderPage(listedOrders(filter, newestFirst.key), newestFirst, offset, 50, 10_001);
    const plans: Array<[string, Sql]> = [
      ['page 1', page({})],
      ['status_id', page({ statusId: 3 })],
      ['done', page({ done: true })],
      ['email', page({ emailNormalized: email.toLowerCase() })],
      ['from/to', page({ from: new Date('2025-03-01T00:00:00Z'), to: new Date('2025-03-31T23:59:59Z') })],
      ['deep page', page({}, (lastPage - 1) * 50)],
      ['metadata[partner]', page({ metadata: { partner: 'p-5' } })],
      ['description', page({ noteContains: 'ring 77' })],
      ['description, status_id', page({ noteContains: 'ring 77', statusId: 3 })],
      ['amount_total', page({ amountTotal: decimalFromText(total) })],
      ['order_reference', page({ orderReference: reference })],
      ['date_start/date_end', page({ dateStart: '2025-03-01', dateEnd: '2025-03-31', timeZone: 'Europe/Amsterdam' })],
      [
        'changes, first page',
        orderChanges(orderWhere({ updatedSince: new Date('2000-01-01T00:00:00Z') }), null, 250, 10_001),
      ],
    ];
    for (const [name, sql] of plans) {
      const plan = await db.query<{ 'QUERY PLAN': string }>(
        `EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF) ${sql.text}`,
        sql.values,
      );
      const lines = plan.rows.map((row) => row['QUERY PLAN'].trim());
      // The scans on orders (the lines' and parcels' subqueries use their order_id indexes).
      const scans = lines.filter((line) => /Scan.* on order(s|_notes)|Sort Method|Execution/.test(line));
      console.log(`- ${name}: ${scans.join(' | ')}`);
    }
  } finally {
    await gateway.stop();
    await db.end();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
