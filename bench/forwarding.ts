import { parseArgs } from 'node:util';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { GatewayProcess, SimulatorProcess, createAdminKey, freePort, log } from '../faults/harness.js';
import { orderBody } from '../test/support/factories.js';
import { createEmptyDatabase } from '../test/support/test-database.js';

// npm run bench:forwarding [-- --orders 1000]
//
// How fast orders reach MplusKASSA (the simulator, in a process of its own, answering at once):
//   1. a backlog of orders made with forwarding off, then drained by one gateway, then (a new
//      backlog) by two: orders per second, from the first change taken to the last;
//   2. a steady rate of new orders at half the one-gateway maximum: the lag from an order's commit
//      to MplusKASSA's acknowledgement, p50 and p99.

const CREATE = orderBody({
  email: 'forwarding-{n}@example.cz',
  items: [
    { article_number: '1001', name: 'Coffee mug', count: 2, price: { base_price: 10, vat: 21 } },
    { article_number: '1002', name: 'Saucer', count: 1, price: { base_price: 5, vat: 21 } },
    { article_number: '1003', name: 'Tea', count: 3, price: { base_price: 4.5, vat: 21 } },
  ],
});

let sequence = 0;
async function createOrder(url: string, token: string): Promise<void> {
  sequence += 1;
  // Distinct customers, so that each order also resolves (and creates) its relation.
  const body = JSON.stringify(CREATE).replace('{n}', String(sequence));
  const response = await fetch(`${url}/System/Orders`, {
    method: 'POST',
    headers: { token, 'content-type': 'application/json' },
    body,
  });
  if (response.status !== 201) throw new Error(`create: ${response.status} ${await response.text()}`);
}

async function backlog(url: string, token: string, orders: number): Promise<void> {
  for (let made = 0; made < orders; made += 16) {
    await Promise.all(Array.from({ length: Math.min(16, orders - made) }, () => createOrder(url, token)));
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

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { orders: { type: 'string', default: '1000' }, seconds: { type: 'string', default: '30' } },
  });
  const orders = Number(values.orders);
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
  try {
    await simulator.start();
    const api = await gateway(false);
    await db.connect();
    const token = await createAdminKey(database.url);
    const results: Array<Record<string, string | number>> = [];

    for (const forwarders of [1, 2]) {
      await backlog(api.url, token, orders);
      const since = new Date();
      log(`${orders} orders waiting; starting ${forwarders} forwarding gateway(s)`);
      const started = await Promise.all(Array.from({ length: forwarders }, () => gateway(true)));
      const { orders: forwarded, seconds } = await drained(db, since);
      results.push({
        gateways: forwarders,
        orders: forwarded,
        seconds: seconds.toFixed(1),
        'orders/s': Math.round(forwarded / seconds),
      });
      for (const one of started) await one.stop();
    }
    console.table(results);

    // A steady rate at half the one-gateway maximum, and how long each order waits for MplusKASSA.
    const rate = Math.max(1, Math.round(Number(results[0]!['orders/s']) / 2));
    await gateway(true);
    const since = new Date();
    const interval = 1000 / rate;
    const until = Date.now() + Number(values.seconds) * 1000;
    const sent: Array<Promise<void>> = [];
    for (let next = Date.now(); next < until; next += interval) {
      await sleep(Math.max(0, next - Date.now()));
      sent.push(createOrder(api.url, token));
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
      `steady ${rate} orders/s for ${values.seconds} s (one forwarding gateway): ${rows[0]!.orders} orders, ` +
        `lag from commit to MplusKASSA's answer p50 ${Math.round(rows[0]!.p50)} ms, p99 ${Math.round(rows[0]!.p99)} ms`,
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
