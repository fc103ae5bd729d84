import { readFileSync, readdirSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { createAdminKey } from '../faults/harness.js';
import { createEmptyDatabase } from '../test/support/test-database.js';
import type { LoadSpec } from './load.js';
import { createBody } from './bodies.js';
import { load, startApiGateway } from './servers.js';

// npm run bench:cpu [-- --seconds N] [--connections N] [--only TEXT]
//
// Where a created order's CPU goes: the gateway's process and every Postgres process on the
// machine (the backends serving it, and the writer, WAL writer and checkpointer that its writes
// keep busy), read from /proc around a run of load, divided by the orders created. For creates
// in batches of 100 (with and without a customer's note) and single creates of the same 3-line
// order, on a fresh database with the gateway as `npm run bench` starts it. On a machine where
// the load generator shares the cores, requests/s tell what the machine gave; CPU per order
// tells what an order costs, and moves less with what else runs. Linux only.

/** User and system CPU seconds a process has used. */
function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** Of every Postgres process now running (one that ended meanwhile is not counted: connections stay open). */
function postgresCpuSeconds(): number {
  let total = 0;
  for (const pid of readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
    try {
      if (readFileSync(`/proc/${pid}/stat`, 'utf8').includes('(postgres)')) total += cpuSeconds(Number(pid));
    } catch {
      // It ended between the listing and the read.
    }
  }
  return total;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      seconds: { type: 'string', default: '8' },
      connections: { type: 'string', default: '16' },
      only: { type: 'string', default: '' },
    },
  });
  const seconds = Number(values.seconds);
  const connections = Number(values.connections);
  const database = await createEmptyDatabase();
  const gateway = await startApiGateway(database.url);
  try {
    const token = await createAdminKey(database.url);
    const scenarios: Array<{ name: string; ordersPerRequest: number; requests: LoadSpec['requests'] }> = [
      {
        name: 'create in batches of 100 orders of 3 items',
        ordersPerRequest: 100,
        requests: [
          {
            method: 'POST',
            path: '/System/Orders/batch',
            body: JSON.stringify({ records: Array.from({ length: 100 }, () => createBody(3)) }),
          },
        ],
      },
      {
        // A note costs its entry in orders' trigram index, and its row in order_notes (written by a
        // trigger) with that table's own trigram index.
        name: 'create in batches of 100 orders of 3 items, each with a note',
        ordersPerRequest: 100,
        requests: [
          {
            method: 'POST',
            path: '/System/Orders/batch',
            body: JSON.stringify({
              records: Array.from({ length: 100 }, (_, n) => ({
                ...createBody(3),
                note: `Please ring ${n} times at the back door`,
              })),
            }),
          },
        ],
      },
      {
        name: 'create with 3 items',
        ordersPerRequest: 1,
        requests: [{ method: 'POST', path: '/System/Orders', body: JSON.stringify(createBody(3)) }],
      },
    ];
    const rows: Array<Record<string, string | number>> = [];
    for (const scenario of scenarios.filter((one) => one.name.includes(values.only))) {
      const spec = { url: gateway.url, token, requests: scenario.requests, connections, warmupSeconds: 0 };
      // A warm-up of its own, so that the CPU read around the run is the run's.
      await load({ ...spec, seconds: 3 });
      const gatewayBefore = cpuSeconds(gateway.pid);
      const postgresBefore = postgresCpuSeconds();
      const result = await load({ ...spec, seconds });
      const orders = result.total * scenario.ordersPerRequest;
      const perOrder = (cpu: number) => Math.round((cpu * 1e6) / orders);
      const gatewayCpu = perOrder(cpuSeconds(gateway.pid) - gatewayBefore);
      const postgresCpu = perOrder(postgresCpuSeconds() - postgresBefore);
      rows.push({
        scenario: scenario.name,
        'orders/s': Math.round(result.requestsPerSecond * scenario.ordersPerRequest),
        'p99 ms': result.p99,
        'gateway µs/order': gatewayCpu,
        'Postgres µs/order': postgresCpu,
        'both µs/order': gatewayCpu + postgresCpu,
        errors: result.errors + result.non2xx,
      });
    }
    console.log(`\n${seconds} s of load after 3 s of warm-up, ${connections} connections`);
    console.table(rows);
  } finally {
    await gateway.stop();
    await database.drop();
  }
}

await main();
