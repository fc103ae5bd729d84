import { createHash, randomBytes, randomInt } from 'node:crypto';
import net from 'node:net';
import pg from 'pg';
import { GatewayProcess, SimulatorProcess, freePort } from '../../faults/harness.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

// Three gateway processes on one database share one count per key: a key with a limit of 30 gets
// 30 answers in all, whichever process it asks, with the counters in Postgres and with them in
// Redis (the machine's, when it runs). With a limit of 200 each process takes the allowance ten
// at a time: never more than the limit in all, and at most three shares fewer.
const REDIS = { host: '127.0.0.1', port: 6379 };

let database: TestDatabase;
let simulator: SimulatorProcess;
beforeAll(async () => {
  database = await createTestDatabase();
  simulator = new SimulatorProcess();
  await simulator.start();
});
afterAll(async () => {
  await simulator.stop();
  await database.drop();
});

/** A key of its own (an id no other run has, since Redis outlives test databases). */
async function newKey(): Promise<string> {
  const key = `og_${randomBytes(32).toString('base64url')}`;
  const db = new pg.Client({ connectionString: database.url });
  await db.connect();
  try {
    await db.query(
      `INSERT INTO api_keys (id, name, prefix, key_hash, rights) VALUES ($1, 'limited', 'og_lim', $2, $3)`,
      [randomInt(1_000_000, 2_000_000_000), createHash('sha256').update(key).digest('hex'), ['orders:read']],
    );
  } finally {
    await db.end();
  }
  return key;
}

async function threeGateways(limit: number, env: NodeJS.ProcessEnv): Promise<GatewayProcess[]> {
  const gateways = await Promise.all(
    [0, 1, 2].map(
      async () =>
        new GatewayProcess(await freePort(), {
          DATABASE_URL: database.url,
          ...simulator.gatewayEnvironment(),
          SYNC_WORKER: 'false',
          RATE_LIMIT_REQUESTS: String(limit),
          // Long enough that the whole burst falls in one window.
          RATE_LIMIT_WINDOW_MS: '120000',
          ...env,
        }),
    ),
  );
  // One first, so that the others find the migrations applied.
  await gateways[0]!.start();
  await Promise.all(gateways.slice(1).map((gateway) => gateway.start()));
  return gateways;
}

/** Twice the limit, round robin over the gateways, a few at a time: the statuses by gateway. */
async function burst(gateways: GatewayProcess[], key: string, limit: number): Promise<number[][]> {
  const statuses: number[][] = gateways.map(() => []);
  for (let i = 0; i < 2 * limit; i += 6) {
    await Promise.all(
      Array.from({ length: 6 }, async (_, j) => {
        const index = (i + j) % gateways.length;
        const answer = await fetch(`${gateways[index]!.url}/System/Orders`, { headers: { token: key } });
        statuses[index]!.push(answer.status);
      }),
    );
  }
  return statuses;
}

function redisAnswers(): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(REDIS, () => {
      socket.end();
      resolve(true);
    });
    socket.on('error', () => resolve(false));
  });
}

const REDIS_ENV = { REDIS_URL: `redis://${REDIS.host}:${REDIS.port}` };

it.each([
  ['Postgres', 30, {}],
  ['Redis', 30, REDIS_ENV],
  ['Postgres', 200, {}],
  ['Redis', 200, REDIS_ENV],
] as const)(
  'counts a key once across three gateways, with the counters in %s, limit %i',
  async (store, limit, env) => {
    if (store === 'Redis' && !(await redisAnswers())) {
      console.warn(`Skipping the Redis case: nothing answers on ${REDIS.host}:${REDIS.port}.`);
      return;
    }
    const gateways = await threeGateways(limit, env);
    try {
      const key = await newKey();
      const statuses = await burst(gateways, key, limit);
      const all = statuses.flat();
      const allowed = all.filter((status) => status === 200).length;
      const share = Math.floor(limit / 20);
      expect(all.filter((status) => status !== 200 && status !== 429)).toEqual([]);
      expect(allowed).toBeLessThanOrEqual(limit);
      // Exact below 40 a window; above, at most a share per process lost.
      expect(allowed).toBeGreaterThanOrEqual(share <= 1 ? limit : limit - gateways.length * share);
      // Every gateway answered some of each: the count is the key's, not the process's.
      for (const one of statuses) expect(one.filter((status) => status === 200).length).toBeLessThan(allowed);
      // Another key has its own count.
      expect((await fetch(`${gateways[2]!.url}/System/Orders`, { headers: { token: await newKey() } })).status).toBe(
        200,
      );
    } finally {
      await Promise.all(gateways.map((gateway) => gateway.stop()));
    }
  },
  120_000,
);
