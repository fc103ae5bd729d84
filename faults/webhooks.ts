import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { orderBody } from '../test/support/factories.js';
import { createEmptyDatabase } from '../test/support/test-database.js';
import {
  type ReceivedCall,
  type ReceiverBehaviour,
  WebhookReceiver,
  signedContent,
  verifySignature,
} from '../test/support/webhook-receiver.js';
import { GatewayProcess, SimulatorProcess, createAdminKey, freePort, log } from './harness.js';

// The webhook fault script (npm run fault:webhooks): clients create orders and change their
// status through two gateway processes while the partner app's receiver goes through every kind
// of trouble: down (connection refused), slower than the gateway waits, answering 500, closing
// connections, and, once, a gateway killed with SIGKILL while it delivers. Afterwards every event
// of every acknowledged write must have reached the receiver, in order per order, signed; a repeat
// is only allowed under the same webhook-id (what a receiver drops), never as a second event.

export interface WebhookFaultOptions {
  seconds: number;
  clients: number;
}

export interface WebhookVerdict {
  /** Events the acknowledged writes should have sent. */
  expected: number;
  /** Deliveries the gateways made (one per event and subscription). */
  sent: number;
  /** Distinct events the receiver took (answered 2xx). */
  delivered: number;
  /** Calls the receiver took again under a webhook-id it had taken (a receiver drops these). */
  duplicated: number;
  /** Acknowledged events, or deliveries made, that never reached the receiver. */
  lost: string[];
  /** Events of an order that reached the receiver out of their order. */
  disordered: string[];
  /** One event under two ids, or a signature that does not verify. */
  wrong: string[];
}

export interface WebhookFaultResult {
  ok: boolean;
  phases: Array<{ phase: string; seconds: number; calls: number; taken: number }>;
  verdict: WebhookVerdict;
}

interface Acknowledged {
  creates: number[];
  statuses: Array<{ order: number; status: number }>;
}

const PHASES: Array<{ phase: string; behaviour: ReceiverBehaviour | 'down' | 'kill' }> = [
  { phase: 'healthy', behaviour: { kind: 'answer', status: 200 } },
  { phase: 'down (connection refused)', behaviour: 'down' },
  { phase: 'slower than the timeout', behaviour: { kind: 'answer', status: 200, delayMs: 1500 } },
  { phase: 'answering 500', behaviour: { kind: 'answer', status: 500, body: 'internal error' } },
  { phase: 'closing connections', behaviour: { kind: 'close' } },
  { phase: 'a gateway killed (kill -9)', behaviour: 'kill' },
  { phase: 'healthy again', behaviour: { kind: 'answer', status: 200 } },
];

const GATEWAY_WEBHOOKS: NodeJS.ProcessEnv = {
  WEBHOOKS_ALLOW_PRIVATE_RECEIVERS: 'true',
  WEBHOOK_TIMEOUT_MS: '1000',
  WEBHOOK_RETRY_BASE_MS: '100',
  WEBHOOK_RETRY_MAX_MS: '1000',
  WEBHOOK_DISABLE_AFTER_FAILURES: '10000',
  WEBHOOK_CONCURRENCY: '8',
};

export async function webhookFaults(options: WebhookFaultOptions): Promise<WebhookFaultResult> {
  const cleanup: Array<() => Promise<void>> = [];
  try {
    const database = await createEmptyDatabase();
    cleanup.push(() => database.drop());
    const simulator = new SimulatorProcess();
    cleanup.push(() => simulator.stop());
    await simulator.start();
    const receiver = new WebhookReceiver();
    const receiverPort = await freePort();
    await receiver.start(receiverPort);
    let receiverUp = true;
    cleanup.push(async () => {
      if (receiverUp) await receiver.stop();
    });
    const gateways: GatewayProcess[] = [];
    for (let i = 0; i < 2; i += 1) {
      const gateway = new GatewayProcess(await freePort(), {
        DATABASE_URL: database.url,
        ...simulator.gatewayEnvironment(),
        ...GATEWAY_WEBHOOKS,
      });
      cleanup.push(() => gateway.stop());
      await gateway.start();
      gateways.push(gateway);
    }
    const key = await createAdminKey(database.url);
    const secrets = new Map<string, string>();
    for (const [path, body] of [
      ['/new', { event: 'order-new' }],
      [
        '/status',
        {
          event: 'order-change-status',
          method: 'GET',
          parameters: [
            { name: 'order', variable: '%orderId%' },
            { name: 'status', variable: '%statusId%' },
            { name: 'sequence', variable: '%sequence%' },
          ],
        },
      ],
    ] as const) {
      const response = await fetch(`${gateways[0]!.url}/System/Events`, {
        method: 'POST',
        headers: { token: key, 'content-type': 'application/json' },
        body: JSON.stringify({ ...body, path: `${receiver.url}${path}` }),
      });
      if (response.status !== 201) throw new Error(`subscribing failed: ${response.status} ${await response.text()}`);
      secrets.set(path, ((await response.json()) as { secret: string }).secret);
    }

    const acknowledged: Acknowledged = { creates: [], statuses: [] };
    let running = true;
    const live = () => gateways.filter((gateway) => gateway.alive);
    const clients = Array.from({ length: options.clients }, () =>
      clientLoop(
        () => live(),
        key,
        acknowledged,
        () => running,
      ),
    );

    const phases: WebhookFaultResult['phases'] = [];
    const phaseMs = (options.seconds * 1000) / PHASES.length;
    for (const { phase, behaviour } of PHASES) {
      const started = Date.now();
      const callsBefore = receiver.calls.length;
      const takenBefore = receiver.taken.length;
      if (behaviour === 'down') {
        await receiver.stop();
        receiverUp = false;
        await sleep(phaseMs);
        await receiver.start(receiverPort);
        receiverUp = true;
      } else if (behaviour === 'kill') {
        receiver.behaviour = { kind: 'answer', status: 200, delayMs: 200 };
        // Killed while deliveries are in flight (each takes 200 ms to be answered).
        await sleep(phaseMs / 2);
        await gateways[0]!.kill();
        log(`webhooks: gateway 1 killed with deliveries in flight, ${receiver.calls.length} calls so far`);
        await sleep(phaseMs / 2);
        await gateways[0]!.start();
      } else {
        receiver.behaviour = behaviour;
        await sleep(phaseMs);
      }
      phases.push({
        phase,
        seconds: Math.round((Date.now() - started) / 100) / 10,
        calls: receiver.calls.length - callsBefore,
        taken: receiver.taken.length - takenBefore,
      });
      log(`webhooks: ${phase} done`);
    }
    running = false;
    await Promise.all(clients);
    receiver.behaviour = { kind: 'answer', status: 200 };
    await drained(database.url);
    const verdict = verdictOf(receiver.calls, acknowledged, secrets, await deliveriesMade(database.url));
    const ok = verdict.lost.length === 0 && verdict.disordered.length === 0 && verdict.wrong.length === 0;
    report(phases, verdict, ok);
    return { ok, phases, verdict };
  } finally {
    for (const step of cleanup.reverse()) await step().catch((error: unknown) => log(`cleanup: ${String(error)}`));
  }
}

/** A client: creates an order, then sets its status three times; each write repeated with its key until answered. */
async function clientLoop(
  gateways: () => GatewayProcess[],
  key: string,
  acknowledged: Acknowledged,
  running: () => boolean,
): Promise<void> {
  let status = 0;
  while (running()) {
    const created = await write(gateways, key, 'POST', '/System/Orders', orderBody(), running);
    if (!created) return;
    const order = (created as { id: number }).id;
    acknowledged.creates.push(order);
    for (let step = 0; step < 3 && running(); step += 1) {
      // Statuses 1 to 4 neither finish nor cancel the order, so every change is allowed.
      status = (status % 4) + 1;
      const changed = await write(
        gateways,
        key,
        'PATCH',
        `/System/Orders/${order}/status`,
        { status_id: status },
        running,
      );
      if (changed) acknowledged.statuses.push({ order, status });
    }
  }
}

/** One write with an Idempotency-Key, repeated (on any live gateway) until it is answered 2xx. */
async function write(
  gateways: () => GatewayProcess[],
  key: string,
  method: string,
  path: string,
  body: object,
  running: () => boolean,
): Promise<unknown> {
  const idempotencyKey = randomUUID();
  for (let attempt = 0; attempt < 200; attempt += 1) {
    const live = gateways();
    const gateway = live[attempt % Math.max(1, live.length)];
    if (gateway) {
      try {
        const response = await fetch(`${gateway.url}${path}`, {
          method,
          headers: { token: key, 'content-type': 'application/json', 'idempotency-key': idempotencyKey },
          body: JSON.stringify(body),
          signal: AbortSignal.timeout(5000),
        });
        if (response.ok) return await response.json();
        if (response.status < 500 && response.status !== 409 && response.status !== 429) {
          throw new Error(`${method} ${path} refused: ${response.status} ${await response.text()}`);
        }
      } catch (error) {
        if ((error as Error).message.includes('refused:')) throw error;
      }
    }
    // An acknowledged order must be finished even as the run ends; a new one is not started.
    if (!running() && method === 'POST' && attempt > 50) return null;
    await sleep(100);
  }
  throw new Error(`${method} ${path} never answered`);
}

async function drained(databaseUrl: string): Promise<void> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const deadline = Date.now() + 90_000;
    for (;;) {
      const { rows } = await client.query<{ pending: string }>(
        `SELECT count(*) AS pending FROM event_deliveries WHERE state = 'pending'`,
      );
      if (Number(rows[0]!.pending) === 0) return;
      if (Date.now() > deadline) throw new Error(`${rows[0]!.pending} deliveries still pending after 90 s`);
      await sleep(200);
    }
  } finally {
    await client.end();
  }
}

interface MadeDelivery {
  path: string;
  eventId: string;
  orderId: number;
  sequence: number;
}

async function deliveriesMade(databaseUrl: string): Promise<MadeDelivery[]> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ path: string; event_id: string; order_id: number; sequence: number }>(
      `SELECT s.path, d.event_id::text AS event_id, d.order_id, e.sequence
         FROM event_deliveries d JOIN event_subscriptions s ON s.id = d.subscription_id
         JOIN order_events e ON e.id = d.event_id ORDER BY d.id`,
    );
    return rows.map((row) => ({
      path: new URL(row.path).pathname,
      eventId: `evt_${row.event_id}`,
      orderId: row.order_id,
      sequence: row.sequence,
    }));
  } finally {
    await client.end();
  }
}

function eventOf(call: ReceivedCall): { order: number; status: number | null; sequence: number } {
  if (call.method === 'GET') {
    return {
      order: Number(call.url.searchParams.get('order')),
      status: Number(call.url.searchParams.get('status')),
      sequence: Number(call.url.searchParams.get('sequence')),
    };
  }
  const body = JSON.parse(call.body) as { order_id: number; status_id: number | null; sequence: number };
  return { order: body.order_id, status: body.status_id, sequence: body.sequence };
}

export function verdictOf(
  calls: ReceivedCall[],
  acknowledged: Acknowledged,
  secrets: Map<string, string>,
  made: MadeDelivery[],
): WebhookVerdict {
  const taken = calls.filter((call) => call.status !== undefined && call.status >= 200 && call.status < 300);
  const wrong: string[] = [];
  const seen = new Map<string, string>();
  let duplicated = 0;
  const firstTaken: ReceivedCall[] = [];
  for (const call of taken) {
    const id = String(call.headers['webhook-id']);
    const path = call.url.pathname;
    if (!verifySignature(secrets.get(path) ?? '', call.headers, signedContent(call))) {
      wrong.push(`${path} ${id}: the signature does not verify`);
    }
    const { order, sequence } = eventOf(call);
    const identity = `${path} order ${order} #${sequence}`;
    const earlier = seen.get(`${path}|${id}`);
    if (earlier !== undefined) {
      duplicated += 1;
      if (earlier !== identity) wrong.push(`${id} stood for ${earlier}, then for ${identity}`);
      continue;
    }
    seen.set(`${path}|${id}`, identity);
    firstTaken.push(call);
  }
  const byIdentity = new Map<string, string>();
  for (const [key, identity] of seen) {
    const id = key.split('|')[1]!;
    const other = byIdentity.get(identity);
    if (other && other !== id) wrong.push(`${identity} came under two ids, ${other} and ${id}`);
    byIdentity.set(identity, id);
  }
  const lost: string[] = [];
  const tookCreate = new Set(
    firstTaken.filter((call) => call.url.pathname === '/new').map((call) => eventOf(call).order),
  );
  for (const order of acknowledged.creates) if (!tookCreate.has(order)) lost.push(`order-new of order ${order}`);
  const statusCalls = firstTaken.filter((call) => call.url.pathname === '/status').map(eventOf);
  const remaining = new Map<string, number>();
  for (const one of statusCalls) {
    remaining.set(`${one.order}:${one.status}`, (remaining.get(`${one.order}:${one.status}`) ?? 0) + 1);
  }
  for (const { order, status } of acknowledged.statuses) {
    const left = remaining.get(`${order}:${status}`) ?? 0;
    if (left === 0) lost.push(`order-change-status of order ${order} to ${status}`);
    else remaining.set(`${order}:${status}`, left - 1);
  }
  for (const delivery of made) {
    if (!seen.has(`${delivery.path}|${delivery.eventId}`)) {
      lost.push(`delivery of ${delivery.eventId} to ${delivery.path}`);
    }
  }
  const disordered: string[] = [];
  const last = new Map<string, number>();
  for (const call of firstTaken) {
    const { order, sequence } = eventOf(call);
    const key = `${call.url.pathname} ${order}`;
    if ((last.get(key) ?? 0) >= sequence) disordered.push(`${key}: #${sequence} after #${last.get(key)}`);
    last.set(key, sequence);
  }
  return {
    expected: acknowledged.creates.length + acknowledged.statuses.length,
    sent: made.length,
    delivered: seen.size,
    duplicated,
    lost,
    disordered,
    wrong,
  };
}

function report(phases: WebhookFaultResult['phases'], verdict: WebhookVerdict, ok: boolean): void {
  console.log(`\nwebhooks through a failing receiver and a killed gateway: ${ok ? 'PASS' : 'FAIL'}`);
  console.table(phases);
  console.table({
    'events of acknowledged writes': verdict.expected,
    'deliveries made (sent)': verdict.sent,
    'events delivered': verdict.delivered,
    'duplicated (same webhook-id, dropped by the receiver)': verdict.duplicated,
    lost: verdict.lost.length,
    'out of order': verdict.disordered.length,
    'wrong (two ids for one event, bad signature)': verdict.wrong.length,
  });
  for (const line of [...verdict.lost, ...verdict.disordered, ...verdict.wrong].slice(0, 20)) console.log(`  ${line}`);
}
