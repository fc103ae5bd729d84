import net from 'node:net';
import pg from 'pg';
import { MplusSimulator } from '../../src/mplus/simulator/simulator-server.js';
import { orderBody } from '../support/factories.js';
import { environment, run, startGatewayProcess } from '../support/processes.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';
import { waitFor } from '../support/wait.js';

// The gateway as operators run it (src/main.ts, a real process): what it writes to its log,
// how it treats a client that sends too slowly, and how it stops on SIGTERM.

const SECRET = 'mplus-secret-7f3a9c';
let database: TestDatabase;
let simulator: MplusSimulator;
let key: string;

beforeAll(async () => {
  database = await createTestDatabase();
  simulator = new MplusSimulator({ ident: 'gateway', secret: SECRET });
  await simulator.start();
  key = await newAdminKey();
});
afterAll(async () => {
  await simulator.stop();
  await database.drop();
});

function gatewayEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return environment({
    DATABASE_URL: database.url,
    PORT: '0',
    MPLUS_URL: simulator.url,
    MPLUS_SECRET: SECRET,
    SYNC_POLL_INTERVAL_MS: '100',
    SYNC_PULL_INTERVAL_MS: '0',
    ...extra,
  });
}

async function newAdminKey(): Promise<string> {
  const tool = await run('src/bin/apikey.ts', ['create', '--name', 'ops test', '--rights', 'admin'], gatewayEnv());
  expect(tool.code).toBe(0);
  return tool.stdout.trim().split('\n').at(-1)!;
}

async function call(url: string, key: string | null, init: RequestInit = {}) {
  const response = await fetch(url, {
    ...init,
    headers: { ...(key ? { token: key } : {}), 'content-type': 'application/json', ...init.headers },
  });
  return { status: response.status, headers: response.headers, body: (await response.json()) as Record<string, any> }; // eslint-disable-line @typescript-eslint/no-explicit-any
}

it('writes JSON lines with the request id, and never a key, an order hash or the MplusKASSA secret', async () => {
  const gateway = await startGatewayProcess(gatewayEnv({ LOG_LEVEL: 'debug' }));
  try {
    const created = await call(`${gateway.url}/System/Orders`, key, {
      method: 'POST',
      body: JSON.stringify(orderBody()),
      headers: { 'x-request-id': 'log-test-create' },
    });
    expect(created.status).toBe(201);
    const order = await call(`${gateway.url}/System/Orders/${created.body.id}`, key);
    const byHash = await call(`${gateway.url}/System/Orders/${created.body.id}?hash=${order.body.hash}`, null);
    expect(byHash.status).toBe(200);
    const wrongKey = 'og_this-key-does-not-exist-0123456789';
    expect((await call(`${gateway.url}/System/Orders`, wrongKey)).status).toBe(401);
    expect(
      (
        await call(`${gateway.url}/System/Orders/1/paid`, key, {
          method: 'PATCH',
          body: '{"paid":',
          headers: { 'x-request-id': 'log-test-bad' },
        })
      ).status,
    ).toBe(400);
    // Forwarded to MplusKASSA meanwhile: its calls are logged too, at debug.
    await waitFor('the order to reach MplusKASSA', () =>
      simulator.calls.some((entry) => entry.operation === 'createOrder'),
    );
    await new Promise((resolve) => setTimeout(resolve, 300));
  } finally {
    expect(await gateway.stop()).toBe(0);
  }
  const output = gateway.output();
  const lines = output.split('\n').filter((line) => line.trim() !== '');
  expect(lines.length).toBeGreaterThan(10);
  const entries = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
  for (const entry of entries) {
    expect(entry).toMatchObject({ level: expect.any(String), time: expect.any(String), message: expect.any(String) });
  }

  for (const secret of [key, 'og_this-key-does-not-exist-0123456789', SECRET]) expect(output).not.toContain(secret);
  const client = new pg.Client({ connectionString: database.url });
  await client.connect();
  const hashes = (await client.query<{ hash: string }>('SELECT hash FROM orders')).rows.map((row) => row.hash);
  await client.end();
  for (const orderHash of hashes) expect(output).not.toContain(orderHash);

  // One access line per request, with its id; lines written while serving a request carry it too.
  const access = entries.filter((entry) => entry.message === 'request');
  expect(access.find((entry) => entry.request_id === 'log-test-create')).toMatchObject({
    method: 'POST',
    route: '/System/Orders',
    status: 201,
    duration_ms: expect.any(Number),
  });
  expect(access.find((entry) => String(entry.url).includes('hash='))?.url).toMatch(/hash=\[redacted\]$/);
  expect(entries.filter((entry) => entry.request_id === 'log-test-bad').map((entry) => entry.message)).toEqual(
    expect.arrayContaining(['Malformed request body', 'request']),
  );
}, 60_000);

it('cuts off a client that does not finish sending its request in time', async () => {
  const gateway = await startGatewayProcess(gatewayEnv({ HTTP_REQUEST_TIMEOUT_MS: '1500' }));
  try {
    const { port } = new URL(gateway.url);
    const socket = net.connect(Number(port), '127.0.0.1');
    await new Promise((resolve) => socket.once('connect', resolve));
    const started = Date.now();
    let answer = '';
    socket.on('data', (chunk: Buffer) => (answer += chunk.toString()));
    const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    // A byte written just as the gateway cuts the connection off comes back as a reset: that is
    // being cut off too, and what is measured is when.
    socket.on('error', () => undefined);
    // Headers, one byte at a time, never finished.
    const trickle = setInterval(() => {
      if (!socket.destroyed) socket.write('X');
    }, 200);
    socket.write(`POST /System/Orders HTTP/1.1\r\nHost: x\r\ntoken: ${key}\r\nContent-Length: 100\r\nX-Slow: `);
    await closed;
    clearInterval(trickle);
    const after = Date.now() - started;
    expect(after).toBeGreaterThanOrEqual(1400);
    expect(after).toBeLessThan(4000);
    expect(answer).toMatch(/^HTTP\/1\.1 408|^$/);
    // Others are served as usual meanwhile and after.
    expect((await call(`${gateway.url}/System/Orders`, key)).status).toBe(200);
  } finally {
    await gateway.stop();
  }
}, 60_000);

it('on SIGTERM refuses new requests, finishes those in flight and the running sync job, then exits 0', async () => {
  const gateway = await startGatewayProcess(gatewayEnv());
  simulator.setFaults([], 400);
  try {
    // A request that waits on MplusKASSA (400 ms a call), and an order whose forwarding is running.
    const created = await call(`${gateway.url}/System/Orders`, key, {
      method: 'POST',
      body: JSON.stringify(orderBody()),
    });
    expect(created.status).toBe(201);
    const callsBefore = simulator.calls.length;
    await waitFor('the forwarding job to start', () => simulator.calls.length > callsBefore, 10_000);
    const inFlight = call(`${gateway.url}/System/Lists/OrderCategories`, key);
    await new Promise((resolve) => setTimeout(resolve, 100));
    const exited = gateway.stop();
    await new Promise((resolve) => setTimeout(resolve, 100));
    const late = await call(`${gateway.url}/System/Orders`, key).catch((error: Error) => ({
      status: 0,
      error,
      body: {},
    }));
    expect([0, 503]).toContain(late.status);
    if (late.status === 503) expect(late.body).toMatchObject({ code: 'SHUTTING_DOWN' });
    expect((await inFlight).status).toBe(200);
    expect(await exited).toBe(0);
    // The job it was running finished: the order is in MplusKASSA and marked so.
    const client = new pg.Client({ connectionString: database.url });
    await client.connect();
    try {
      const pending = await client.query(
        'SELECT count(*)::int AS n FROM sync_events WHERE order_id = $1 AND processed_at IS NULL',
        [created.body.id],
      );
      expect(pending.rows[0].n).toBe(0);
    } finally {
      await client.end();
    }
    expect(gateway.output()).toContain('finishing requests in flight');
  } finally {
    simulator.setFaults([]);
  }
}, 60_000);
