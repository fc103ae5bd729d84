import { parseArgs } from 'node:util';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { GatewayProcess, SimulatorProcess, createAdminKey, freePort, log } from '../faults/harness.js';
import { orderBody } from '../test/support/factories.js';
import { createEmptyDatabase } from '../test/support/test-database.js';

// npm run bench:forwarding [-- --orders 600 --seconds 20 --latency-ms 50]
//
// How fast orders reach MplusKASSA (the simulator, in a process of its own):
//   1. a backlog of orders made with forwarding off, drained by one gateway, for new customers
//      (every order a new e-mail) and for repeat customers (ten e-mails): orders per second and
//      the SOAP calls MplusKASSA answered per order, by operation;
//   2. the same backlog of repeat customers with `--latency-ms` added to every call (a real
//      MplusKASSA is a network away): orders per second with one gateway;
//   3. a backlog drained by two gateways;
//   4. a steady rate of new orders at half the rate of 2, with the latency: the lag from an order's
//      commit to MplusKASSA's acknowledgement, p50 and p99.

const ITEMS = [
  { article_number: '1001', name: 'Coffee mug', count: 2, price: { base_price: 10, vat: 21 } },
  { article_number: '1002', name: 'Saucer', count: 1, price: { base_price: 5, vat: 21 } },
  { article_number: '1003', name: 'Tea', count: 3, price: { base_price: 4.5, vat: 21 } },
];

type Customers = 'new' | 'repeat';

let sequence = 0;
async function createOrder(url: string, token: string, customers: Customers): Promise<void> {
  sequence += 1;
  const email = customers === 'new' ? `forwarding-${sequence}@example.cz` : `regular-${sequence % 10}@example.cz`;
  const response = await fetch(`${url}/System/Orders`, {
    method: 'POST',
    headers: { token, 'content-type': 'application/json' },
    body: JSON.stringify(orderBody({ email, items: ITEMS })),
  });
  if (response.status !== 201) throw new Error(`create: ${response.status} ${await response.text()}`);
}

async function backlog(url: string, token: string, orders: number, customers: Customers): Promise<void> {
  for (let made = 0; made < orders; made += 16) {
    await Promise.all(Array.from({ length: Math.min(16, orders - made) }, () => createOrder(url, token, customers)));
  }
}

async function drained(db: pg.Client, since: Date): Promise<{ orders: number; seconds: number }> {
  for (;;) {
    const { rows } = await db.query<{ pending: number }>(
      'SELECT count(*)::int AS pending FROM sync_events WHERE processed_at IS NULL',
    );
    if (rows[0]!.pending === 0) break;
    await sleep(200);
  }
  const { rows } = await db.query<{ orders: number; seconds: number }>(
    `SELECT count(*)::int AS orders, extract(epoch FROM max(processed_at) - min(processed_at))::float AS seconds
       FROM sync_events WHERE kind = 'create' AND processed_at >= $1`,
    [since],
  );
  return rows[0]!;
}

/** SOAP calls the simulator answered since `since` (ms), by operation. */
async function callsSince(simulator: SimulatorProcess, since: number): Promise<Record<string, number>> {
  const { calls } = (await simulator.state()) as unknown as { calls: Array<{ operation: string; at: number }> };
  const counts: Record<string, number> = {};
  for (const call of calls) if (call.at >= since) counts[call.operation] = (counts[call.operation] ?? 0) + 1;
  return counts;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      orders: { type: 'string', default: '600' },
      seconds: { type: 'string', default: '20' },
      'latency-ms': { type: 'string', default: '50' },
    },
  });
  const orders = Number(values.orders);
  const latencyMs = Number(values['latency-ms']);
  const database = await createEmptyDatabase();
  const simulator = new SimulatorProcess();
  const gateways: GatewayProcess[] = [];
  const db = new pg.Client({ connectionString: database.url });
  const gateway = async (forwarding: boolean) => {
    const server = new GatewayProcess(await freePort(), {
      DATABASE_URL: database.url,
      ...simulator.gatewayEnvironment(),
      SYNC_WORKER: String(forwarding),
    });
    gateways.push(server);
    await server.start();
    return server;
  };
  /** A backlog drained by `forwarders` new gateways: its figures. */
  const drain = async (forwarders: number, customers: Customers, latency: number) => {
    await simulator.faults({ rules: [], latency_ms: latency });
    await backlog(api.url, token, orders, customers);
    const since = new Date();
    log(`${orders} orders of ${customers} customers waiting; ${forwarders} gateway(s), ${latency} ms a call`);
    const started = await Promise.all(Array.from({ length: forwarders }, () => gateway(true)));
    const { orders: forwarded, seconds } = await drained(db, since);
    const calls = await callsSince(simulator, since.getTime());
    for (const one of started) await one.stop();
    const total = Object.values(calls).reduce((sum, count) => sum + count, 0);
    return {
      customers,
      'latency ms': latency,
      gateways: forwarders,
      orders: forwarded,
      'orders/s': Math.round(forwarded / seconds),
      'calls/order': (total / forwarded).toFixed(2),
      calls: Object.entries(calls)
        .map(([operation, count]) => `${operation} ${(count / forwarded).toFixed(2)}`)
        .join(', '),
    };
  };
  let api!: GatewayProcess;
  let token = '';
  try {
    await simulator.start();
    api = await gateway(false);
    await db.connect();
    token = await createAdminKey(database.url);
    const results = [
      await drain(1, 'new', 0),
      await drain(1, 'repeat', 0),
      await drain(1, 'repeat', latencyMs),
      await drain(2, 'repeat', latencyMs),
    ];
    console.table(results);

    // A steady rate at half what one gateway drains with the latency, and how long each order waits.
    const rate = Math.max(1, Math.round(results[2]!['orders/s'] / 2));
    await simulator.faults({ rules: [], latency_ms: latencyMs });
    await gateway(true);
    const since = new Date();
    const interval = 1000 / rate;
    const until = Date.now() + Number(values.seconds) * 1000;
    const sent: Array<Promise<void>> = [];
    for (let next = Date.now(); next < until; next += interval) {
      await sleep(Math.max(0, next - Date.now()));
      sent.push(createOrder(api.url, token, 'repeat'));
    }
    await Promise.all(sent);
    await drained(db, since);
    const { rows } = await db.query<{ orders: number; p50: number; p99: number }>(
      `SELECT count(*)::int AS orders,
              percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM processed_at - created_at)) * 1000 AS p50,
              percentile_cont(0.99) WITHIN GROUP (ORDER BY extract(epoch FROM processed_at - created_at)) * 1000 AS p99
         FROM sync_events WHERE kind = 'create' AND created_at >= $1`,
      [since],
    );
    console.log(
      `steady ${rate} orders/s for ${values.seconds} s (one forwarding gateway, ${latencyMs} ms a call): ` +
        `${rows[0]!.orders} orders, lag from commit to MplusKASSA's answer p50 ${Math.round(rows[0]!.p50)} ms, ` +
        `p99 ${Math.round(rows[0]!.p99)} ms`,
    );
  } finally {
    await db.end().catch(() => undefined);
    for (const one of gateways) await one.stop();
    await simulator.stop();
    await database.drop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
