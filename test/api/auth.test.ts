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
