import { randomUUID } from 'node:crypto';
import { createOrder, historyOf, orderBody } from '../support/factories.js';
import { documentedAgent, startGateway, type TestGateway } from '../support/gateway.js';
import { TcpProxy } from '../support/tcp-proxy.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';
import { waitFor } from '../support/wait.js';

// What operators look at: health, metrics, request ids; and how the gateway answers while its
// database is away (503, not ready) and after it is back (recovered by itself).

let database: TestDatabase;
let proxy: TcpProxy;
let gateway: TestGateway;

beforeAll(async () => {
  database = await createTestDatabase();
  const hop = TcpProxy.forUrl(database.url);
  proxy = hop.proxy;
  const port = await proxy.start();
  // The gateway reaches Postgres through a hop the tests can cut.
  gateway = await startGateway({}, { database: { ...database, url: hop.via(port) } });
});
afterAll(async () => {
  await gateway.close();
  await proxy.stop();
  await database.drop();
});

const open = () => documentedAgent(gateway.app.getHttpServer());

describe('health', () => {
  it('is live, and ready with the database, the outbox and MplusKASSA up, without a key', async () => {
    expect((await open().get('/health/live')).body).toMatchObject({ status: 'ok' });
    const ready = await open().get('/health/ready');
    expect(ready.status).toBe(200);
    expect(ready.body).toMatchObject({
      status: 'ok',
      details: {
        database: { status: 'up' },
        outbox: { status: 'up', pending_events: expect.any(Number), failed_orders: 0 },
        back_office: { status: 'up', version: expect.any(String) },
      },
    });
  });

  it('stays ready but degraded while MplusKASSA fails, since orders wait in the outbox', async () => {
    gateway.simulator.setFaults([{ mode: 'http503' }]);
    try {
      // The back-office probe is cached for a few seconds.
      const ready = await waitFor('readiness to see MplusKASSA down', async () => {
        const answer = await open().get('/health/ready');
        return answer.body.status === 'degraded' ? answer : null;
      });
      expect(ready.status).toBe(200);
      expect(ready.body.details.back_office).toMatchObject({
        status: 'degraded',
        message: expect.stringContaining('503'),
      });
      expect(JSON.stringify(ready.body)).not.toContain('secret');
    } finally {
      gateway.simulator.setFaults([]);
    }
  }, 20_000);

  it('is not ready while the database is away, answers writes 503, and recovers by itself', async () => {
    await proxy.cut();
    try {
      const ready = await open().get('/health/ready');
      expect(ready.status).toBe(503);
      expect(ready.body).toMatchObject({ status: 'error', error: { database: { status: 'down' } } });
      expect(JSON.stringify(ready.body)).not.toMatch(/127\.0\.0\.1|prisma|invocation/i);
      const write = await gateway.post('/System/Orders', orderBody());
      expect(write.status).toBe(503);
      expect(write.headers['retry-after']).toBe('1');
      expect(write.body).toMatchObject({ code: 'DATABASE_UNAVAILABLE', message: expect.any(String) });
      expect((await open().get('/health/live')).status).toBe(200);
    } finally {
      await proxy.restore();
    }
    await waitFor(
      'readiness after the database came back',
      async () => (await open().get('/health/ready')).status === 200,
    );
    expect((await gateway.post('/System/Orders', orderBody())).status).toBe(201);
  });
});

describe('metrics', () => {
  it('count requests by route and status, MplusKASSA calls, and the outbox', async () => {
    const id = await createOrder(gateway);
    await gateway.get(`/System/Orders/${id}`).expect(200);
    await gateway.get('/System/Orders/999999').expect(404);
    await gateway.get('/System/Lists/DeliveryMethods').expect(200);
    const scrape = await open().get('/metrics');
    expect(scrape.status).toBe(200);
    expect(scrape.headers['content-type']).toContain('text/plain');
    const text = scrape.text;
    expect(text).toMatch(
      /http_request_duration_seconds_count\{method="GET",route="\/System\/Orders\/:orderId",status="200"\} \d+/,
    );
    expect(text).toMatch(
      /http_request_duration_seconds_count\{method="GET",route="\/System\/Orders\/:orderId",status="404"\} \d+/,
    );
    expect(text).toMatch(/mplus_call_duration_seconds_count\{operation="getDeliveryMethods",outcome="accepted"\} \d+/);
    expect(text).toMatch(/^outbox_pending_events [1-9]\d*$/m); // the workers are off in this test
    expect(text).toMatch(/^outbox_oldest_pending_age_seconds \d/m);
    expect(text).toMatch(/^process_cpu_user_seconds_total /m);
  });
});

describe('request ids', () => {
  it('echoes a sane X-Request-Id and records it in the history; makes one up otherwise', async () => {
    const id = await createOrder(gateway);
    const given = `shop-${randomUUID()}`;
    const sent = await gateway.patch(`/System/Orders/${id}/sent`).set('X-Request-Id', given);
    expect(sent.headers['x-request-id']).toBe(given);
    expect((await historyOf(gateway, id)).find((entry) => entry.action === 'sent')).toMatchObject({
      request_id: given,
    });
    const odd = await gateway.get(`/System/Orders/${id}`).set('X-Request-Id', 'has spaces and <tags>');
    expect(odd.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });
});
