import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import net from 'node:net';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { itemBody, orderBody } from '../test/support/factories.js';
import { environment, run, startGatewayProcess, type RunningGateway } from '../test/support/processes.js';

// What every fault scenario needs: a simulated MplusKASSA in a process of its own (it outlives
// the gateways that are killed), gateway processes on fixed ports, a load of clients that act as
// a careful integrator would (each write with an Idempotency-Key and an X-Request-Id, repeated
// with both when the answer did not come), and the check that nothing acknowledged was lost and
// nothing reached MplusKASSA twice.

const ROOT = path.join(import.meta.dirname, '..');
const TYPESCRIPT = ['--import', '@swc-node/register/esm-register'];
const SIM_IDENT = 'faults';
const SIM_SECRET = 'fault-secret';

export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

export function log(message: string): void {
  console.log(`[${new Date().toISOString().slice(11, 23)}] ${message}`);
}

// ---------------------------------------------------------------------------------------------
// The simulator, on its own.

export interface JournalEntry {
  operation: string;
  order_id: string;
  ext_order_id: string | null;
  result: string;
  prepay?: boolean;
}

interface SimulatorOrder {
  orderId: string;
  extOrderId?: string;
  lineList?: unknown[];
  paymentList?: Array<{ amount: number }>;
  deliveryState?: string;
  cancelState?: string;
}

export interface SimulatorState {
  orders: SimulatorOrder[];
  journal: JournalEntry[];
}

export class SimulatorProcess {
  private child: ChildProcess | undefined;
  url = '';

  async start(): Promise<void> {
    const port = await freePort();
    const child = spawn(process.execPath, [...TYPESCRIPT, path.join(ROOT, 'src', 'bin', 'mplus-simulator.ts')], {
      cwd: ROOT,
      env: environment({ MPLUS_SIM_PORT: String(port), MPLUS_SIM_IDENT: SIM_IDENT, MPLUS_SIM_SECRET: SIM_SECRET }),
    });
    this.child = child;
    let output = '';
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (chunk: Buffer) => {
        output += chunk.toString();
        if (output.includes('Simulated MplusKASSA on')) resolve();
      });
      child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
      child.on('exit', (code) => reject(new Error(`simulator exited with ${code}:\n${output}`)));
    });
    this.url = `http://127.0.0.1:${port}/`;
  }

  gatewayEnvironment(): NodeJS.ProcessEnv {
    return { MPLUS_URL: this.url, MPLUS_IDENT: SIM_IDENT, MPLUS_SECRET: SIM_SECRET };
  }

  async state(): Promise<SimulatorState> {
    const response = await fetch(`${this.url}_simulator/state`);
    return (await response.json()) as SimulatorState;
  }

  /** Fault rules as the control API takes them: {rules: [{mode, times?, operations?}], latency_ms}. */
  async faults(body: { rules: Array<Record<string, unknown>>; latency_ms?: number }): Promise<void> {
    const response = await fetch(`${this.url}_simulator/faults`, { method: 'PUT', body: JSON.stringify(body) });
    if (!response.ok) throw new Error(`setting faults failed: ${response.status} ${await response.text()}`);
  }

  async clearFaults(): Promise<void> {
    await fetch(`${this.url}_simulator/faults`, { method: 'DELETE' });
  }

  async stop(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
  }
}

// ---------------------------------------------------------------------------------------------
// Gateways.

/** Forwarding quickly, as in the sync tests; everything else as in production. */
export const GATEWAY_SETTINGS: NodeJS.ProcessEnv = {
  SYNC_WORKER: 'true',
  SYNC_POLL_INTERVAL_MS: '100',
  SYNC_RETRY_BASE_MS: '100',
  SYNC_RETRY_MAX_MS: '1000',
  SYNC_MAX_ATTEMPTS: '1000',
  SYNC_PULL_INTERVAL_MS: '0',
  MPLUS_CONNECT_TIMEOUT_MS: '500',
  MPLUS_READ_TIMEOUT_MS: '1500',
  MIGRATE_ON_START: 'true',
  LOG_REQUESTS: 'false',
  RATE_LIMIT_REQUESTS: '0',
  HOST: '127.0.0.1',
};

export class GatewayProcess {
  private running: RunningGateway | undefined;
  /** Set while the scenario itself ends the process (kill -9, stop). */
  private ending = false;
  readonly url: string;

  constructor(
    private readonly port: number,
    private readonly env: NodeJS.ProcessEnv,
  ) {
    this.url = `http://127.0.0.1:${port}`;
  }

  /** What the process wrote, for when a scenario fails. */
  output(): string {
    return this.running?.output() ?? '';
  }

  get alive(): boolean {
    return this.running !== undefined && this.running.process.exitCode === null;
  }

  async start(): Promise<void> {
    const running = await startGatewayProcess(
      environment({ ...GATEWAY_SETTINGS, ...this.env, PORT: String(this.port) }),
    );
    this.running = running;
    this.ending = false;
    // A gateway that ends by itself is a finding of its own, whatever the scenario checks later.
    running.process.once('exit', (code, signal) => {
      if (this.ending) return;
      log(`the gateway on ${this.url} exited by itself (${signal ?? code}); the end of its log:`);
      log(running.output().split('\n').slice(-60).join('\n'));
    });
  }

  /** kill -9: no shutdown of any kind. */
  async kill(): Promise<void> {
    const running = this.running;
    if (!running || running.process.exitCode !== null) return;
    const exited = new Promise((resolve) => running.process.once('exit', resolve));
    this.ending = true;
    running.process.kill('SIGKILL');
    await exited;
  }

  async stop(): Promise<void> {
    this.ending = true;
    if (this.alive) await this.running?.stop();
  }
}

export async function createAdminKey(databaseUrl: string): Promise<string> {
  const result = await run('src/bin/apikey.ts', ['create', '--name', 'faults', '--rights', 'admin'], {
    ...environment({}),
    DATABASE_URL: databaseUrl,
  });
  const key = result.stdout.trim().split('\n').at(-1);
  if (result.code !== 0 || !key?.startsWith('og_')) throw new Error(`creating a key failed:\n${result.stderr}`);
  return key;
}

// ---------------------------------------------------------------------------------------------
// The load: clients that create orders and take them through their life.

export type WriteKind = 'create' | 'item' | 'paid' | 'sent' | 'cancel';

export interface AcknowledgedWrite {
  kind: WriteKind;
  orderId: number;
  externalId: string;
  requestId: string;
}

export interface LoadFigures {
  acknowledged: number;
  ordersAcknowledged: number;
  attempts: number;
  repeated: number;
  gaveUp: number;
  refused: string[];
}

const RETRYABLE_STATUS = new Set([408, 409, 429, 500, 502, 503, 504]);

export class OrderLoad {
  readonly acknowledged: AcknowledgedWrite[] = [];
  readonly runId = `r${Date.now().toString(36)}`;
  private readonly figures = { attempts: 0, repeated: 0, gaveUp: 0, refused: [] as string[] };
  private running: Array<Promise<void>> = [];
  private stopping = false;
  private next = 0;

  constructor(
    private readonly gateways: () => string[],
    private readonly key: string,
    private readonly clients: number,
    /** How long one request is repeated before the client gives up on it. */
    private readonly patienceMs = 90_000,
  ) {}

  start(): void {
    this.running = Array.from({ length: this.clients }, (_, client) => this.client(client));
  }

  async stop(): Promise<LoadFigures> {
    this.stopping = true;
    await Promise.all(this.running);
    return {
      acknowledged: this.acknowledged.length,
      ordersAcknowledged: this.acknowledged.filter((write) => write.kind === 'create').length,
      ...this.figures,
    };
  }

  private async client(client: number): Promise<void> {
    while (!this.stopping) {
      const sequence = (this.next += 1);
      const externalId = `${this.runId}-${sequence}`;
      const body = orderBody({
        external_order_prefix: 'FAULT',
        external_order_id: externalId,
        email: `${externalId}@example.cz`,
        items: [
          itemBody(),
          itemBody({ article_number: '1003', name: 'Tea', count: 1, price: { base_price: 4.5, vat: 21 } }),
        ],
      });
      const orderId = await this.write('create', 0, externalId, client, 'POST', '/System/Orders', body);
      if (orderId === null) continue;
      type Step = [WriteKind, 'POST' | 'PATCH', string, unknown];
      const lifecycle: Step[] =
        sequence % 4 === 0
          ? [['cancel', 'PATCH', `/System/Orders/${orderId}/cancel`, {}]]
          : [
              [
                'paid',
                'PATCH',
                `/System/Orders/${orderId}/paid`,
                { paid: 5, status: 'success', payment_id: `pay-${externalId}` },
              ],
              ['sent', 'PATCH', `/System/Orders/${orderId}/sent`, {}],
            ];
      const steps: Step[] = [['item', 'POST', `/System/Orders/${orderId}/item`, addedItem(sequence)], ...lifecycle];
      for (const [kind, method, route, body] of steps) {
        if ((await this.write(kind, orderId, externalId, client, method, route, body)) === null) break;
      }
    }
  }

  /** One write, repeated with the same keys until it is answered; the order id, or null. */
  private async write(
    kind: WriteKind,
    orderId: number,
    externalId: string,
    client: number,
    method: string,
    route: string,
    body: unknown,
  ): Promise<number | null> {
    const requestId = randomUUID();
    const started = Date.now();
    for (let attempt = 0; ; attempt += 1) {
      const urls = this.gateways();
      const url = urls[(client + attempt) % urls.length]!;
      this.figures.attempts += 1;
      if (attempt > 0) this.figures.repeated += 1;
      try {
        const response = await fetch(`${url}${route}`, {
          method,
          headers: {
            token: this.key,
            'content-type': 'application/json',
            'idempotency-key': requestId,
            'x-request-id': requestId,
          },
          body: JSON.stringify(body),
          signal: AbortSignal.timeout(10_000),
        });
        const text = await response.text();
        if (response.ok) {
          const id = kind === 'create' ? (JSON.parse(text) as { id: number }).id : orderId;
          this.acknowledged.push({ kind, orderId: id, externalId, requestId });
          return id;
        }
        if (!RETRYABLE_STATUS.has(response.status)) {
          this.figures.refused.push(`${method} ${route} → ${response.status} ${text.slice(0, 200)}`);
          return null;
        }
      } catch {
        // Connection refused or reset, or no answer in time: the write may or may not have happened.
      }
      if (Date.now() - started > this.patienceMs) {
        this.figures.gaveUp += 1;
        return null;
      }
      await sleep(100 + Math.random() * 200);
    }
  }
}

function addedItem(sequence: number) {
  return itemBody({ article_number: '1002', name: `Saucer ${sequence}`, count: 1, price: { base_price: 5, vat: 21 } });
}

// ---------------------------------------------------------------------------------------------
// The check.

export interface Verdict {
  /** Acknowledged creates or writes not found in the gateway's store. */
  lost: string[];
  /** Anything that happened twice: a change in the history, an order or a change in MplusKASSA. */
  duplicated: string[];
  /** Orders whose changes MplusKASSA took in another order than they happened, or that differ. */
  disordered: string[];
  ordersInGateway: number;
  ordersInBackOffice: number;
  changesForwarded: number;
  drainSeconds: number;
}

const OPERATION_OF: Record<string, string> = {
  create: 'createOrder',
  update: 'updateOrder',
  pay: 'payOrder',
  deliver: 'deliverOrder',
  cancel: 'cancelOrder',
};

/** Waits until every change is forwarded (or fails the wait), then compares all three sides. */
export async function verify(
  databaseUrl: string,
  simulator: SimulatorProcess,
  load: OrderLoad,
  drainTimeoutMs = 180_000,
): Promise<Verdict> {
  const db = new pg.Client({ connectionString: databaseUrl });
  await db.connect();
  try {
    const drainStarted = Date.now();
    let lastProgress = drainStarted;
    for (;;) {
      const { rows } = await db.query<{ pending: number; failed: number }>(
        `SELECT (SELECT count(*)::int FROM sync_events WHERE processed_at IS NULL) AS pending,
                (SELECT count(*)::int FROM order_sync WHERE status = 'failed') AS failed`,
      );
      if (rows[0]!.failed > 0) throw new Error(`${rows[0]!.failed} orders failed to sync`);
      if (rows[0]!.pending === 0) break;
      if (Date.now() - lastProgress > 10_000) {
        lastProgress = Date.now();
        log(`${rows[0]!.pending} changes not forwarded yet: ${JSON.stringify((await stuckChanges(db))[0] ?? null)}`);
      }
      if (Date.now() - drainStarted > drainTimeoutMs) {
        const stuck = await stuckChanges(db);
        throw new Error(
          `${rows[0]!.pending} changes still not forwarded after ${drainTimeoutMs / 1000} s: ${JSON.stringify(stuck, null, 1)}`,
        );
      }
      await sleep(250);
    }
    const drainSeconds = (Date.now() - drainStarted) / 1000;

    const verdict: Verdict = {
      lost: [],
      duplicated: [],
      disordered: [],
      ordersInGateway: 0,
      ordersInBackOffice: 0,
      changesForwarded: 0,
      drainSeconds,
    };
    const orders = (
      await db.query<{
        id: number;
        external_order_id: string;
        external_id: string;
        back_office_order_id: string | null;
        items: number;
        paid_cents: number;
        sent: boolean;
        canceled: boolean;
      }>(
        `SELECT o.id, o.external_order_id, s.external_id, s.back_office_order_id,
                (SELECT count(*)::int FROM order_items i WHERE i.order_id = o.id) AS items,
                round(o.paid * 100)::int AS paid_cents, o.sent, o.canceled
           FROM orders o JOIN order_sync s ON s.order_id = o.id
          WHERE o.external_order_prefix = 'FAULT' AND o.external_order_id LIKE $1`,
        [`${load.runId}-%`],
      )
    ).rows;
    verdict.ordersInGateway = orders.length;
    const byId = new Map(orders.map((order) => [order.id, order]));

    // Everything acknowledged is there, once.
    const history = new Map(
      (
        await db.query<{ request_id: string; entries: number }>(
          `SELECT request_id, count(*)::int AS entries FROM order_history
            WHERE request_id = ANY($1::text[]) GROUP BY request_id`,
          [load.acknowledged.map((write) => write.requestId)],
        )
      ).rows.map((row) => [row.request_id, row.entries]),
    );
    for (const write of load.acknowledged) {
      const order = byId.get(write.orderId);
      if (!order || order.external_order_id !== write.externalId) {
        verdict.lost.push(`${write.kind} of order ${write.orderId} (${write.externalId})`);
        continue;
      }
      const entries = history.get(write.requestId) ?? 0;
      if (entries === 0) verdict.lost.push(`${write.kind} of order ${write.orderId}: no history entry`);
      if (entries > 1) verdict.duplicated.push(`${write.kind} of order ${write.orderId}: ${entries} history entries`);
    }

    // MplusKASSA holds each order once, with the same content, and took its changes in order.
    const state = await simulator.state();
    const runOrders = state.orders.filter((order) => order.extOrderId?.includes(load.runId));
    verdict.ordersInBackOffice = runOrders.length;
    const inBackOffice = new Map<string, SimulatorOrder[]>();
    for (const order of runOrders) {
      inBackOffice.set(order.extOrderId!, [...(inBackOffice.get(order.extOrderId!) ?? []), order]);
    }
    const journal = new Map<string, JournalEntry[]>();
    for (const entry of state.journal) {
      if (!entry.ext_order_id?.includes(load.runId) || !entry.result.endsWith('-OK')) continue;
      journal.set(entry.ext_order_id, [...(journal.get(entry.ext_order_id) ?? []), entry]);
    }
    const events = new Map<number, string[]>();
    for (const row of (
      await db.query<{ order_id: number; kind: string }>(
        `SELECT order_id, kind FROM sync_events WHERE order_id = ANY($1::int[]) ORDER BY id`,
        [orders.map((order) => order.id)],
      )
    ).rows) {
      events.set(row.order_id, [...(events.get(row.order_id) ?? []), row.kind]);
    }
    const known = new Set(orders.map((order) => order.external_id));
    for (const extOrderId of inBackOffice.keys()) {
      if (!known.has(extOrderId)) verdict.duplicated.push(`MplusKASSA order ${extOrderId} the gateway does not have`);
    }
    for (const order of orders) {
      const copies = inBackOffice.get(order.external_id) ?? [];
      if (copies.length === 0) {
        verdict.lost.push(`order ${order.id} (${order.external_id}) is not in MplusKASSA`);
        continue;
      }
      if (copies.length > 1) verdict.duplicated.push(`order ${order.id} is ${copies.length} times in MplusKASSA`);
      const copy = copies[0]!;
      const paidCents = (copy.paymentList ?? []).reduce((sum, payment) => sum + payment.amount, 0);
      const differences = [
        (copy.lineList ?? []).length !== order.items && `lines ${(copy.lineList ?? []).length} ≠ ${order.items}`,
        paidCents !== order.paid_cents && `paid ${paidCents} ≠ ${order.paid_cents} cents`,
        (copy.deliveryState === 'ORDER-DELIVERY-STATE-COMPLETE') !== order.sent && `delivered ≠ sent ${order.sent}`,
        (copy.cancelState === 'ORDER-CANCEL-STATE-COMPLETE') !== order.canceled && `cancelled ≠ ${order.canceled}`,
      ].filter(Boolean);
      if (paidCents > order.paid_cents) verdict.duplicated.push(`order ${order.id} paid twice in MplusKASSA`);
      else if (differences.length > 0) verdict.disordered.push(`order ${order.id}: ${differences.join(', ')}`);

      // Each change taken once, in the order it happened (an update repeated, or made moot by a
      // later one, answers NO-CHANGES and is not counted).
      const taken = (journal.get(order.external_id) ?? []).map((entry) => entry.operation);
      const expected = (events.get(order.id) ?? []).map((kind) => OPERATION_OF[kind]!);
      verdict.changesForwarded += expected.length;
      const withoutUpdates = (operations: string[]) => operations.filter((operation) => operation !== 'updateOrder');
      const updatesTaken = taken.filter((operation) => operation === 'updateOrder').length;
      const updatesExpected = expected.filter((operation) => operation === 'updateOrder').length;
      if (withoutUpdates(taken).join() !== withoutUpdates(expected).join()) {
        const twice = withoutUpdates(taken).length > withoutUpdates(expected).length;
        (twice ? verdict.duplicated : verdict.disordered).push(
          `order ${order.id}: MplusKASSA took ${taken.join(' ')}; the changes were ${expected.join(' ')}`,
        );
      } else if (updatesTaken > updatesExpected) {
        verdict.duplicated.push(`order ${order.id}: ${updatesTaken} updates taken for ${updatesExpected}`);
      }
    }
    return verdict;
  } finally {
    await db.end();
  }
}

/** Changes not forwarded yet, with their order's sync state and lease, to tell why. */
async function stuckChanges(db: pg.Client): Promise<unknown[]> {
  const { rows } = await db.query<Record<string, unknown>>(
    `SELECT e.order_id, e.kind, s.status, s.attempts, s.last_error, s.run_at, s.leased_by, s.leased_at
       FROM sync_events e JOIN order_sync s USING (order_id)
      WHERE e.processed_at IS NULL ORDER BY e.id LIMIT 10`,
  );
  return rows;
}

export function report(name: string, figures: Record<string, unknown>, verdict: Verdict): boolean {
  const ok = verdict.lost.length === 0 && verdict.duplicated.length === 0 && verdict.disordered.length === 0;
  console.log(`\n${name}: ${ok ? 'PASS' : 'FAIL'}`);
  console.table({
    ...figures,
    'orders in the gateway': verdict.ordersInGateway,
    'orders in MplusKASSA': verdict.ordersInBackOffice,
    'changes forwarded': verdict.changesForwarded,
    'drain after the load (s)': verdict.drainSeconds.toFixed(1),
    lost: verdict.lost.length,
    duplicated: verdict.duplicated.length,
    'out of order or different': verdict.disordered.length,
  });
  for (const line of [...verdict.lost, ...verdict.duplicated, ...verdict.disordered].slice(0, 20)) {
    console.log(`  ${line}`);
  }
  return ok;
}
