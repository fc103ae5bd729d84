import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { GatewayProcess, SimulatorProcess, createAdminKey, freePort, log } from '../faults/harness.js';
import { orderBody } from '../test/support/factories.js';
import { createEmptyDatabase } from '../test/support/test-database.js';
import { WebhookReceiver } from '../test/support/webhook-receiver.js';

// npm run bench:webhooks [-- --events 3000 --seconds 20]
//
// How fast order events reach a partner app's receiver (on loopback, in this process, answering
// 200 at once), from one gateway process (WEBHOOK_CONCURRENCY 16):
//   1. a backlog: `--events` order-new events recorded while the subscription is disabled, then
//      the subscription enabled: events delivered per second until none waits;
//   2. a steady rate of new orders at half that rate for `--seconds`: the lag from the event's
//      commit (its occurred_at) to the receiver's taking it, p50 and p99.

interface Token {
  url: string;
  key: string;
}

async function call(gateway: Token, method: string, path: string, body: unknown): Promise<Record<string, unknown>> {
  const response = await fetch(`${gateway.url}${path}`, {
    method,
    headers: { token: gateway.key, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`);
  return (await response.json()) as Record<string, unknown>;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))] ?? NaN;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { events: { type: 'string', default: '3000' }, seconds: { type: 'string', default: '20' } },
  });
  const events = Number(values.events);
  const seconds = Number(values.seconds);
  const database = await createEmptyDatabase();
  const simulator = new SimulatorProcess();
  const receiver = new WebhookReceiver();
  const gateway = new GatewayProcess(await freePort(), {
    DATABASE_URL: database.url,
    ...simulator.gatewayEnvironment(),
    WEBHOOKS_ALLOW_PRIVATE_RECEIVERS: 'true',
    // Forwarding is not what is measured: MplusKASSA is left alone.
    SYNC_POLL_INTERVAL_MS: '200',
    SYNC_RETRY_BASE_MS: '60000',
    SYNC_RETRY_MAX_MS: '60000',
  });
  const db = new pg.Client({ connectionString: database.url });
  try {
    await simulator.start();
    await receiver.start();
    await gateway.start();
    await db.connect();
    const api: Token = { url: gateway.url, key: await createAdminKey(database.url) };
    // Forwarding would compete for the process: the simulator answers every call 500, so orders wait (retried after a minute).
    await simulator.faults({ rules: [{ mode: 'http500' }] });
    const { id } = await call(api, 'POST', '/System/Events', { event: 'order-new', path: `${receiver.url}/hook` });
    await call(api, 'PUT', '/System/Events', { id, enabled: false });

    log(`recording ${events} events (batches of 100 orders) while the subscription is disabled`);
    for (let made = 0; made < events; made += 100) {
      const records = Array.from({ length: Math.min(100, events - made) }, () => orderBody());
      await call(api, 'POST', '/System/Orders/batch', { records });
    }
    const started = performance.now();
    await call(api, 'PUT', '/System/Events', { id, enabled: true });
    while (receiver.taken.length < events) await sleep(20);
    const backlogSeconds = (performance.now() - started) / 1000;
    const rate = events / backlogSeconds;
    log(`backlog: ${events} events in ${backlogSeconds.toFixed(2)} s: ${rate.toFixed(0)} events/s`);

    receiver.calls.length = 0;
    const steady = rate / 2;
    log(`steady: ${steady.toFixed(0)} orders/s for ${seconds} s`);
    const interval = 1000 / steady;
    const end = Date.now() + seconds * 1000;
    let next = Date.now();
    let sent = 0;
    const inFlight: Array<Promise<unknown>> = [];
    while (Date.now() < end) {
      inFlight.push(call(api, 'POST', '/System/Orders', orderBody()));
      sent += 1;
      next += interval;
      const wait = next - Date.now();
      if (wait > 0) await sleep(wait);
    }
    await Promise.all(inFlight);
    const deadline = Date.now() + 30_000;
    while (receiver.taken.length < sent && Date.now() < deadline) await sleep(20);
    const lags = receiver.taken
      .map((one) => one.at - new Date((JSON.parse(one.body) as { occurred_at: string }).occurred_at).getTime())
      .sort((a, b) => a - b);
    console.log('\nWebhook deliveries, one gateway process, receiver on loopback');
    console.table({
      'backlog: events': events,
      'backlog: events delivered per second': Math.round(rate),
      'steady: orders per second': Math.round(steady),
      'steady: events delivered': `${receiver.taken.length} of ${sent}`,
      'lag commit → receiver p50 (ms)': Math.round(percentile(lags, 50)),
      'lag commit → receiver p99 (ms)': Math.round(percentile(lags, 99)),
      'lag max (ms)': Math.round(lags.at(-1) ?? NaN),
    });
  } finally {
    await db.end().catch(() => undefined);
    await gateway.stop();
    await receiver.stop();
    await simulator.stop();
    await database.drop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
