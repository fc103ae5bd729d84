import { setTimeout as sleep } from 'node:timers/promises';
import { createEmptyDatabase } from '../test/support/test-database.js';
import {
  GatewayProcess,
  OrderLoad,
  SimulatorProcess,
  createAdminKey,
  freePort,
  log,
  report,
  verify,
  type LoadFigures,
  type Verdict,
} from './harness.js';
import { TemporaryCluster } from './postgres-cluster.js';

// The fault scenarios of the reliability promise. Each runs a load of clients creating orders and
// taking them through item changes, payments, shipping and cancellation, breaks something under
// it, lets it recover, and then checks that every acknowledged write is there once and that
// MplusKASSA holds each order once, with each change taken once and in order.

export interface ScenarioOptions {
  seconds: number;
  clients: number;
  /** How long forwarding may take to drain after the load before the scenario fails (180 s). */
  drainTimeoutMs?: number;
}

export interface ScenarioResult {
  ok: boolean;
  figures: Record<string, unknown>;
  verdict: Verdict;
}

interface Setup {
  databaseUrl: string;
  simulator: SimulatorProcess;
  gateways: GatewayProcess[];
  cleanup: Array<() => Promise<void>>;
}

async function withSetup(
  databaseUrl: string | undefined,
  work: (setup: Setup) => Promise<ScenarioResult>,
): Promise<ScenarioResult> {
  const cleanup: Array<() => Promise<void>> = [];
  try {
    let url = databaseUrl;
    if (!url) {
      const database = await createEmptyDatabase();
      cleanup.push(() => database.drop());
      url = database.url;
    }
    const simulator = new SimulatorProcess();
    cleanup.push(() => simulator.stop());
    await simulator.start();
    return await work({ databaseUrl: url, simulator, gateways: [], cleanup });
  } finally {
    for (const step of cleanup.reverse()) await step().catch((error: unknown) => log(`cleanup: ${String(error)}`));
  }
}

async function startGateways(setup: Setup, count: number, extra: NodeJS.ProcessEnv = {}): Promise<GatewayProcess[]> {
  const gateways: GatewayProcess[] = [];
  for (let i = 0; i < count; i += 1) {
    const gateway = new GatewayProcess(await freePort(), {
      DATABASE_URL: setup.databaseUrl,
      ...setup.simulator.gatewayEnvironment(),
      ...extra,
    });
    setup.cleanup.push(() => gateway.stop());
    await gateway.start();
    gateways.push(gateway);
    setup.gateways.push(gateway);
  }
  return gateways;
}

function figuresOf(load: LoadFigures): Record<string, unknown> {
  return {
    'writes acknowledged': load.acknowledged,
    'orders acknowledged': load.ordersAcknowledged,
    'requests sent': load.attempts,
    'requests repeated': load.repeated,
    'writes given up': load.gaveUp,
    'refused (4xx)': load.refused.length,
  };
}

async function finish(
  name: string,
  setup: Setup,
  load: OrderLoad,
  extra: Record<string, unknown>,
  drainTimeoutMs?: number,
): Promise<ScenarioResult> {
  const loadFigures = await load.stop();
  log(`${name}: load stopped; waiting for everything to reach MplusKASSA`);
  let verdict: Verdict;
  try {
    verdict = await verify(setup.databaseUrl, setup.simulator, load, drainTimeoutMs);
  } catch (error) {
    for (const [i, gateway] of setup.gateways.entries()) {
      log(`gateway ${i + 1}, the end of its log:\n${gateway.output().split('\n').slice(-60).join('\n')}`);
    }
    throw error;
  }
  for (const refusal of loadFigures.refused.slice(0, 5)) log(`refused: ${refusal}`);
  const figures = { ...figuresOf(loadFigures), ...extra };
  const ok = report(name, figures, verdict) && loadFigures.refused.length === 0;
  return { ok, figures, verdict };
}

/** kill -9 of the gateway, again and again, under load; it is started again each time. */
export function killGateway(options: ScenarioOptions & { kills: number }): Promise<ScenarioResult> {
  return withSetup(undefined, async (setup) => {
    const [gateway] = await startGateways(setup, 1);
    const key = await createAdminKey(setup.databaseUrl);
    // Calls that take a while, so that each kill finds forwarding jobs in flight.
    await setup.simulator.faults({ rules: [], latency_ms: 10 });
    const load = new OrderLoad(() => [gateway!.url], key, options.clients);
    load.start();
    const started = Date.now();
    const between = (options.seconds * 1000) / (options.kills + 1);
    for (let kill = 1; kill <= options.kills; kill += 1) {
      await sleep(between * (0.5 + Math.random()));
      await gateway!.kill();
      log(
        `kill -9 #${kill} after ${((Date.now() - started) / 1000).toFixed(1)} s, ${load.acknowledged.length} writes acknowledged`,
      );
      await gateway!.start();
    }
    await sleep(Math.max(0, options.seconds * 1000 - (Date.now() - started)));
    return finish('kill -9 of the gateway under load', setup, load, { kills: options.kills });
  });
}

/** Postgres stopped as in a crash and started again under load. */
export function restartPostgres(
  options: ScenarioOptions & { restarts: number; downMs: number },
): Promise<ScenarioResult> {
  const cluster = new TemporaryCluster();
  return (async () => {
    await cluster.start();
    try {
      return await withSetup(cluster.url, async (setup) => {
        const [gateway] = await startGateways(setup, 1);
        const key = await createAdminKey(setup.databaseUrl);
        const readiness = new ReadinessWatch(gateway!.url);
        readiness.start();
        const load = new OrderLoad(() => [gateway!.url], key, options.clients);
        load.start();
        const started = Date.now();
        const between = (options.seconds * 1000) / (options.restarts + 1);
        for (let restart = 1; restart <= options.restarts; restart += 1) {
          await sleep(between);
          log(`Postgres restart #${restart} (down ${options.downMs} ms)`);
          await cluster.restart(options.downMs);
        }
        await sleep(Math.max(0, options.seconds * 1000 - (Date.now() - started)));
        const watched = await readiness.stop();
        const result = await finish(
          'Postgres restarted under load',
          setup,
          load,
          {
            restarts: options.restarts,
            'readiness 503 seen': watched.notReady,
            'ready again at the end': watched.readyAtEnd,
          },
          options.drainTimeoutMs,
        );
        return {
          ...result,
          ok: result.ok && watched.notReady > 0 && watched.readyAtEnd,
        };
      });
    } finally {
      await cluster.stop();
    }
  })();
}

/** MplusKASSA unreachable, then slower than the gateway waits, then losing every answer after committing. */
export function backOfficeFaults(options: ScenarioOptions): Promise<ScenarioResult> {
  return withSetup(undefined, async (setup) => {
    const [gateway] = await startGateways(setup, 1);
    const key = await createAdminKey(setup.databaseUrl);
    const load = new OrderLoad(() => [gateway!.url], key, options.clients);
    load.start();
    const phase = (options.seconds * 1000) / 4;
    const writes = ['createOrder', 'updateOrder', 'payOrder', 'deliverOrder', 'cancelOrder'];
    log('MplusKASSA down (connections dropped)');
    await setup.simulator.faults({ rules: [{ mode: 'drop' }] });
    await sleep(phase);
    log('MplusKASSA slower than MPLUS_READ_TIMEOUT_MS (answers after the gateway gave up)');
    await setup.simulator.faults({ rules: [], latency_ms: 2000 });
    await sleep(phase);
    log('MplusKASSA commits every write, then drops the answer');
    await setup.simulator.faults({ rules: [{ mode: 'commit-then-drop', operations: writes }] });
    await sleep(phase);
    log('MplusKASSA healthy again');
    await setup.simulator.clearFaults();
    await sleep(phase);
    return finish('MplusKASSA down, slow, and failing after commit', setup, load, {});
  });
}

/** Three gateway processes on one Postgres, all forwarding; clients spread over them. */
export function threeGateways(options: ScenarioOptions): Promise<ScenarioResult> {
  return withSetup(undefined, async (setup) => {
    const gateways = await startGateways(setup, 3);
    const key = await createAdminKey(setup.databaseUrl);
    // A little latency, so that the workers of the three overlap on every order.
    await setup.simulator.faults({ rules: [], latency_ms: 5 });
    const load = new OrderLoad(() => gateways.map((gateway) => gateway.url), key, options.clients);
    load.start();
    await sleep(options.seconds * 1000);
    return finish('three gateways draining one outbox', setup, load, { gateways: 3 });
  });
}

/** Polls /health/ready: how often it said 503, and whether it is 200 again. */
class ReadinessWatch {
  notReady = 0;
  private stopped = false;
  private loop: Promise<void> | undefined;

  constructor(private readonly url: string) {}

  start(): void {
    this.loop = (async () => {
      while (!this.stopped) {
        if ((await this.status()) === 503) this.notReady += 1;
        await sleep(200);
      }
    })();
  }

  async stop(): Promise<{ notReady: number; readyAtEnd: boolean }> {
    this.stopped = true;
    await this.loop;
    let ready = false;
    for (let attempt = 0; attempt < 50 && !ready; attempt += 1) {
      ready = (await this.status()) === 200;
      if (!ready) await sleep(200);
    }
    return { notReady: this.notReady, readyAtEnd: ready };
  }

  private async status(): Promise<number> {
    try {
      return (await fetch(`${this.url}/health/ready`, { signal: AbortSignal.timeout(3000) })).status;
    } catch {
      return 0;
    }
  }
}
