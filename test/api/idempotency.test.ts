import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { requestFingerprint } from '../../src/idempotency/idempotency-key.js';
import { IdempotencyRepository } from '../../src/idempotency/idempotency.repository.js';
import { PRESENCE_LOCK_CLASS } from '../../src/database/process-presence.js';
import { createOrder, getOrder, historyOf, itemBody, orderBody } from '../support/factories.js';
import { startGateway, type TestGateway } from '../support/gateway.js';

// Idempotency-Key on writes: a repeat answers what the first answered and changes nothing; a
// repeat during the first gets 409; the key with another request 422; keys are per API key.

let gateway: TestGateway;
let db: pg.Client;

beforeAll(async () => {
  gateway = await startGateway();
  db = new pg.Client({ connectionString: gateway.database.url });
  await db.connect();
});
afterAll(async () => {
  await db.end();
  await gateway.close();
});

const count = async (sql: string, ...values: unknown[]) =>
  Number((await db.query<{ count: string }>(sql, values)).rows[0]!.count);

describe('a repeated write', () => {
  it('creates one order and answers the repeat as the first, marked replayed', async () => {
    const key = randomUUID();
    const body = orderBody();
    const first = await gateway.post('/System/Orders', body).set('Idempotency-Key', key);
    expect(first.status).toBe(201);
    expect(first.headers['idempotent-replayed']).toBeUndefined();
    const second = await gateway.post('/System/Orders', body).set('Idempotency-Key', key);
    expect(second.status).toBe(201);
    expect(second.body).toEqual(first.body);
    expect(second.headers['idempotent-replayed']).toBe('true');
    expect(second.headers.etag).toBe(first.headers.etag);
    expect(await count('SELECT count(*) FROM orders WHERE email = $1', body.email)).toBe(1);
  });

  it('takes a repeat with the same JSON in another key order or spacing as the same request', async () => {
    const key = randomUUID();
    const body = orderBody();
    const reordered = Object.fromEntries(Object.entries(body).reverse());
    expect((await gateway.post('/System/Orders', body).set('Idempotency-Key', key)).status).toBe(201);
    const again = await gateway
      .post('/System/Orders')
      .set('Idempotency-Key', key)
      .set('Content-Type', 'application/json')
      .send(JSON.stringify(reordered, null, 2));
    expect(again.status).toBe(201);
    expect(again.headers['idempotent-replayed']).toBe('true');
  });

  it('pays once, and answers the repeat with the order as the payment left it', async () => {
    const id = await createOrder(gateway);
    const key = randomUUID();
    const pay = () =>
      gateway
        .patch(`/System/Orders/${id}/paid`, { paid: 5, payment_id: 'pay-1', status: 'success' })
        .set('Idempotency-Key', key);
    const first = await pay();
    expect(first.status).toBe(200);
    const second = await pay();
    expect(second.status).toBe(200);
    expect(second.body).toEqual(first.body);
    expect(second.headers['idempotent-replayed']).toBe('true');
    expect((await getOrder(gateway, id)).paid).toBe(5);
    expect((await historyOf(gateway, id)).filter((entry) => entry.action === 'paid')).toHaveLength(1);
  });

  it('adds one line for any number of repeats of an item POST', async () => {
    const id = await createOrder(gateway);
    const key = randomUUID();
    const answers = [];
    for (let i = 0; i < 3; i += 1) {
      answers.push(
        await gateway.post(`/System/Orders/${id}/item`, itemBody({ name: 'Spoon' })).set('Idempotency-Key', key),
      );
    }
    expect(answers.map((answer) => answer.status)).toEqual([201, 201, 201]);
    expect(new Set(answers.map((answer) => answer.body.id)).size).toBe(1);
    expect((await getOrder(gateway, id)).items).toHaveLength(2);
  });

  it('keeps keys apart per API key', async () => {
    const other = await gateway.keyWith('orders:write');
    const key = randomUUID();
    const body = orderBody();
    const mine = await gateway.post('/System/Orders', body).set('Idempotency-Key', key);
    const theirs = await gateway
      .post('/System/Orders', { ...body, email: `x${body.email}` }, other)
      .set('Idempotency-Key', key);
    expect(mine.status).toBe(201);
    expect(theirs.status).toBe(201);
    expect(theirs.body.id).not.toBe(mine.body.id);
  });
});

describe('a key used wrongly', () => {
  it('refuses the key with another request (422) and writes nothing', async () => {
    const key = randomUUID();
    expect((await gateway.post('/System/Orders', orderBody()).set('Idempotency-Key', key)).status).toBe(201);
    const before = await count('SELECT count(*) FROM orders');
    const other = await gateway.post('/System/Orders', orderBody()).set('Idempotency-Key', key);
    expect(other.status).toBe(422);
    expect(other.body).toMatchObject({
      code: 'IDEMPOTENCY_KEY_REUSED',
      message: expect.any(String),
      detail: expect.any(String),
    });
    expect(await count('SELECT count(*) FROM orders')).toBe(before);
  });

  it('answers 409 with Retry-After while the first request still runs', async () => {
    const key = randomUUID();
    const body = orderBody();
    const apiKeyId = (await db.query<{ id: number }>('SELECT id FROM api_keys ORDER BY id LIMIT 1')).rows[0]!.id;
    // What a request in flight leaves: its claim, running, not yet committed, owned by a gateway
    // process that is alive (this test's connection holds that process's presence lock).
    const instance = randomUUID();
    await db.query('SELECT pg_advisory_lock($1::int, hashtext($2))', [PRESENCE_LOCK_CLASS, instance]);
    try {
      await db.query(
        `INSERT INTO idempotency_keys (api_key_id, key, fingerprint, state, owner, expires_at)
         VALUES ($1, $2, $3, 'running', $4, now() + interval '1 hour')`,
        [apiKeyId, key, requestFingerprint('POST', '/System/Orders', body), `${instance}/req-1`],
      );
      const answer = await gateway.post('/System/Orders', body).set('Idempotency-Key', key);
      expect(answer.status).toBe(409);
      expect(answer.headers['retry-after']).toBe('1');
      expect(answer.body.code).toBe('IDEMPOTENCY_KEY_IN_USE');
      expect(await count('SELECT count(*) FROM orders WHERE email = $1', body.email)).toBe(0);
    } finally {
      await db.query('SELECT pg_advisory_unlock($1::int, hashtext($2))', [PRESENCE_LOCK_CLASS, instance]);
    }
    // Once that process is gone, a repeat takes the claim over at once, without waiting out the lease.
    const afterwards = await gateway.post('/System/Orders', body).set('Idempotency-Key', key);
    expect(afterwards.status).toBe(201);
    expect(await count('SELECT count(*) FROM orders WHERE email = $1', body.email)).toBe(1);
  });

  it('takes over the claim of a request that died before its write, and writes once', async () => {
    const key = randomUUID();
    const body = orderBody();
    const apiKeyId = (await db.query<{ id: number }>('SELECT id FROM api_keys ORDER BY id LIMIT 1')).rows[0]!.id;
    await db.query(
      `INSERT INTO idempotency_keys (api_key_id, key, fingerprint, state, owner, started_at, expires_at)
       VALUES ($1, $2, $3, 'running', 'dead-process/dead-request', now() - interval '5 minutes', now() + interval '1 hour')`,
      [apiKeyId, key, requestFingerprint('POST', '/System/Orders', body)],
    );
    const answer = await gateway.post('/System/Orders', body).set('Idempotency-Key', key);
    expect(answer.status).toBe(201);
    expect(
      (await gateway.post('/System/Orders', body).set('Idempotency-Key', key)).headers['idempotent-replayed'],
    ).toBe('true');
    expect(await count('SELECT count(*) FROM orders WHERE email = $1', body.email)).toBe(1);
  });

  it('frees the key when the request fails, so that the repeat runs again', async () => {
    const id = await createOrder(gateway);
    await gateway.patch(`/System/Orders/${id}/sent`).expect(200);
    const key = randomUUID();
    const first = await gateway.patch(`/System/Orders/${id}/cancel`).set('Idempotency-Key', key);
    expect(first.status).toBe(422);
    const second = await gateway.patch(`/System/Orders/${id}/cancel`).set('Idempotency-Key', key);
    expect(second.status).toBe(422);
    expect(second.headers['idempotent-replayed']).toBeUndefined();
    expect(await count('SELECT count(*) FROM idempotency_keys WHERE key = $1', key)).toBe(0);
  });

  it('lets a key be used afresh once it has expired', async () => {
    const key = randomUUID();
    expect((await gateway.post('/System/Orders', orderBody()).set('Idempotency-Key', key)).status).toBe(201);
    await db.query("UPDATE idempotency_keys SET expires_at = now() - interval '1 second' WHERE key = $1", [key]);
    const fresh = await gateway.post('/System/Orders', orderBody()).set('Idempotency-Key', key);
    expect(fresh.status).toBe(201);
    expect(fresh.headers['idempotent-replayed']).toBeUndefined();
  });

  it.each([
    ['too long', 'k'.repeat(256)],
    ['with a space', 'two words'],
    ['not ASCII', 'klí'],
  ])('refuses a key %s (400, naming the header)', async (_what, key) => {
    const answer = await gateway.post('/System/Orders', orderBody()).set('Idempotency-Key', key);
    expect(answer.status).toBe(400);
    expect(answer.body.errors).toEqual([{ field: 'Idempotency-Key', message: expect.any(String) }]);
  });

  it('is not taken where the answer holds a secret (creating an API key)', async () => {
    const answer = await gateway
      .post('/System/ApiKeys', { name: 'x', rights: ['orders:read'] })
      .set('Idempotency-Key', randomUUID());
    expect(answer.status).toBe(400);
    expect(answer.body.errors[0].field).toBe('Idempotency-Key');
  });
});

describe('many repeats at once', () => {
  it('write once: every answer is the first answer, a replay, or 409', async () => {
    const key = randomUUID();
    const body = orderBody();
    const answers = await Promise.all(
      Array.from({ length: 12 }, () => gateway.post('/System/Orders', body).set('Idempotency-Key', key)),
    );
    const statuses = answers.map((answer) => answer.status);
    expect(statuses.every((status) => status === 201 || status === 409)).toBe(true);
    const created = answers.filter((answer) => answer.status === 201);
    expect(created.length).toBeGreaterThan(0);
    expect(new Set(created.map((answer) => answer.body.id)).size).toBe(1);
    expect(created.filter((answer) => answer.headers['idempotent-replayed'] === undefined)).toHaveLength(1);
    expect(await count('SELECT count(*) FROM orders WHERE email = $1', body.email)).toBe(1);
  });
});

it('removes expired keys in the cleanup', async () => {
  const key = randomUUID();
  expect((await gateway.post('/System/Orders', orderBody()).set('Idempotency-Key', key)).status).toBe(201);
  await db.query("UPDATE idempotency_keys SET expires_at = now() - interval '1 second' WHERE key = $1", [key]);
  const removed = await gateway.app.get(IdempotencyRepository).deleteExpired();
  expect(removed).toBeGreaterThanOrEqual(1);
  expect(await count('SELECT count(*) FROM idempotency_keys WHERE key = $1', key)).toBe(0);
});
