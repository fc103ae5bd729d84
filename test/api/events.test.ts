import { Database } from '../../src/database/database.js';
import { sql } from '../../src/database/sql.js';
import { OrderWriter } from '../../src/orders/order-writer.js';
import { OrdersRepository } from '../../src/orders/orders.repository.js';
import { EventDeliveriesRepository } from '../../src/events/event-deliveries.repository.js';
import { guardedLookup, receiverProblem } from '../../src/events/egress.js';
import { createOrder, itemBody, orderBody } from '../support/factories.js';
import { type TestGateway, startGateway } from '../support/gateway.js';
import { FAST_SYNC } from '../support/sync.js';
import { waitFor } from '../support/wait.js';
import { type ReceivedCall, WebhookReceiver, signedContent, verifySignature } from '../support/webhook-receiver.js';

// /System/Events as the Retailys SDK's SystemEventsApi calls it, and the webhooks it sends to a
// real HTTP receiver: the right variables, signatures checked by the spec, order per order, and
// nothing lost while a receiver is down.

const FAST_WEBHOOKS: NodeJS.ProcessEnv = {
  ...FAST_SYNC,
  WEBHOOKS_ALLOW_PRIVATE_RECEIVERS: 'true',
  WEBHOOK_RETRY_BASE_MS: '50',
  WEBHOOK_RETRY_MAX_MS: '200',
  WEBHOOK_TIMEOUT_MS: '1000',
};

let gateway: TestGateway;
let receiver: WebhookReceiver;

beforeAll(async () => {
  gateway = await startGateway(FAST_WEBHOOKS);
  receiver = new WebhookReceiver();
  await receiver.start();
});

afterAll(async () => {
  await gateway?.close();
  await receiver?.stop();
});

beforeEach(async () => {
  // Each test hears only its own subscriptions, whatever an earlier one left behind.
  await gateway.app.get(Database).query(sql`DELETE FROM event_subscriptions`);
  receiver.calls.length = 0;
  receiver.behaviour = { kind: 'answer', status: 200 };
});

async function subscribe(body: Record<string, unknown>, key?: string): Promise<{ id: number; secret: string }> {
  const response = await gateway.post('/System/Events', body, key);
  if (response.status !== 201) throw new Error(`subscribe failed: ${response.status} ${JSON.stringify(response.body)}`);
  return response.body as { id: number; secret: string };
}

function callsFor(path: string): ReceivedCall[] {
  return receiver.calls.filter((call) => call.url.pathname === path);
}

describe('the Retailys SystemEventsApi', () => {
  it('creates, lists, reads, changes and deletes a subscription in the SDK models', async () => {
    const key = await gateway.keyWith('orders:read');
    const created = await gateway.post(
      '/System/Events',
      {
        event: 'new-order',
        path: `${receiver.url}/sdk`,
        method: 'POST',
        parameters: [{ name: 'order', variable: '%orderId%' }],
      },
      key,
    );
    expect(created.status).toBe(201);
    expect(created.body).toEqual({
      id: expect.any(Number),
      secret: expect.stringMatching(/^whsec_[A-Za-z0-9+/=]{32}$/),
    });
    const id = created.body.id as number;

    const list = await gateway.get('/System/Events?page=1&per_page=1', key).expect(200);
    expect(list.body).toEqual({
      paginator: { page: 1, per_page: 1, pages: 1, total: 1 },
      events: [
        expect.objectContaining({
          event: 'new-order',
          id,
          path: `${receiver.url}/sdk`,
          method: 'POST',
          params: [{ key: 'order', macro: '%orderId%' }],
          condition: null,
          enabled: true,
        }),
      ],
    });
    expect(JSON.stringify(list.body)).not.toContain('whsec_');
    const byPath = await gateway.get(`/System/Events?path=${encodeURIComponent('https://elsewhere.example/')}`, key);
    expect(byPath.body.paginator.total).toBe(0);

    expect((await gateway.get(`/System/Events/${id}`, key).expect(200)).body).toMatchObject({ id, event: 'new-order' });
    const put = await gateway.put('/System/Events', { id, path: `${receiver.url}/sdk2`, method: 'GET' }, key);
    expect(put.status).toBe(200);
    expect(put.body).toEqual({ id });
    expect((await gateway.get(`/System/Events/${id}`, key)).body).toMatchObject({
      path: `${receiver.url}/sdk2`,
      method: 'GET',
      params: [{ key: 'order', macro: '%orderId%' }],
    });
    expect((await gateway.delete(`/System/Events/${id}`, key).expect(200)).body).toEqual({ id });
    expect((await gateway.get(`/System/Events/${id}`, key)).status).toBe(404);
    expect((await gateway.delete(`/System/Events/${id}`, key)).status).toBe(404);
  });

  it('keeps a subscription to its own key; an admin may read any, a key without orders:read none', async () => {
    const owner = await gateway.keyWith('orders:read');
    const other = await gateway.keyWith('orders:read');
    const { id } = await subscribe({ event: 'order-paid', path: `${receiver.url}/own` }, owner);
    expect((await gateway.get(`/System/Events/${id}`, other)).status).toBe(404);
    expect((await gateway.put('/System/Events', { id, enabled: false }, other)).status).toBe(404);
    expect((await gateway.get('/System/Events', other)).body.paginator.total).toBe(0);
    expect((await gateway.get(`/System/Events/${id}`)).status).toBe(200);
    const payOnly = await gateway.keyWith('orders:pay');
    expect((await gateway.get('/System/Events', payOnly)).status).toBe(403);
    expect((await gateway.post('/System/Events', { event: 'order-paid', path: receiver.url }, payOnly)).status).toBe(
      403,
    );
  });

  it('refuses what it cannot honour with a 400 naming the field', async () => {
    const refused = async (body: Record<string, unknown>, field: string) => {
      const response = await gateway.post('/System/Events', { path: `${receiver.url}/x`, ...body });
      expect(response.status).toBe(400);
      expect(response.body.errors).toEqual(expect.arrayContaining([expect.objectContaining({ field })]));
      return response.body as { detail: string };
    };
    await refused({ event: 'change-article-availability' }, 'event');
    await refused({ event: 'order-paid', method: 'PUT' }, 'method');
    expect((await refused({ event: 'order-paid', condition: 'total > 100' }, 'condition')).detail).toContain(
      'status_id = 3',
    );
    await refused({ event: 'order-paid', condition: 'status_id = 1 and status_id = 2' }, 'condition');
    await refused(
      { event: 'order-paid', parameters: [{ name: 'x', variable: '%customerEmail%' }] },
      'parameters[0].variable',
    );
    await refused(
      {
        event: 'order-paid',
        parameters: [
          { name: 'x', variable: '%orderId%' },
          { name: 'x', variable: '%statusId%' },
        ],
      },
      'parameters[1].name',
    );
    await refused({ event: 'order-paid', path: 'partner.example/hook' }, 'path');
    await refused({ event: 'order-paid', path: 'ftp://partner.example/hook' }, 'path');
    await refused({ event: 'order-paid', path: 'https://user:pw@partner.example/hook' }, 'path');
    expect((await gateway.post('/System/Events', { event: 'order-paid' })).status).toBe(400);
    const withKey = await gateway
      .post('/System/Events', { event: 'order-paid', path: `${receiver.url}/x` })
      .set('idempotency-key', 'k-1');
    expect(withKey.status).toBe(400);
    expect(withKey.body.errors[0].field).toBe('Idempotency-Key');
  });
});

describe('webhooks', () => {
  it('delivers each event with its variables, signed, in order per order', async () => {
    const created = await subscribe({ event: 'order-new', path: `${receiver.url}/new` });
    const status = await subscribe({
      event: 'order-change-status',
      path: `${receiver.url}/status`,
      method: 'GET',
      parameters: [
        { name: 'order', variable: '%orderId%' },
        { name: 'status', variable: '%statusId%' },
        { name: 'channel', variable: '%channelId%' },
        { name: 'ref', variable: 'og-%orderId%-%sequence%' },
      ],
    });
    const paid = await subscribe({
      event: 'order-paid',
      path: `${receiver.url}/paid`,
      parameters: [
        { name: 'order', variable: '%orderId%' },
        { name: 'event', variable: '%event%' },
      ],
    });
    const id = await createOrder(gateway, { channel: 7 });
    await gateway.patch(`/System/Orders/${id}/status`, { status_id: 2 }).expect(200);
    await gateway.patch(`/System/Orders/${id}/status`, { status_id: 3 }).expect(200);
    await gateway.patch(`/System/Orders/${id}/paid`, { paid: 5, payment_id: 'p-1', status: 'success' }).expect(200);

    await waitFor('four deliveries', () => receiver.taken.length >= 4);
    const [newCall] = callsFor('/new');
    expect(newCall!.method).toBe('POST');
    expect(newCall!.headers['content-type']).toBe('application/json');
    const envelope = JSON.parse(newCall!.body);
    expect(envelope).toEqual({
      id: expect.stringMatching(/^evt_\d+$/),
      event: 'order-new',
      order_id: id,
      sequence: 1,
      status_id: null,
      channel_id: 7,
      occurred_at: expect.any(String),
      data: {},
    });
    expect(newCall!.headers['webhook-id']).toBe(envelope.id);
    expect(verifySignature(created.secret, newCall!.headers, signedContent(newCall!))).toBe(true);
    expect(verifySignature(status.secret, newCall!.headers, signedContent(newCall!))).toBe(false);

    const statusCalls = callsFor('/status');
    expect(statusCalls.map((call) => Object.fromEntries(call.url.searchParams))).toEqual([
      { order: String(id), status: '2', channel: '7', ref: `og-${id}-2` },
      { order: String(id), status: '3', channel: '7', ref: `og-${id}-3` },
    ]);
    expect(statusCalls.map((call) => call.headers['webhook-sequence'])).toEqual(['2', '3']);
    for (const call of statusCalls) {
      expect(verifySignature(status.secret, call.headers, signedContent(call))).toBe(true);
    }
    // The query string is what a GET's signature covers: changing it breaks the signature.
    const tampered = { ...statusCalls[0]!, url: new URL(statusCalls[0]!.url.href.replace('status=2', 'status=5')) };
    expect(verifySignature(status.secret, tampered.headers, signedContent(tampered))).toBe(false);

    const [paidCall] = callsFor('/paid');
    expect(JSON.parse(paidCall!.body)).toEqual({ order: id, event: 'order-paid' });
    expect(verifySignature(paid.secret, paidCall!.headers, signedContent(paidCall!))).toBe(true);
    expect(Number(paidCall!.headers['webhook-timestamp'])).toBeGreaterThan(Date.now() / 1000 - 60);

    const log = await gateway.get(`/System/Events/${status.id}/deliveries`).expect(200);
    expect(log.body.paginator.total).toBe(2);
    expect(log.body.deliveries[0]).toMatchObject({ order_id: id, sequence: 3, state: 'delivered', attempts: 1 });
    const detail = await gateway.get(`/System/Events/${status.id}/deliveries/${log.body.deliveries[0].id}`);
    expect(detail.body.attempt_log).toEqual([
      expect.objectContaining({ attempt: 1, outcome: 'delivered', response_status: 200, response_body: 'ok' }),
    ]);
    for (const one of [created, status, paid]) await gateway.delete(`/System/Events/${one.id}`).expect(200);
  });

  it('sends only the events its condition names', async () => {
    const { id: subscription } = await subscribe({
      event: 'order-change-status',
      path: `${receiver.url}/cond`,
      condition: '%statusId% == 3 and channel_id in (5, 6)',
    });
    const inChannel = await createOrder(gateway, { channel: 5 });
    const elsewhere = await createOrder(gateway, { channel: 9 });
    for (const order of [inChannel, elsewhere]) {
      for (const status of [2, 3, 4]) await gateway.patch(`/System/Orders/${order}/status`, { status_id: status });
    }
    await waitFor('the delivery', () => callsFor('/cond').length >= 1);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(callsFor('/cond').map((call) => [JSON.parse(call.body).order_id, JSON.parse(call.body).status_id])).toEqual([
      [inChannel, 3],
    ]);
    await gateway.delete(`/System/Events/${subscription}`).expect(200);
  });

  it('tells of lifecycle steps, refunds and nothing of a change that rolled back', async () => {
    const kinds = [
      'order-sent',
      'order-delivered',
      'order-done',
      'order-canceled',
      'order-refunded',
      'order-change-status',
    ];
    const subscriptions = await Promise.all(
      kinds.map((event) => subscribe({ event, path: `${receiver.url}/${event}` })),
    );
    const shipped = await createOrder(gateway);
    await gateway.patch(`/System/Orders/${shipped}/paid`, { paid: 24.2, payment_id: 'pay-1', status: 'success' });
    await gateway.patch(`/System/Orders/${shipped}/delivered`).expect(200);
    await gateway.patch(`/System/Orders/${shipped}/done`).expect(200);
    await gateway.post(`/System/Orders/${shipped}/refunds`, { amount: 2, reason: 'dent' }).expect(201);
    const canceled = await createOrder(gateway);
    await gateway.patch(`/System/Orders/${canceled}/cancel`).expect(200);

    // A status change written in a transaction that then rolls back.
    const untold = await createOrder(gateway);
    const orders = gateway.app.get(OrdersRepository);
    const writer = gateway.app.get(OrderWriter);
    await expect(
      orders.transaction(async (tx) => {
        const order = (await orders.lockById(tx, untold))!;
        await writer.updateLocked(
          tx,
          { apiKeyId: null, apiKeyName: 'test', rights: ['admin'], requestId: 'rollback' },
          order,
          () => ({
            patch: { statusId: 4 },
            note: { action: 'status', recordName: 'Status', changes: null },
            answer: () => ({ value: null }),
          }),
        );
        throw new Error('roll back');
      }),
    ).rejects.toThrow('roll back');

    await waitFor('the lifecycle deliveries', () => receiver.taken.length >= 5);
    await new Promise((resolve) => setTimeout(resolve, 300));
    const told = receiver.calls.map((call) => [call.url.pathname.slice(1), JSON.parse(call.body).order_id]);
    expect(told).toEqual(
      expect.arrayContaining([
        ['order-sent', shipped],
        ['order-delivered', shipped],
        ['order-done', shipped],
        ['order-refunded', shipped],
        ['order-canceled', canceled],
      ]),
    );
    expect(told.filter(([, order]) => order === untold)).toEqual([]);
    const refund = receiver.calls.find((call) => call.url.pathname === '/order-refunded')!;
    expect(JSON.parse(refund.body).data).toEqual({ amount: 2, amount_refunded: 2 });
    for (const one of subscriptions) await gateway.delete(`/System/Events/${one.id}`).expect(200);
  });

  it('tells when MplusKASSA refuses an order, once', async () => {
    const { id: subscription } = await subscribe({ event: 'order-sync-failed', path: `${receiver.url}/failed` });
    const order = await createOrder(gateway, { items: [itemBody({ article_number: '4242' })] });
    await waitFor('the event', () => receiver.taken.length >= 1);
    const [call] = receiver.taken;
    expect(JSON.parse(call!.body)).toMatchObject({
      event: 'order-sync-failed',
      order_id: order,
      data: { error: 'create: UNKNOWN-ARTICLE: MplusKASSA has no article 4242.' },
    });
    // A later change waits behind the failure: no second event until it fails afresh.
    await gateway.patch(`/System/Orders/${order}/status`, { status_id: 2 }).expect(200);
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(receiver.calls).toHaveLength(1);
    await gateway.delete(`/System/Events/${subscription}`).expect(200);
  });

  it('holds everything back while the receiver is down and then delivers it in order', async () => {
    const { id: subscription } = await subscribe({ event: 'order-change-status', path: `${receiver.url}/down` });
    receiver.behaviour = { kind: 'answer', status: 503, body: 'maintenance until 10:00' };
    const orders = [await createOrder(gateway), await createOrder(gateway)];
    for (const status of [1, 2, 3, 4]) {
      for (const order of orders) await gateway.patch(`/System/Orders/${order}/status`, { status_id: status });
    }
    await waitFor('failed attempts', () => receiver.calls.length >= 3);
    receiver.behaviour = { kind: 'close' };
    await waitFor('closed connections', () => receiver.calls.length >= 5);
    receiver.behaviour = { kind: 'answer', status: 200 };
    await waitFor('all eight', () => receiver.taken.length >= 8, 20_000);
    for (const order of orders) {
      const statuses = receiver.taken
        .map((call) => JSON.parse(call.body))
        .filter((event) => event.order_id === order)
        .map((event) => event.status_id);
      expect(statuses).toEqual([1, 2, 3, 4]);
    }
    const log = await gateway.get(`/System/Events/${subscription}/deliveries?per_page=250`);
    const first = log.body.deliveries.find((one: { attempts: number }) => one.attempts > 1);
    const detail = await gateway.get(`/System/Events/${subscription}/deliveries/${first.id}`);
    expect(detail.body.attempt_log[0]).toMatchObject({
      outcome: 'failed',
      response_status: 503,
      response_body: 'maintenance until 10:00',
    });
    expect(detail.body.attempt_log.at(-1)).toMatchObject({ outcome: 'delivered' });
    await gateway.delete(`/System/Events/${subscription}`).expect(200);
  });

  it('times out a receiver that does not answer, and reads no more of an answer than it keeps', async () => {
    const { id: subscription } = await subscribe({ event: 'order-done', path: `${receiver.url}/slow` });
    receiver.behaviour = { kind: 'hang' };
    const order = await createOrder(gateway);
    await gateway.patch(`/System/Orders/${order}/done`).expect(200);
    await waitFor('a timeout', async () => {
      const log = await gateway.get(`/System/Events/${subscription}/deliveries`);
      return log.body.deliveries[0]?.last_error?.includes('no answer within') ? log : null;
    });
    receiver.behaviour = { kind: 'answer', status: 200, body: 'x'.repeat(200_000) };
    await waitFor('delivered', async () => {
      const log = await gateway.get(`/System/Events/${subscription}/deliveries`);
      return log.body.deliveries[0]?.state === 'delivered';
    });
    const log = await gateway.get(`/System/Events/${subscription}/deliveries`);
    const detail = await gateway.get(`/System/Events/${subscription}/deliveries/${log.body.deliveries[0].id}`);
    expect(detail.body.attempt_log[0]).toMatchObject({ outcome: 'timeout', response_status: null });
    expect(detail.body.attempt_log.at(-1).response_body).toHaveLength(1024);
    await gateway.delete(`/System/Events/${subscription}`).expect(200);
  });

  it('replays one delivery, or every event since one, with the same event id', async () => {
    const { id: subscription } = await subscribe({ event: 'order-sent', path: `${receiver.url}/replay` });
    const orders = [await createOrder(gateway), await createOrder(gateway), await createOrder(gateway)];
    for (const order of orders) await gateway.patch(`/System/Orders/${order}/sent`).expect(200);
    await waitFor('three', () => receiver.taken.length >= 3);
    const ids = receiver.taken.map((call) => call.headers['webhook-id']);
    const log = await gateway.get(`/System/Events/${subscription}/deliveries`);
    const newest = log.body.deliveries[0];
    // Rehearsed first: answered as the replays would be, and nothing made or sent.
    const rehearsedOne = await gateway
      .post(`/System/Events/${subscription}/deliveries/${newest.id}/replay?dry_run=true`)
      .expect(200);
    expect(rehearsedOne.body.id).toEqual(expect.any(String));
    const rehearsedAll = await gateway
      .post(`/System/Events/${subscription}/replay?dry_run=true`, { since_event_id: String(ids[1]) })
      .expect(200);
    expect(rehearsedAll.body).toEqual({ replayed: 2 });
    expect((await gateway.get(`/System/Events/${subscription}/deliveries`)).body.paginator.total).toBe(3);
    const replay = await gateway.post(`/System/Events/${subscription}/deliveries/${newest.id}/replay`).expect(201);
    await waitFor('the replay', () => receiver.taken.length >= 4);
    expect(receiver.taken[3]!.headers['webhook-id']).toBe(`evt_${newest.event_id}`);
    const replayed = await gateway.get(`/System/Events/${subscription}/deliveries/${replay.body.id}`);
    expect(replayed.body).toMatchObject({ replay_of: newest.id, event_id: newest.event_id });

    const since = String(ids[1]);
    const all = await gateway.post(`/System/Events/${subscription}/replay`, { since_event_id: since }).expect(201);
    expect(all.body).toEqual({ replayed: 2 });
    await waitFor('the two replays', () => receiver.taken.length >= 6);
    expect(receiver.taken.slice(4).map((call) => call.headers['webhook-id'])).toEqual(ids.slice(1));
    expect((await gateway.post(`/System/Events/${subscription}/deliveries/999999999/replay`)).status).toBe(404);
    expect((await gateway.post(`/System/Events/${subscription}/replay`, { since_event_id: 'yesterday' })).status).toBe(
      400,
    );
    await gateway.delete(`/System/Events/${subscription}`).expect(200);
  });

  it('replays the events of one order in their order', async () => {
    const { id: subscription } = await subscribe({ event: 'order-change-status', path: `${receiver.url}/line` });
    const order = await createOrder(gateway);
    for (const status of [1, 2, 3, 4]) await gateway.patch(`/System/Orders/${order}/status`, { status_id: status });
    await waitFor('four', () => receiver.taken.length >= 4);
    const first = String(receiver.taken[0]!.headers['webhook-id']);
    receiver.behaviour = { kind: 'answer', status: 200, delayMs: 30 };
    const replayed = await gateway.post(`/System/Events/${subscription}/replay`, { since_event_id: first }).expect(201);
    expect(replayed.body).toEqual({ replayed: 4 });
    await gateway.patch(`/System/Orders/${order}/status`, { status_id: 2 }).expect(200);
    await waitFor('the replays and the new one', () => receiver.taken.length >= 9);
    const statuses = receiver.taken.map((call) => JSON.parse(call.body).status_id as number);
    expect(statuses).toEqual([1, 2, 3, 4, 1, 2, 3, 4, 2]);
    const started = receiver.calls.slice(4).map((call) => call.at);
    // One at a time: each replay was sent after the one before it was answered.
    for (let i = 1; i < started.length; i += 1) expect(started[i]! - started[i - 1]!).toBeGreaterThanOrEqual(25);
    await gateway.delete(`/System/Events/${subscription}`).expect(200);
  });

  it('rotates the secret with an overlap in which both sign', async () => {
    const { id: subscription, secret: first } = await subscribe({
      event: 'order-canceled',
      path: `${receiver.url}/rot`,
    });
    const rotated = await gateway.post(`/System/Events/${subscription}/secret`, { overlap_seconds: 600 }).expect(200);
    expect(rotated.body).toEqual({
      id: subscription,
      secret: expect.stringMatching(/^whsec_/),
      previous_secret_expires_at: expect.any(String),
    });
    const order = await createOrder(gateway);
    await gateway.patch(`/System/Orders/${order}/cancel`).expect(200);
    await waitFor('the delivery', () => receiver.taken.length >= 1);
    const [call] = receiver.taken;
    expect(String(call!.headers['webhook-signature']).split(' ')).toHaveLength(2);
    expect(verifySignature(rotated.body.secret, call!.headers, signedContent(call!))).toBe(true);
    expect(verifySignature(first, call!.headers, signedContent(call!))).toBe(true);

    const again = await gateway.post(`/System/Events/${subscription}/secret`, { overlap_seconds: 0 }).expect(200);
    expect(again.body.previous_secret_expires_at).toBeNull();
    const next = await createOrder(gateway);
    await gateway.patch(`/System/Orders/${next}/cancel`).expect(200);
    await waitFor('the second delivery', () => receiver.taken.length >= 2);
    const second = receiver.taken[1]!;
    expect(String(second.headers['webhook-signature']).split(' ')).toHaveLength(1);
    expect(verifySignature(again.body.secret, second.headers, signedContent(second))).toBe(true);
    expect(verifySignature(rotated.body.secret, second.headers, signedContent(second))).toBe(false);
    await gateway.delete(`/System/Events/${subscription}`).expect(200);
  });

  it('sends each event of a batch of creates once, with two gateways delivering side by side', async () => {
    const second = await startGateway(FAST_WEBHOOKS, { database: gateway.database, simulator: gateway.simulator });
    try {
      const { id: subscription } = await subscribe({ event: 'order-new', path: `${receiver.url}/batch` });
      const records = Array.from({ length: 40 }, () => orderBody());
      const response = await gateway.post('/System/Orders/batch', { records }).expect(201);
      const ids = (response.body.results as Array<{ id: number }>).map((one) => one.id);
      await waitFor('forty deliveries', () => receiver.taken.length >= 40, 20_000);
      await new Promise((resolve) => setTimeout(resolve, 300));
      const byId = new Map<string, ReceivedCall[]>();
      for (const call of receiver.calls) {
        const id = String(call.headers['webhook-id']);
        byId.set(id, [...(byId.get(id) ?? []), call]);
      }
      const told = [...byId.values()].map((calls) => JSON.parse(calls[0]!.body).order_id as number);
      expect(told.sort((a, b) => a - b)).toEqual([...ids].sort((a, b) => a - b));
      // A repeat is only a retry (an attempt that timed out under this suite's load): every call
      // the receiver got is an attempt in the log, and a delivery's attempts never overlap, so no
      // two workers ever sent one event at the same time.
      const attempts = await gateway.app.get(Database).query<{ event_id: string; started: Date; ms: number }>(sql`
        SELECT d.event_id::text AS event_id, a.started_at AS started, a.duration_ms AS ms
          FROM event_delivery_attempts a JOIN event_deliveries d ON d.id = a.delivery_id
         WHERE d.subscription_id = ${subscription}::int ORDER BY a.id`);
      for (const [id, calls] of byId) {
        const logged = attempts.filter((one) => `evt_${one.event_id}` === id);
        expect(calls.length).toBeLessThanOrEqual(logged.length);
        for (let i = 1; i < logged.length; i += 1) {
          const previousEnd = logged[i - 1]!.started.getTime() + logged[i - 1]!.ms;
          expect(logged[i]!.started.getTime()).toBeGreaterThanOrEqual(previousEnd - 2);
        }
      }
      await gateway.delete(`/System/Events/${subscription}`).expect(200);
    } finally {
      await second.close();
    }
  });
});

describe('a subscription that keeps failing', () => {
  let strict: TestGateway;
  beforeAll(async () => {
    strict = await startGateway({
      ...FAST_WEBHOOKS,
      WEBHOOKS_ALLOW_PRIVATE_RECEIVERS: 'false',
      WEBHOOK_DISABLE_AFTER_FAILURES: '3',
      READY_WEBHOOK_FAILURES: '2',
    });
  });
  afterAll(async () => {
    await strict?.close();
  });

  it('refuses receivers on addresses that are not public', async () => {
    for (const path of [
      `${receiver.url}/x`,
      'http://localhost:8080/hook',
      'http://169.254.169.254/latest/meta-data',
      'http://10.0.0.5/hook',
      'http://[::1]:8080/hook',
      'http://[::ffff:127.0.0.1]/hook',
      'http://[fe80::1]/hook',
    ]) {
      const response = await strict.post('/System/Events', { event: 'order-paid', path });
      expect({ path, status: response.status, field: response.body.errors?.[0]?.field }).toEqual({
        path,
        status: 400,
        field: 'path',
      });
    }
    expect(receiverProblem('https://partner.example/hook', false)).toBeNull();
    // A name is checked where the delivery connects: the address it resolves to then.
    const refused = await new Promise<Error | null>((resolve) =>
      guardedLookup(false)('localhost', {}, (error) => resolve(error)),
    );
    expect(refused?.message).toMatch(/localhost resolves to .*not public/);
  });

  it('is disabled after the run of failures, shown degraded, and enabled again by PUT', async () => {
    // Made while private receivers were allowed (the setting changed since): its deliveries are refused.
    const [row] = await strict.app.get(Database).query<{ id: number }>(
      sql`INSERT INTO event_subscriptions (api_key_id, event, kind, path, method, secret, status_ids, channel_ids)
          SELECT id, 'order-done', 'order-done', 'http://127.0.0.1:9/hook', 'POST', 'whsec_c2VjcmV0c2VjcmV0c2VjcmV0',
                 '{}', '{}'
            FROM api_keys ORDER BY id LIMIT 1 RETURNING id`,
    );
    const subscription = row!.id;
    const order = await createOrder(strict);
    await strict.patch(`/System/Orders/${order}/done`).expect(200);
    const disabled = await waitFor('disabled', async () => {
      const body = (await strict.get(`/System/Events/${subscription}`)).body;
      return body.enabled === false ? body : null;
    });
    expect(disabled.consecutive_failures).toBe(3);
    expect(disabled.disabled_reason).toMatch(
      /disabled after 3 failed deliveries in a row, the last: path names an address/,
    );
    const ready = await strict.get('/health/ready').expect(200);
    expect(ready.body.status).toBe('degraded');
    expect(ready.body.details.webhooks).toMatchObject({
      status: 'degraded',
      failing_subscriptions: [{ id: subscription, consecutive_failures: 3, enabled: false }],
    });
    const log = await strict.get(`/System/Events/${subscription}/deliveries`);
    expect(log.body.deliveries[0]).toMatchObject({ state: 'pending', attempts: 3 });
    const detail = await strict.get(`/System/Events/${subscription}/deliveries/${log.body.deliveries[0].id}`);
    expect(detail.body.attempt_log.map((one: { outcome: string }) => one.outcome)).toEqual([
      'refused',
      'refused',
      'refused',
    ]);

    // Pointed at a public address and enabled again: its delivery goes out (and fails at once
    // here, where nothing public answers), counting afresh.
    await strict.put('/System/Events', { id: subscription, path: 'https://192.0.2.1/hook' }).expect(200);
    const enabled = (await strict.get(`/System/Events/${subscription}`)).body;
    expect(enabled).toMatchObject({ enabled: true, disabled_reason: null, path: 'https://192.0.2.1/hook' });
    await strict.put('/System/Events', { id: subscription, enabled: false }).expect(200);
    expect((await strict.get(`/System/Events/${subscription}`)).body).toMatchObject({
      enabled: false,
      disabled_reason: 'disabled by its owner',
    });
    await strict.delete(`/System/Events/${subscription}`).expect(200);
    expect((await strict.get('/health/ready')).body.details.webhooks.status).toBe('up');
  });
});

describe('retention', () => {
  it('removes deliveries delivered before WEBHOOK_RETENTION_DAYS with their attempts, and spent events, never what waits', async () => {
    const db = gateway.app.get(Database);
    const heard = await subscribe({ event: 'order-new', path: `${receiver.url}/kept` });
    const paused = await subscribe({ event: 'order-new', path: `${receiver.url}/paused` });
    await gateway.put('/System/Events', { id: paused.id, enabled: false }).expect(200);
    const old = await createOrder(gateway);
    const recent = await createOrder(gateway);
    await waitFor('both delivered', () => callsFor('/kept').length >= 2);
    await waitFor('both recorded as delivered', async () => {
      const rows = await db.query<{ n: number }>(
        sql`SELECT count(*)::int AS n FROM event_deliveries WHERE subscription_id = ${heard.id} AND state = 'delivered'`,
      );
      return rows[0]!.n === 2;
    });
    // The first order's event and its deliveries (one delivered, one waiting) were 40 days ago.
    await db.query(sql`UPDATE order_events SET created_at = now() - interval '40 days' WHERE order_id = ${old}`);
    await db.query(sql`UPDATE event_deliveries SET delivered_at = now() - interval '40 days'
                        WHERE order_id = ${old} AND state = 'delivered'`);
    const deliveries = gateway.app.get(EventDeliveriesRepository);
    const removed = { deliveries: 0, events: 0 };
    for (;;) {
      const slice = await deliveries.removeDeliveredBefore(30, 1);
      if (slice.deliveries + slice.events === 0) break;
      removed.deliveries += slice.deliveries;
      removed.events += slice.events;
    }
    // The old event stays: the paused subscription's delivery of it still waits.
    expect(removed).toEqual({ deliveries: 1, events: 0 });
    const left = await db.query<{ order_id: number; subscription_id: number; state: string; attempts: number }>(sql`
      SELECT d.order_id, d.subscription_id, d.state,
             (SELECT count(*)::int FROM event_delivery_attempts a WHERE a.delivery_id = d.id) AS attempts
        FROM event_deliveries d WHERE d.order_id IN (${old}, ${recent}) ORDER BY d.order_id, d.subscription_id`);
    expect(left).toEqual([
      { order_id: old, subscription_id: paused.id, state: 'pending', attempts: 0 },
      { order_id: recent, subscription_id: heard.id, state: 'delivered', attempts: 1 },
      { order_id: recent, subscription_id: paused.id, state: 'pending', attempts: 0 },
    ]);
    // Once nothing waits for it, the old event goes too.
    await gateway.delete(`/System/Events/${paused.id}`).expect(200);
    expect(await deliveries.removeDeliveredBefore(30, 100)).toEqual({ deliveries: 0, events: 1 });
    const events = await db.query<{ order_id: number }>(
      sql`SELECT order_id FROM order_events WHERE order_id IN (${old}, ${recent}) AND kind = 'order-new'`,
    );
    expect(events).toEqual([{ order_id: recent }]);
  });
});

describe('a subscription of a revoked key', () => {
  it('ends with the key: disabled, no delivery made or kept for it, and not enabled again', async () => {
    const db = gateway.app.get(Database);
    const partner = await gateway.keyWith('orders:read');
    const ended = await subscribe({ event: 'order-new', path: `${receiver.url}/ended` }, partner);
    const kept = await subscribe({ event: 'order-new', path: `${receiver.url}/kept` });
    // Held back by its owner, so that one of its deliveries is still waiting when the key goes.
    await gateway.put('/System/Events', { id: ended.id, enabled: false }, partner).expect(200);
    const before = await createOrder(gateway);
    const [key] = await db.query<{ id: number }>(sql`SELECT id FROM api_keys WHERE prefix = ${partner.slice(0, 9)}`);
    await gateway.delete(`/System/ApiKeys/${key!.id}`).expect(200);
    const after = await createOrder(gateway);
    await waitFor('the other subscription hears of both orders', () => callsFor('/kept').length >= 2);

    expect((await gateway.get(`/System/Events/${ended.id}`).expect(200)).body).toMatchObject({
      id: ended.id,
      enabled: false,
      disabled_reason: 'its API key was revoked',
    });
    const waiting = () =>
      db.query<{ order_id: number }>(
        sql`SELECT order_id FROM event_deliveries WHERE subscription_id = ${ended.id} ORDER BY id`,
      );
    // The order made after the revocation made no delivery for it.
    expect(await waiting()).toEqual([{ order_id: before }]);
    expect(after).toBeGreaterThan(before);

    for (const refused of [
      await gateway.put('/System/Events', { id: ended.id, enabled: true }),
      await gateway.post(`/System/Events/${ended.id}/replay`, { since_event_id: '1' }),
    ]) {
      expect(refused.status).toBe(422);
      expect(refused.body).toMatchObject({ code: 'EVENT_KEY_REVOKED' });
    }
    // The hourly cleanup drops what it had waiting; the other subscription keeps its own.
    expect(await gateway.app.get(EventDeliveriesRepository).removeOfRevokedKeys(100, 60)).toBe(1);
    expect(await waiting()).toEqual([]);
    expect(callsFor('/ended')).toEqual([]);
    const [{ n } = { n: 0 }] = await db.query<{ n: number }>(
      sql`SELECT count(*)::int AS n FROM event_deliveries WHERE subscription_id = ${kept.id}`,
    );
    expect(n).toBe(2);
    // It can still be read and removed by an admin.
    await gateway.delete(`/System/Events/${ended.id}`).expect(200);
  });
});
