import { readFileSync } from 'node:fs';
import pg from 'pg';
import { projectPath } from '../../src/common/project-path.js';
import { createOrder, getOrder, historyOf, itemBody, orderBody } from '../support/factories.js';
import { startGateway, type TestGateway } from '../support/gateway.js';

// dry_run=true on the order writes: decided and written as always, rolled back; the answer is the
// order as the write would leave it. Checked against what the database holds afterwards, not
// only against what the gateway answers.

let gateway: TestGateway;
let client: pg.Client;
beforeAll(async () => {
  gateway = await startGateway();
  client = new pg.Client({ connectionString: gateway.database.url });
  await client.connect();
});
afterAll(async () => {
  await client.end();
  await gateway.close();
});

/** What a write leaves behind anywhere: orders, lines, history, outbox, order events, idempotency records. */
async function footprint(): Promise<Record<string, number>> {
  const tables = [
    'orders',
    'order_items',
    'order_history',
    'sync_events',
    'order_events',
    'order_payments',
    'order_refunds',
    'idempotency_keys',
    'order_sync',
    'trackings',
  ];
  const counts: Record<string, number> = {};
  for (const table of tables) {
    const { rows } = await client.query<{ count: number }>(`SELECT count(*)::int AS count FROM ${table}`);
    counts[table] = rows[0]!.count;
  }
  const { rows } = await client.query<{ versions: number }>(
    'SELECT coalesce(sum(version), 0)::int AS versions FROM orders',
  );
  counts.versions = rows[0]!.versions;
  return counts;
}

describe('dry_run=true', () => {
  it('answers the order a create would make, and makes none', async () => {
    const before = await footprint();
    const body = orderBody({
      items: [itemBody(), itemBody({ article_number: '1002', count: 1 })],
      metadata: { cart: 'c-1' },
    });
    const response = await gateway.post('/System/Orders?dry_run=true', body).expect(200);
    expect(response.headers.etag).toBeUndefined();
    expect(response.body).toMatchObject({
      email: body.email,
      money: 36.3,
      items: [
        expect.objectContaining({ article: { id: 1001, article_number: '1001' }, count: 2 }),
        expect.objectContaining({ article: expect.objectContaining({ article_number: '1002' }) }),
      ],
      metadata: { cart: 'c-1' },
      lifecycle_state: 'open',
      version: 1,
    });
    expect(await footprint()).toEqual(before);
    await gateway.get(`/System/Orders/${response.body.id as number}`).expect(404);
  });

  it('shows a resync of a failed order without restarting it', async () => {
    const id = await createOrder(gateway);
    await client.query(
      "UPDATE order_sync SET status = 'failed', last_error = 'UNKNOWN-ARTICLE: 1001' WHERE order_id = $1",
      [id],
    );
    const before = await getOrder(gateway, id);
    const rehearsed = await gateway.post(`/System/Orders/${id}/resync?dry_run=true`).expect(200);
    expect(rehearsed.body.sync).toMatchObject({ status: 'pending', last_error: null });
    expect(await getOrder(gateway, id)).toEqual(before);
  });

  it('refuses what the write would refuse, with the same answer', async () => {
    const body = orderBody({ items: [itemBody({ price: { base_price: 10, final_price: 12.1, vat: 21 } })] });
    const real = await gateway.post('/System/Orders', body).expect(400);
    const rehearsed = await gateway.post('/System/Orders?dry_run=1', body).expect(400);
    expect({ ...rehearsed.body, request_id: null }).toEqual({ ...real.body, request_id: null });
  });

  it('answers the existing order for a repeated external id, as the create would', async () => {
    const body = orderBody({ external_order_id: `dry-${Date.now()}` });
    const id = (await gateway.post('/System/Orders', body).expect(201)).body.id as number;
    const rehearsed = await gateway.post('/System/Orders?dry_run=true', body).expect(200);
    expect(rehearsed.body).toEqual(await getOrder(gateway, id));
  });

  it('shows a cancel without canceling, and what the cancel would refuse', async () => {
    const id = await createOrder(gateway);
    const order = await getOrder(gateway, id);
    const before = await footprint();
    const rehearsed = await gateway.patch(`/System/Orders/${id}/cancel?dry_run=true`).expect(200);
    expect(rehearsed.body).toMatchObject({
      id,
      canceled: true,
      lifecycle_state: 'canceled',
      version: order.version + 1,
    });
    expect(rehearsed.headers.etag).toBeUndefined();
    expect(await getOrder(gateway, id)).toEqual(order);
    expect(await footprint()).toEqual(before);

    await gateway.patch(`/System/Orders/${id}/sent`).expect(200);
    const refused = await gateway.patch(`/System/Orders/${id}/cancel?dry_run=true`).expect(422);
    expect(refused.body).toMatchObject({ code: 'TRANSITION_NOT_ALLOWED', current_state: 'sent' });
  });

  it('honours If-Match as the write would', async () => {
    const id = await createOrder(gateway);
    await gateway.patch(`/System/Orders/${id}/done?dry_run=true`).set('if-match', '"9"').expect(412);
    await gateway.patch(`/System/Orders/${id}/done?dry_run=true`).set('if-match', '"1"').expect(200);
  });

  it('neither claims nor records an Idempotency-Key: the real payment after it goes through', async () => {
    const id = await createOrder(gateway);
    const payment = { status: 'success', payment_id: `pay-${id}`, paid: 10 };
    const rehearsed = await gateway
      .patch(`/System/Orders/${id}/paid?dry_run=true`, payment)
      .set('idempotency-key', `key-${id}`)
      .expect(200);
    expect(rehearsed.body).toMatchObject({ amount_paid: 10, balance_due: 14.2 });
    expect((await getOrder(gateway, id)).amount_paid).toBe(0);
    const real = await gateway
      .patch(`/System/Orders/${id}/paid`, payment)
      .set('idempotency-key', `key-${id}`)
      .expect(200);
    expect(real.headers['idempotent-replayed']).toBeUndefined();
    expect(real.body).toMatchObject({ amount_paid: 10, balance_due: 14.2 });
    expect((await historyOf(gateway, id)).filter((entry) => entry.action === 'paid')).toHaveLength(1);
  });

  it('shows an added item and the total it makes, on the order as it stays', async () => {
    const id = await createOrder(gateway);
    const order = await getOrder(gateway, id);
    const rehearsed = await gateway
      .post(`/System/Orders/${id}/item?dry_run=true`, itemBody({ article_number: '1003', count: 1 }))
      .expect(200);
    expect(rehearsed.body.items).toHaveLength(2);
    expect(rehearsed.body.money).toBe(36.3);
    expect(await getOrder(gateway, id)).toEqual(order);
  });

  it('rehearses a batch whole: each result with its order, nothing written', async () => {
    const before = await footprint();
    const response = await gateway
      .post('/System/Orders/batch?dry_run=true', { records: [orderBody(), orderBody({ metadata: { n: '2' } })] })
      .expect(200);
    expect(response.body.status).toBe(true);
    expect(response.body.results).toHaveLength(2);
    expect(response.body.results[1]).toMatchObject({ created: true, order: { metadata: { n: '2' }, version: 1 } });
    expect(await footprint()).toEqual(before);
  });
});

describe('dry_run=true on the keys and the event subscriptions', () => {
  it('shows an API key as it would be made, changed and revoked, and touches none', async () => {
    const made = await gateway
      .post('/System/ApiKeys?dry_run=true', { name: 'rehearsed', rights: ['orders:read'] })
      .expect(200);
    expect(made.body).toMatchObject({ name: 'rehearsed', rights: ['orders:read'], state: 'active' });
    expect(made.body.key).toBeUndefined();
    await gateway.get(`/System/ApiKeys/${made.body.id as number}`).expect(404);

    const reader = await gateway.keyWith('orders:read');
    const { body: keys } = await gateway.get('/System/ApiKeys?per_page=100').expect(200);
    const readerId = (keys.api_keys as Array<{ id: number; name: string }>).at(-1)!.id;
    const renamed = await gateway.patch(`/System/ApiKeys/${readerId}?dry_run=true`, { name: 'renamed' }).expect(200);
    expect(renamed.body.name).toBe('renamed');
    const revoked = await gateway.delete(`/System/ApiKeys/${readerId}?dry_run=1`).expect(200);
    expect(revoked.body).toMatchObject({ state: 'revoked', revoked_at: expect.any(String) });
    expect((await gateway.get(`/System/ApiKeys/${readerId}`).expect(200)).body).toMatchObject({
      name: 'test orders:read',
      state: 'active',
    });
    await gateway.get('/System/Orders', reader).expect(200);
  });

  it('shows a subscription as it would be made, changed, rotated and deleted, and keeps it as it is', async () => {
    const subscription = { event: 'order-paid', path: 'https://partner.example/hooks/paid' };
    const made = await gateway.post('/System/Events?dry_run=true', subscription).expect(200);
    expect(made.body).toMatchObject(subscription);
    expect(made.body.secret).toBeUndefined();
    expect((await gateway.get('/System/Events').expect(200)).body.events).toEqual([]);

    const { id } = (await gateway.post('/System/Events', subscription).expect(201)).body as { id: number };
    const before = (await gateway.get(`/System/Events/${id}`).expect(200)).body;
    const changed = await gateway
      .put('/System/Events?dry_run=true', { id, path: 'https://partner.example/hooks/other' })
      .expect(200);
    expect(changed.body).toMatchObject({ id, path: 'https://partner.example/hooks/other' });
    const rotated = await gateway.post(`/System/Events/${id}/secret?dry_run=true`, {}).expect(200);
    expect(rotated.body.secret).toBeUndefined();
    await gateway.delete(`/System/Events/${id}?dry_run=true`).expect(200);
    expect((await gateway.get(`/System/Events/${id}`).expect(200)).body).toEqual(before);
    await gateway.delete(`/System/Events/${id}`).expect(200);
  });
});

describe('the query of a write', () => {
  it('takes dry_run on every write route of the document', () => {
    const document = JSON.parse(readFileSync(projectPath('openapi', 'openapi.json'), 'utf8')) as {
      paths: Record<string, Record<string, { parameters?: Array<{ name: string; in: string }> }>>;
    };
    const without = Object.entries(document.paths).flatMap(([path, operations]) =>
      Object.entries(operations)
        .filter(([method]) => ['post', 'put', 'patch', 'delete'].includes(method))
        .filter(([, operation]) => !operation.parameters?.some((one) => one.name === 'dry_run' && one.in === 'query'))
        .map(([method]) => `${method.toUpperCase()} ${path}`),
    );
    expect(without).toEqual([]);
  });

  it('refuses any parameter but dry_run, by name, and writes nothing', async () => {
    const id = await createOrder(gateway);
    const response = await gateway.patch(`/System/Orders/${id}/cancel?dryrun=true`).expect(400);
    expect(response.body.errors).toEqual([{ field: 'dryrun', message: expect.stringContaining('not a parameter') }]);
    expect((await getOrder(gateway, id)).canceled).toBe(false);
  });

  it('refuses a dry_run that is not a flag', async () => {
    const id = await createOrder(gateway);
    for (const query of ['dry_run=yes', 'dry_run=true&dry_run=false', 'dry_run[]=true']) {
      const response = await gateway.patch(`/System/Orders/${id}/cancel?${query}`).expect(400);
      expect(response.body.errors[0].field).toMatch(/^dry_run/);
    }
    expect((await getOrder(gateway, id)).canceled).toBe(false);
  });

  it('answers 401 before anything about the query', async () => {
    await gateway.patch('/System/Orders/1/cancel?bogus=1', undefined, 'not-a-key').expect(401);
  });
});
