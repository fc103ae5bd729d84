import request from 'supertest';
import { createOrder, getOrder } from '../support/factories.js';
import { documentedAgent, startGateway, type TestGateway } from '../support/gateway.js';

// Least privilege: an order's hash opens that order and nothing else; keys are managed (listed,
// given an expiry, revoked) by admins, and stop working at once; each key has a rate limit.

let gateway: TestGateway;
beforeAll(async () => {
  gateway = await startGateway();
});
afterAll(() => gateway.close());

const anonymous = () => documentedAgent(gateway.app.getHttpServer());

describe('reading an order by its hash', () => {
  it('gives that order to whoever holds the hash, without the internal note', async () => {
    const id = await createOrder(gateway, { our_note: 'VIP, call before delivery' });
    const order = await getOrder(gateway, id);
    const answer = await anonymous().get(`/System/Orders/${id}?hash=${order.hash}`);
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({ ...order, our_note: null });
    expect(answer.headers.etag).toBe('W/"1"');
  });

  it('answers a wrong hash, or the hash with another id, as a missing order', async () => {
    const first = await createOrder(gateway);
    const second = await createOrder(gateway);
    const { hash } = await getOrder(gateway, first);
    expect((await anonymous().get(`/System/Orders/${second}?hash=${hash}`)).status).toBe(404);
    expect((await anonymous().get(`/System/Orders/${first}?hash=${'0'.repeat(32)}`)).status).toBe(404);
    expect((await anonymous().get(`/System/Orders/999999?hash=${hash}`)).status).toBe(404);
  });

  it('opens nothing else: no list, no history, no writes, no payment', async () => {
    const id = await createOrder(gateway);
    const { hash } = await getOrder(gateway, id);
    expect((await anonymous().get(`/System/Orders?hash=${hash}`)).status).toBe(401);
    expect((await anonymous().get(`/System/Orders/${id}/history?hash=${hash}`)).status).toBe(401);
    const paid = await anonymous()
      .patch(`/System/Orders/${id}/paid?hash=${hash}`)
      .send({ paid: 1, payment_id: 'x', status: 'success' });
    expect(paid.status).toBe(401);
    expect((await anonymous().patch(`/System/Orders/${id}/sent?hash=${hash}`)).status).toBe(401);
    expect((await getOrder(gateway, id)).paid).toBe(0);
  });

  it('refuses a malformed hash (400) and prefers a key when both are given', async () => {
    const id = await createOrder(gateway);
    expect((await anonymous().get(`/System/Orders/${id}?hash=abc`)).status).toBe(400);
    const withKey = await gateway.get(`/System/Orders/${id}?hash=${'0'.repeat(32)}`);
    expect(withKey.status).toBe(200);
    expect(withKey.body.our_note).not.toBeUndefined();
    const badKey = await anonymous()
      .get(`/System/Orders/${id}?hash=${(await getOrder(gateway, id)).hash}`)
      .set('token', 'og_nope');
    expect(badKey.status).toBe(401);
  });

  it('lets a payment gateway with orders:read and orders:pay mark paid, and not more', async () => {
    const id = await createOrder(gateway);
    const payments = await gateway.keyWith('orders:read', 'orders:pay');
    expect(
      (await gateway.patch(`/System/Orders/${id}/paid`, { paid: 2, payment_id: 'pg-1', status: 'success' }, payments))
        .status,
    ).toBe(200);
    expect((await gateway.patch(`/System/Orders/${id}/sent`, undefined, payments)).status).toBe(403);
    expect((await gateway.post('/System/Orders', {}, payments)).status).toBe(403);
  });
});

describe('managing API keys', () => {
  it('creates a key that works at once, shows it once, and lists keys without it', async () => {
    const created = await gateway.post('/System/ApiKeys', { name: 'shop', rights: ['orders:read'] });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      id: expect.any(Number),
      name: 'shop',
      rights: ['orders:read'],
      state: 'active',
      key: expect.stringMatching(/^og_/),
      prefix: created.body.key.slice(0, 9),
      expires_at: null,
      revoked_at: null,
    });
    expect((await gateway.get('/System/Orders', created.body.key)).status).toBe(200);
    const listed = await gateway.get('/System/ApiKeys?per_page=250');
    expect(listed.status).toBe(200);
    expect(JSON.stringify(listed.body)).not.toContain(created.body.key);
    expect(listed.body.api_keys.find((key: { id: number }) => key.id === created.body.id)).toMatchObject({
      name: 'shop',
    });
    expect((await gateway.get(`/System/ApiKeys/${created.body.id}`)).body).not.toHaveProperty('key');
  });

  it('stops a revoked key with its next request, and revoking again changes nothing', async () => {
    const { body } = await gateway.post('/System/ApiKeys', { name: 'temp', rights: ['orders:read'] });
    expect((await gateway.get('/System/Orders', body.key)).status).toBe(200);
    const revoked = await gateway.delete(`/System/ApiKeys/${body.id}`);
    expect(revoked.status).toBe(200);
    expect(revoked.body).toMatchObject({ state: 'revoked', revoked_at: expect.any(String) });
    expect((await gateway.get('/System/Orders', body.key)).status).toBe(401);
    const again = await gateway.delete(`/System/ApiKeys/${body.id}`);
    expect(again.body.revoked_at).toBe(revoked.body.revoked_at);
    expect((await gateway.delete('/System/ApiKeys/999999')).status).toBe(404);
  });

  it('sets and clears an expiry: a past one stops the key at once', async () => {
    const { body } = await gateway.post('/System/ApiKeys', {
      name: 'expiring',
      rights: ['orders:read'],
      expires_at: '2099-01-01T00:00:00Z',
    });
    expect(body).toMatchObject({ expires_at: '2099-01-01T00:00:00.000Z', state: 'active' });
    const past = await gateway.patch(`/System/ApiKeys/${body.id}`, { expires_at: '2020-01-01T00:00:00Z' });
    expect(past.body.state).toBe('expired');
    expect((await gateway.get('/System/Orders', body.key)).status).toBe(401);
    const never = await gateway.patch(`/System/ApiKeys/${body.id}`, { expires_at: null, name: 'renewed' });
    expect(never.body).toMatchObject({ expires_at: null, state: 'active', name: 'renewed' });
    expect((await gateway.get('/System/Orders', body.key)).status).toBe(200);
  });

  it('is for admins only, and checks what it is given', async () => {
    const writer = await gateway.keyWith('orders:read', 'orders:write');
    expect((await gateway.get('/System/ApiKeys', writer)).status).toBe(403);
    expect((await gateway.post('/System/ApiKeys', { name: 'x', rights: ['orders:read'] }, writer)).status).toBe(403);
    const bad = await gateway.post('/System/ApiKeys', { name: '', rights: ['root'], expires_at: 'soon' });
    expect(bad.status).toBe(400);
    expect(bad.body.errors.map((error: { field: string }) => error.field).sort()).toEqual([
      'expires_at',
      'name',
      'rights',
    ]);
  });
});

describe('rate limits', () => {
  let limited: TestGateway;
  beforeAll(async () => {
    limited = await startGateway({ RATE_LIMIT_REQUESTS: '5', RATE_LIMIT_WINDOW_MS: '2000' });
  });
  afterAll(() => limited.close());

  it('lets a key make its requests per window, then answers 429 with Retry-After; other keys go on', async () => {
    const key = await limited.keyWith('orders:read');
    const answers = [];
    for (let i = 0; i < 6; i += 1) answers.push(await limited.get('/System/Orders', key));
    expect(answers.slice(0, 5).map((answer) => answer.status)).toEqual([200, 200, 200, 200, 200]);
    expect(answers[0]!.headers).toMatchObject({ 'x-ratelimit-limit': '5', 'x-ratelimit-remaining': '4' });
    const refused = answers[5]!;
    expect(refused.status).toBe(429);
    expect(refused.body).toMatchObject({
      code: 'RATE_LIMITED',
      message: expect.any(String),
      detail: expect.any(String),
    });
    expect(Number(refused.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(refused.headers['x-ratelimit-remaining']).toBe('0');
    // Another key has its own count; health is not counted.
    expect((await limited.get('/System/Orders', await limited.keyWith('orders:read'))).status).toBe(200);
    for (let i = 0; i < 8; i += 1) {
      expect((await request(limited.app.getHttpServer()).get('/health/live')).status).toBe(200);
    }
    // After the window the key works again.
    await new Promise((resolve) => setTimeout(resolve, Number(refused.headers['retry-after']) * 1000 + 100));
    expect((await limited.get('/System/Orders', key)).status).toBe(200);
  });
});
