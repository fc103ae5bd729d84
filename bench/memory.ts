import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { setTimeout as sleep } from 'node:timers/promises';
import { SimulatorProcess, createAdminKey } from '../faults/harness.js';
import { orderBody } from '../test/support/factories.js';
import { createEmptyDatabase } from '../test/support/test-database.js';
import { load, startServer } from './servers.js';

// npm run bench:memory [-- --minutes 5]
//
// The gateway's resident memory under a mixed load (reads, lists, creates, payments, forwarding
// to the simulator in a process of its own), sampled every 10 s: it must stay under 300 MB and
// not grow from minute 2 to the end. The gateway runs as production runs it, built (npm run build,
// done here first) and started with node dist/main.js: SWC's loader, which the other benchmarks
// run it under, holds some 150 MB of its own. GATEWAY_NODE_OPTIONS passes V8 flags to the gateway
// alone, to try heap settings (--max-old-space-size=160, say).

function rssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Math.round(Number(/VmRSS:\s+(\d+) kB/.exec(status)![1]) / 1024);
}

/** The V8 heap in use and held, and memory outside it (Buffers), from the gateway's own metrics (MB). */
async function heapMb(url: string): Promise<{ heap: number; heapTotal: number; external: number }> {
  const metrics = await (await fetch(`${url}/metrics`)).text();
  const mb = (name: string) => Math.round(Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(metrics)![1]) / 2 ** 20);
  return {
    heap: mb('nodejs_heap_size_used_bytes'),
    heapTotal: mb('nodejs_heap_size_total_bytes'),
    external: mb('nodejs_external_memory_bytes'),
  };
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { minutes: { type: 'string', default: '5' } } });
  const seconds = Number(values.minutes) * 60;
  const database = await createEmptyDatabase();
  const simulator = new SimulatorProcess();
  await simulator.start();
  execFileSync('npm', ['run', 'build'], { stdio: 'ignore' });
  const gateway = await startServer(
    'dist/main.js',
    {
      DATABASE_URL: database.url,
      PORT: '0',
      ...simulator.gatewayEnvironment(),
      RATE_LIMIT_REQUESTS: '1000000',
      LOG_LEVEL: 'info',
      LOG_REQUESTS: 'false',
      NODE_OPTIONS: process.env.GATEWAY_NODE_OPTIONS ?? '',
    },
    /Listening on (http:\/\/[^;\s]+)/,
  );
  try {
    const token = await createAdminKey(database.url);
    const ids: number[] = [];
    for (let i = 0; i < 200; i += 1) {
      const response = await fetch(`${gateway.url}/System/Orders`, {
        method: 'POST',
        headers: { token, 'content-type': 'application/json' },
        body: JSON.stringify(orderBody({ email: `memory-${i}@example.cz` })),
      });
      ids.push(((await response.json()) as { id: number }).id);
    }
    const samples: Array<{ second: number; rss: number; heap: number; heapTotal: number; external: number }> = [];
    const started = Date.now();
    const sampler = (async () => {
      while (Date.now() - started < seconds * 1000) {
        samples.push({
          second: Math.round((Date.now() - started) / 1000),
          rss: rssMb(gateway.pid),
          ...(await heapMb(gateway.url)),
        });
        await sleep(10_000);
      }
    })();
    const result = await load({
      url: gateway.url,
      token,
      connections: 8,
      warmupSeconds: 0,
      seconds,
      requests: [
        ...ids.slice(0, 50).map((id) => ({ method: 'GET' as const, path: `/System/Orders/${id}`, weight: 12 })),
        { method: 'GET', path: '/System/Orders?per_page=50', weight: 5 },
        {
          method: 'POST',
          path: '/System/Orders',
          body: JSON.stringify(orderBody({ email: 'memory-{n}@example.cz' })),
          weight: 20,
        },
        ...ids.slice(0, 50).map((id) => ({
          method: 'PATCH' as const,
          path: `/System/Orders/${id}/paid`,
          body: JSON.stringify({ paid: 0.01, status: 'success', payment_id: 'memory-{n}' }),
          weight: 2,
        })),
      ],
    });
    await sampler;
    samples.push({ second: seconds, rss: rssMb(gateway.pid), ...(await heapMb(gateway.url)) });
    const at = (second: number) => samples.filter((sample) => sample.second <= second).at(-1)!.rss;
    console.table(
      samples.map((sample) => ({
        'after s': sample.second,
        'RSS MB': sample.rss,
        'heap used MB': sample.heap,
        'heap held MB': sample.heapTotal,
        'external MB': sample.external,
      })),
    );
    const fromMinute2 = samples.filter((sample) => sample.second >= 120).map((sample) => sample.rss);
    console.log(
      `${Math.round(result.requestsPerSecond)} req/s mixed for ${seconds} s (${result.non2xx} non-2xx): RSS ` +
        `${at(120)} MB at minute 2, ${at(seconds)} MB at the end, highest ${Math.max(...samples.map((s) => s.rss))} MB, ` +
        `from minute 2 between ${Math.min(...fromMinute2)} and ${Math.max(...fromMinute2)} MB`,
    );
  } finally {
    await gateway.stop();
    await simulator.stop();
    await database.drop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
