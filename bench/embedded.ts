import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { SimulatorStore } from '../src/mplus/simulator/simulator-store.js';
import { orderBody } from '../test/support/factories.js';
import { load, median, startServer } from './servers.js';

// npm run bench:embedded [-- --runs 3 --seconds 8 --sizes 10000,100000]
//
// The two-command default (the embedded Postgres and the simulated MplusKASSA in the gateway's own
// process) creating orders with forwarding off and on, alternating, with the simulator already
// holding 10 000 and 100 000 orders: forwarding must not take much of what creating gets.

const CREATE = JSON.stringify(
  orderBody({
    email: 'embedded-{n}@example.cz',
    items: [
      { article_number: '1001', name: 'Coffee mug', count: 2, price: { base_price: 10, vat: 21 } },
      { article_number: '1002', name: 'Saucer', count: 1, price: { base_price: 5, vat: 21 } },
      { article_number: '1003', name: 'Tea', count: 3, price: { base_price: 4.5, vat: 21 } },
    ],
  }),
);

/** A simulator state with `orders` orders rung up at the till, as the embedded default keeps it. */
function simulatorWith(dataDir: string, orders: number): void {
  const store = new SimulatorStore();
  for (let i = 0; i < orders; i += 1) {
    store.createPosOrder({ lines: [{ articleNumber: 1001 + (i % 5), quantity: 1 + (i % 3) }], relationNumber: 1 });
  }
  writeFileSync(path.join(dataDir, 'mplus-simulator.json'), JSON.stringify(store.snapshot()));
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      runs: { type: 'string', default: '3' },
      seconds: { type: 'string', default: '8' },
      sizes: { type: 'string', default: '10000,100000' },
      connections: { type: 'string', default: '8' },
    },
  });
  const runs = Number(values.runs);
  const rows: Array<Record<string, string | number>> = [];
  for (const size of values.sizes.split(',').map(Number)) {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'og-embedded-bench-'));
    try {
      console.log(`A simulator with ${size} orders…`);
      simulatorWith(dataDir, size);
      const gateway = (forwarding: boolean) =>
        startServer(
          'src/main.ts',
          {
            DATA_DIR: dataDir,
            PORT: '0',
            SYNC_WORKER: String(forwarding),
            SYNC_PULL_INTERVAL_MS: '0',
            RATE_LIMIT_REQUESTS: '0',
            LOG_LEVEL: 'info',
            LOG_REQUESTS: 'false',
          },
          /Listening on (http:\/\/[^;\s]+)/,
        );
      // The first start creates the store and prints its first key.
      const first = await gateway(false);
      const token = /It is shown only this once: (og_[A-Za-z0-9_-]+)/.exec(first.output())?.[1];
      await first.stop();
      if (!token) throw new Error('the first start printed no key');
      const rates: Record<'off' | 'on', number[]> = { off: [], on: [] };
      for (let run = 0; run < runs; run += 1) {
        for (const forwarding of [false, true]) {
          const server = await gateway(forwarding);
          const result = await load({
            url: server.url,
            token,
            requests: [{ method: 'POST', path: '/System/Orders', body: CREATE }],
            connections: Number(values.connections),
            warmupSeconds: 2,
            seconds: Number(values.seconds),
          });
          await server.stop();
          if (result.errors + result.non2xx > 0) throw new Error(`errors: ${JSON.stringify(result.statusCodes)}`);
          rates[forwarding ? 'on' : 'off'].push(result.requestsPerSecond);
        }
      }
      const off = median(rates.off);
      const on = median(rates.on);
      rows.push({
        'orders in the simulator': size,
        'creates/s, forwarding off': Math.round(off),
        'creates/s, forwarding on': Math.round(on),
        ratio: `${Math.round((100 * on) / off)} %`,
      });
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  }
  console.log(`\n${runs} run(s) of ${values.seconds} s each way, ${values.connections} connections; medians`);
  console.table(rows);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
