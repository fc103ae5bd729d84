import pg from 'pg';
import { createOrder, itemBody, orderBody } from '../support/factories.js';
import { startGateway, type TestGateway } from '../support/gateway.js';
import { waitFor } from '../support/wait.js';

let gateway: TestGateway;
let orderId: number;
beforeAll(async () => {
  gateway = await startGateway();
  orderId = await createOrder(gateway);
});
afterAll(() => gateway.close());

// Every route with the right it needs; each is tried without a key, with a key lacking the
// right, and with a key holding only that right.
const ROUTES: Array<[string, string, (id: number) => string, object | undefined, string]> = [
  ['post', 'create', () => '/System/Orders', orderBody(), 'orders:write'],
  ['get', 'list', () => '/System/Orders', undefined, 'orders:read'],
  ['get', 'get', (id) => `/System/Orders/${id}`, undefined, 'orders:read'],
  ['put', 'address', () => '/System/Orders', { id: 0 }, 'orders:write'],
  ['post', 'item add', (id) => `/System/Orders/${id}/item`, itemBody(), 'orders:write'],
  ['put', 'item edit', (id) => `/System/Orders/${id}/item`, { id: 1, count: 1 }, 'orders:write'],
  ['delete', 'item delete', (id) => `/System/Orders/${id}/item/999999`, undefined, 'orders:write'],
  ['get', 'statuses', () => '/System/Orders/Statuses', undefined, 'orders:read'],
  ['get', 'status', () => '/System/Orders/Statuses/1', undefined, 'orders:read'],
  ['patch', 'set status', (id) => `/System/Orders/${id}/status`, { status_id: 1 }, 'orders:write'],
  [
    'post',
    'tracking',
    (id) => `/System/Orders/${id}/tracking`,
    { shipper_id: 1, tracking_number: 'A1' },
    'orders:write',
  ],
  [
    'post',
    'history add',
    (id) => `/System/Orders/${id}/history`,
    { type: 'order', record: { name: 'x' } },
    'orders:write',
  ],
  ['get', 'history', (id) => `/System/Orders/${id}/history`, undefined, 'orders:read'],
  ['patch', 'paid', (id) => `/System/Orders/${id}/paid`, { paid: 1, status: 'denied' }, 'orders:pay'],
  ['patch', 'done', (id) => `/System/Orders/${id}/done`, undefined, 'orders:write'],
  ['patch', 'cancel', (id) => `/System/Orders/${id}/cancel`, undefined, 'orders:write'],
  ['patch', 'sent', (id) => `/System/Orders/${id}/sent`, undefined, 'orders:write'],
  ['patch', 'delivered', (id) => `/System/Orders/${id}/delivered`, undefined, 'orders:write'],
  ['get', 'shippers', () => '/System/Lists/Shippers', undefined, 'orders:read'],
  ['get', 'shipper', () => '/System/Lists/Shippers/1', undefined, 'orders:read'],
];

function call(method: string, path: string, body: object | undefined, key: string) {
  switch (method) {
    case 'get':
      return gateway.get(path, key);
    case 'delete':
      return gateway.delete(path, key);
    case 'post':
      return gateway.post(path, body, key);
    case 'put':
      return gateway.put(path, body, key);
    default:
      return gateway.patch(path, body, key);
  }
}

describe.each(ROUTES)('%s %s', (method, _name, path, body, right) => {
  it('answers 401 without a key, and with an unknown one', async () => {
    const none = await call(method, path(orderId), body, '').unset('token');
    expect(none.status).toBe(401);
    expect(none.body).toMatchObject({ code: 'UNAUTHENTICATED', message: 'Missing or invalid API key' });
    expect((await call(method, path(orderId), body, 'og_not-a-real-key')).status).toBe(401);
  });

  it(`answers 403 to a key without ${right}`, async () => {
    const others = (['orders:read', 'orders:write', 'orders:pay'] as const).filter((candidate) => candidate !== right);
    const response = await call(method, path(orderId), body, await gateway.keyWith(...others));
    expect(response.status).toBe(403);
    expect(response.body).toMatchObject({
      code: 'FORBIDDEN',
      required_right: right,
      detail: `This route needs the right ${right}.`,
    });
  });

  it(`lets a key with only ${right} through`, async () => {
    const response = await call(method, path(orderId), body, await gateway.keyWith(right as 'orders:read'));
    expect([401, 403]).not.toContain(response.status);
  });
});

describe('API keys', () => {
  it('accepts Authorization: Bearer as well as the token header', async () => {
    const response = await gateway
      .get('/System/Orders')
      .unset('token')
      .set('Authorization', `Bearer ${gateway.adminKey}`);
    expect(response.status).toBe(200);
  });

  // Keys a process has checked are cached; a change to api_keys, wherever it is made, reaches
  // every process's cache through Postgres's notice within moments of its commit.
  it('stops a revoked or expired key within moments, in every gateway process', async () => {
    const other = await startGateway({}, { database: gateway.database });
    const client = new pg.Client({ connectionString: gateway.database.url });
    await client.connect();
    const prefixOf = (key: string) => key.slice(0, 9); // what api_keys.prefix keeps
    const stopped = (on: TestGateway, path: string, key: string) =>
      waitFor(`${path} to refuse the key`, async () => (await on.get(path, key)).status === 401, 1000);
    try {
      const key = await gateway.keyWith('orders:read');
      for (let i = 0; i < 3; i += 1) {
        await gateway.get('/System/Orders', key).expect(200);
        await other.get('/System/Orders', key).expect(200);
      }
      await client.query('UPDATE api_keys SET revoked_at = now() WHERE prefix = $1', [prefixOf(key)]);
      await stopped(gateway, '/System/Orders', key);
      await stopped(other, '/System/Orders', key);

      // Revoked through one process's admin route: the other stops it too.
      const revokedHere = await gateway.keyWith('orders:read', 'orders:pay');
      await other.get('/System/Orders', revokedHere).expect(200);
      const { id } = (await gateway.get('/System/ApiKeys?per_page=250')).body.api_keys.find(
        (listed: { prefix: string }) => listed.prefix === prefixOf(revokedHere),
      );
      await gateway.delete(`/System/ApiKeys/${id}`).expect(200);
      expect((await gateway.get('/System/Orders', revokedHere)).status).toBe(401);
      await stopped(other, '/System/Orders', revokedHere);

      // An expiry passing needs no notice.
      const expiring = await gateway.keyWith('orders:read', 'orders:write');
      await client.query("UPDATE api_keys SET expires_at = now() + interval '1 second' WHERE prefix = $1", [
        prefixOf(expiring),
      ]);
      await new Promise((resolve) => setTimeout(resolve, 100));
      await gateway.get('/System/Orders', expiring).expect(200);
      await new Promise((resolve) => setTimeout(resolve, 1000));
      expect((await gateway.get('/System/Orders', expiring)).status).toBe(401);
    } finally {
      await client.end();
      await other.close();
    }
  });

  it('refuses a key in the URL, however its name is spelled, before using it', async () => {
    for (const query of [
      `token=${gateway.adminKey}`,
      `tok%65n=${gateway.adminKey}`,
      `api_key=${gateway.adminKey}`,
      `API_KEY[]=${gateway.adminKey}`,
      `key=${gateway.adminKey}`,
      `access_token=${gateway.adminKey}`,
    ]) {
      const response = await gateway.get(`/System/Orders?${query}`, '').unset('token');
      expect([query, response.status, response.body.code]).toEqual([query, 400, 'KEY_IN_URL']);
      expect(response.body.detail).toContain('never in the URL');
    }
    // Also beside a good key in the header, and on a write (which changes nothing).
    const write = await gateway.patch(`/System/Orders/${orderId}/cancel?token=${gateway.adminKey}`);
    expect(write.status).toBe(400);
    expect((await gateway.get(`/System/Orders/${orderId}`)).body.canceled).toBe(false);
  });

  // Failed authentications are counted per address and key prefix; past the limit an unknown key
  // is refused without a lookup. Shown with api_keys locked: a lookup would wait for the lock, so
  // a prompt 429 is one that asked nothing of the database.
  it('answers a flood of made-up keys 429 without looking them up, and still lets a known key in', async () => {
    const limited = await startGateway(
      { AUTH_FAILURE_LIMIT: '5', AUTH_FAILURE_WINDOW_SECONDS: '60' },
      { database: gateway.database },
    );
    const locker = new pg.Client({ connectionString: gateway.database.url });
    await locker.connect();
    try {
      const known = await limited.keyWith('orders:read');
      await limited.get('/System/Orders/Statuses', known).expect(200);
      for (let i = 0; i < 5; i += 1) {
        const response = await limited.get('/System/Orders/Statuses', `og_madeup${i}${'x'.repeat(30)}`);
        expect(response.status).toBe(401);
      }
      await locker.query('BEGIN');
      await locker.query('LOCK TABLE api_keys IN ACCESS EXCLUSIVE MODE');
      const started = Date.now();
      for (let i = 0; i < 20; i += 1) {
        const response = await limited
          .get('/System/Orders/Statuses', `og_flood${i}${'y'.repeat(30)}`)
          .timeout(3000)
          .expect(429);
        expect(response.body).toMatchObject({ code: 'AUTHENTICATION_FAILURES' });
        expect(Number(response.headers['retry-after'])).toBeGreaterThan(0);
        expect(response.body.retry_after).toBe(Number(response.headers['retry-after']));
      }
      expect(Date.now() - started).toBeLessThan(3000);
      // A key this process has checked is not looked up again: it goes through the flood.
      await limited.get('/System/Orders/Statuses', known).timeout(3000).expect(200);
      await locker.query('ROLLBACK');
    } finally {
      await locker.end();
      await limited.close();
    }
  });

  it('stores keys only as hashes', async () => {
    const client = new pg.Client({ connectionString: gateway.database.url });
    await client.connect();
    try {
      const rows = (await client.query<{ key_hash: string; prefix: string }>('SELECT key_hash, prefix FROM api_keys'))
        .rows;
      expect(rows.length).toBeGreaterThan(0);
      for (const row of rows) {
        expect(row.key_hash).toMatch(/^[0-9a-f]{64}$/);
        expect(row.key_hash).not.toContain(gateway.adminKey);
        expect(row.prefix.length).toBeLessThan(12);
      }
    } finally {
      await client.end();
    }
  });
});
