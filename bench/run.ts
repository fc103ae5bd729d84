import { isDeepStrictEqual, parseArgs } from 'node:util';
import os from 'node:os';
import { createEmptyDatabase } from '../test/support/test-database.js';
import { createAdminKey } from '../faults/harness.js';
import type { LoadResult, LoadSpec } from './load.js';
import { createBody, discountedBody } from './bodies.js';
import { type Server, load, median, startApiGateway, startServer } from './servers.js';

// npm run bench [-- --smoke] [--runs N] [--seconds N] [--connections N] [--only TEXT] [--subscriptions N]
//
// Starts the gateway (production settings, forwarding off so that only the API is measured; a
// second one with the shared rate limit on), the baseline (bench/baseline.ts: Fastify and pg) and
// the floor (bench/floor.ts: node:http and pg, Postgres building the JSON) on a fresh database of
// the machine's Postgres, seeds orders through the API, checks that all three answer the same
// JSON, then loads each scenario on each from a separate process (bench/load.ts, autocannon),
// alternating, after a warm-up. Prints medians of the runs and the gateway's ratios to the
// baseline and to the floor measured in the same run.

async function call(url: string, token: string, method: string, route: string, body?: unknown): Promise<unknown> {
  const response = await fetch(`${url}${route}`, {
    method,
    headers: { token, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json: unknown = await response.json();
  if (!response.ok) throw new Error(`${method} ${route} → ${response.status} ${JSON.stringify(json)}`);
  return json;
}

/**
 * Orders as the scenarios read them: 5 lines and 2 parcels each; every third one with status 2,
 * every fourth with a discounted line, a voucher and a shipping fee.
 */
async function seed(url: string, token: string, orders: number): Promise<number[]> {
  const ids: number[] = [];
  for (let start = 0; start < orders; start += 20) {
    const batch = await Promise.all(
      Array.from({ length: Math.min(20, orders - start) }, async (_, i) => {
        // Every fourth with discounts and a fee, so that the floors answer those figures too.
        const made = (start + i) % 4 === 0 ? discountedBody(5) : createBody(5);
        const body = JSON.stringify(made).replaceAll('{n}', String(start + i));
        const { id } = (await call(url, token, 'POST', '/System/Orders', JSON.parse(body))) as { id: number };
        for (const parcel of ['Z1', 'Z2']) {
          await call(url, token, 'POST', `/System/Orders/${id}/tracking`, {
            shipper_id: 1,
            tracking_number: `${parcel}-${id}`,
          });
        }
        if ((start + i) % 3 === 0) await call(url, token, 'PATCH', `/System/Orders/${id}/status`, { status_id: 2 });
        return id;
      }),
    );
    ids.push(...batch);
  }
  return ids;
}

/** The gateway's answers and a floor's must be the same JSON, or the comparison means nothing. */
async function checkSameAnswers(gateway: string, floor: string, token: string, id: number): Promise<void> {
  for (const route of [
    `/System/Orders/${id}`,
    `/System/Orders/${id}?expanded=true`,
    '/System/Orders?per_page=50',
    '/System/Orders?per_page=50&status_id=2',
  ]) {
    const ours = (await call(gateway, token, 'GET', route)) as Record<string, unknown>;
    const theirs = (await call(floor, token, 'GET', route)) as Record<string, unknown>;
    // The changes feed's addition, null on page lists.
    delete ours.next_cursor;
    delete theirs.next_cursor;
    if (!isDeepStrictEqual(ours, theirs)) {
      throw new Error(`${floor} answers ${route} differently:\n${JSON.stringify(theirs)}\n${JSON.stringify(ours)}`);
    }
  }
}

interface Scenario {
  name: string;
  requests: LoadSpec['requests'];
  /** Whether the two floors serve it (baseline.ts and floor.ts); otherwise the gateway's figures stand alone. */
  floors: boolean;
  /** Against the gateway that counts every request in the shared rate limit, instead of the one without. */
  limited?: boolean;
  /** Orders each request creates, when it is a batch: its orders/s are compared with single creates'. */
  ordersPerRequest?: number;
}

/** The scenario batches are compared with, order for order. */
const SINGLE_CREATE = 'create with 3 items';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      smoke: { type: 'boolean', default: false },
      runs: { type: 'string' },
      seconds: { type: 'string' },
      connections: { type: 'string', default: '16' },
      // Only the scenarios whose name contains this, e.g. --only list.
      only: { type: 'string' },
      // Webhook subscriptions to order-new and order-paid (never sent: the workers are off), so
      // that every create and payment also records its event and fans it out to them.
      subscriptions: { type: 'string', default: '0' },
    },
  });
  const smoke = values.smoke;
  const runs = Number(values.runs ?? (smoke ? 1 : 3));
  const seconds = Number(values.seconds ?? (smoke ? 1 : 10));
  const warmupSeconds = smoke ? 0 : 3;
  const connections = Number(values.connections);

  const database = await createEmptyDatabase();
  const servers: Server[] = [];
  try {
    const gateway = await startApiGateway(database.url, { MPLUS_SHIPPING_ARTICLE_NUMBER: '9001' });
    servers.push(gateway);
    const baseline = await startServer(
      'bench/baseline.ts',
      { DATABASE_URL: database.url, PORT: '0' },
      /Baseline listening on (\S+)/,
    );
    servers.push(baseline);
    const floor = await startServer(
      'bench/floor.ts',
      { DATABASE_URL: database.url, PORT: '0' },
      /Floor listening on (\S+)/,
    );
    servers.push(floor);
    // Every request counted in the rate limit shared by all processes (in Postgres), with a
    // limit no load reaches: what sharing the limit costs.
    const limited = await startApiGateway(database.url, { RATE_LIMIT_REQUESTS: '1000000' });
    servers.push(limited);
    const token = await createAdminKey(database.url);
    for (let n = 0; n < Number(values.subscriptions); n += 1) {
      for (const event of ['order-new', 'order-paid']) {
        const response = await fetch(`${gateway.url}/System/Events`, {
          method: 'POST',
          headers: { token, 'content-type': 'application/json' },
          body: JSON.stringify({ event, path: `https://receiver-${n}.example/hooks` }),
        });
        if (response.status !== 201) throw new Error(`subscribing: ${response.status} ${await response.text()}`);
      }
    }
    const ids = await seed(gateway.url, token, smoke ? 40 : 400);
    await checkSameAnswers(gateway.url, baseline.url, token, ids[0]!);
    await checkSameAnswers(gateway.url, floor.url, token, ids[0]!);

    const pick = (route: (id: number) => string) =>
      ids.slice(0, 50).map((id) => ({ method: 'GET' as const, path: route(id) }));
    const paid = ids.map((id) => ({
      method: 'PATCH' as const,
      path: `/System/Orders/${id}/paid`,
      body: JSON.stringify({ paid: 0.01, status: 'success', payment_id: 'bench-{n}' }),
    }));
    const scenarios: Scenario[] = [
      { name: 'get one order', requests: pick((id) => `/System/Orders/${id}`), floors: true },
      {
        name: 'get one order, shared rate limit',
        requests: pick((id) => `/System/Orders/${id}`),
        floors: true,
        limited: true,
      },
      { name: 'get one order, expanded', requests: pick((id) => `/System/Orders/${id}?expanded=true`), floors: true },
      {
        name: 'list page (per_page=50)',
        requests: [1, 2, 3, 4].map((page) => ({ method: 'GET', path: `/System/Orders?per_page=50&page=${page}` })),
        floors: true,
      },
      {
        name: 'list page, filtered (status_id)',
        requests: [{ method: 'GET', path: '/System/Orders?per_page=50&status_id=2' }],
        floors: true,
      },
      {
        name: 'create with 3 items',
        requests: [{ method: 'POST', path: '/System/Orders', body: JSON.stringify(createBody(3)) }],
        floors: true,
      },
      {
        name: 'create with 3 items, a discount and a fee',
        requests: [{ method: 'POST', path: '/System/Orders', body: JSON.stringify(discountedBody(3)) }],
        floors: false,
      },
      {
        name: 'create in batches of 100 orders of 3 items',
        requests: [
          {
            method: 'POST',
            path: '/System/Orders/batch',
            body: JSON.stringify({ records: Array.from({ length: 100 }, () => createBody(3)) }),
          },
        ],
        floors: false,
        ordersPerRequest: 100,
      },
      {
        name: 'create with 3 items, Idempotency-Key',
        requests: [
          {
            method: 'POST',
            path: '/System/Orders',
            body: JSON.stringify(createBody(3)),
            headers: { 'Idempotency-Key': 'bench-{n}' },
          },
        ],
        floors: false,
      },
      { name: 'paid', requests: paid, floors: true },
      {
        name: 'mixed: 90 % get, 10 % paid',
        requests: [
          ...pick((id) => `/System/Orders/${id}`).map((request) => ({ ...request, weight: 9 })),
          ...paid.slice(0, 50),
        ],
        floors: false,
      },
    ];

    const rows: Array<Record<string, string | number>> = [];
    const problems: Array<[string, Record<string, number>]> = [];
    const ratio = (ours: number, theirs: number) => `${Math.round((100 * ours) / theirs)} %`;
    const p99Ratio = (ours: number, theirs: number) => `${(ours / Math.max(1, theirs)).toFixed(2)}×`;
    for (const scenario of scenarios.filter((candidate) => candidate.name.includes(values.only ?? ''))) {
      const results: Record<'gateway' | 'baseline' | 'floor', LoadResult[]> = { gateway: [], baseline: [], floor: [] };
      const target = scenario.limited ? limited : gateway;
      for (let run = 0; run < runs; run += 1) {
        const spec = { token, requests: scenario.requests, connections, warmupSeconds, seconds };
        if (scenario.floors) {
          results.baseline.push(await load({ ...spec, url: baseline.url }));
          results.floor.push(await load({ ...spec, url: floor.url }));
        }
        results.gateway.push(await load({ ...spec, url: target.url }));
      }
      for (const result of Object.values(results).flat()) {
        if (result.errors + result.non2xx > 0) {
          problems.push([scenario.name, { ...result.statusCodes, errors: result.errors }]);
        }
      }
      const figures = (who: keyof typeof results) => ({
        'req/s': Math.round(median(results[who].map((result) => result.requestsPerSecond))),
        p99: median(results[who].map((result) => result.p99)),
        errors: results[who].reduce((sum, result) => sum + result.errors + result.non2xx, 0),
      });
      const ours = figures('gateway');
      const row: Record<string, string | number> = {
        scenario: scenario.name,
        'gateway req/s': ours['req/s'],
        'gateway p99 ms': ours.p99,
      };
      if (scenario.ordersPerRequest) {
        const ordersPerSecond = median(
          results.gateway.map((result) => result.requestsPerSecond * scenario.ordersPerRequest!),
        );
        row['orders/s'] = Math.round(ordersPerSecond);
        const single = rows.find((one) => one.scenario === SINGLE_CREATE);
        if (single) row['vs single creates'] = `${(ordersPerSecond / Number(single['gateway req/s'])).toFixed(1)}×`;
      }
      if (scenario.floors) {
        const base = figures('baseline');
        const bare = figures('floor');
        Object.assign(row, {
          'baseline req/s': base['req/s'],
          'vs baseline': ratio(ours['req/s'], base['req/s']),
          'p99 vs baseline': p99Ratio(ours.p99, base.p99),
          'floor req/s': bare['req/s'],
          'vs floor': ratio(ours['req/s'], bare['req/s']),
          'p99 vs floor': p99Ratio(ours.p99, bare.p99),
        });
      }
      row.errors = Object.keys(results).reduce((sum, who) => sum + figures(who as keyof typeof results).errors, 0);
      rows.push(row);
    }
    console.log(
      `\n${os.cpus().length} cores, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}; ` +
        `${runs} run(s) of ${seconds} s after ${warmupSeconds} s warm-up, ${connections} connections; medians`,
    );
    console.table(rows);
    for (const [name, codes] of problems) console.error(`${name}: answers by status ${JSON.stringify(codes)}`);
    const failed = rows.filter((row) => Number(row.errors) > 0);
    if (failed.length > 0) {
      console.error(`Errors in: ${failed.map((row) => row.scenario).join(', ')}`);
      process.exitCode = 1;
    }
  } finally {
    for (const server of servers.reverse()) await server.stop();
    await database.drop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
