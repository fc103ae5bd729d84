import { createOrder, getOrder, historyOf } from '../support/factories.js';
import { startGateway, type TestGateway } from '../support/gateway.js';

let gateway: TestGateway;
beforeAll(async () => {
  gateway = await startGateway();
});
afterAll(() => gateway.close());

type Route = 'sent' | 'delivered' | 'done' | 'cancel';

/** An order taken to a state by the routes that lead there. */
async function orderIn(state: 'open' | 'sent' | 'delivered' | 'done' | 'canceled'): Promise<number> {
  const id = await createOrder(gateway);
  const path: Record<typeof state, Route[]> = {
    open: [],
    sent: ['sent'],
    delivered: ['delivered'],
    done: ['done'],
    canceled: ['cancel'],
  };
  for (const route of path[state]) await gateway.patch(`/System/Orders/${id}/${route}`).expect(200);
  return id;
}

// The transition table, route by route, as the client sees it: 200 with a change, 200 without
// one (a repeat), or 422.
const EXPECTED: Record<Route, Record<string, 'change' | 'repeat' | 'refuse'>> = {
  sent: { open: 'change', sent: 'repeat', delivered: 'repeat', done: 'change', canceled: 'refuse' },
  delivered: { open: 'change', sent: 'change', delivered: 'repeat', done: 'change', canceled: 'refuse' },
  done: { open: 'change', sent: 'change', delivered: 'change', done: 'repeat', canceled: 'refuse' },
  cancel: { open: 'change', sent: 'refuse', delivered: 'refuse', done: 'refuse', canceled: 'repeat' },
};

const CASES = Object.entries(EXPECTED).flatMap(([route, byState]) =>
  Object.entries(byState).map(([state, outcome]) => [route as Route, state, outcome] as const),
);

describe('PATCH sent / delivered / done / cancel', () => {
  it.each(CASES)('/%s on a %s order: %s', async (route, state, outcome) => {
    const id = await orderIn(state as 'open');
    const before = await getOrder(gateway, id);
    const historyBefore = (await historyOf(gateway, id)).length;
    const response = await gateway.patch(`/System/Orders/${id}/${route}`);
    if (outcome === 'refuse') {
      expect(response.status).toBe(422);
      expect(response.body).toMatchObject({ code: 'TRANSITION_NOT_ALLOWED', current_state: state });
      expect(response.body.detail).toBe(
        `Order ${id} cannot be ${route === 'cancel' ? 'canceled' : `marked ${route}`}: it is ${state}.`,
      );
      expect(await getOrder(gateway, id)).toEqual(before);
      return;
    }
    expect(response.status).toBe(200);
    expect(response.body.id).toBe(id);
    const history = await historyOf(gateway, id);
    if (outcome === 'repeat') {
      expect(response.body.version).toBe(before.version);
      expect(history).toHaveLength(historyBefore);
    } else {
      expect(response.body.version).toBe(before.version + 1);
      expect(history).toHaveLength(historyBefore + 1);
      const flag = route === 'cancel' ? 'canceled' : route;
      expect(response.body[flag]).toBe(true);
      expect(history.at(-1)?.changes[flag]).toEqual({ before: false, after: true });
    }
  });

  it('marks an open order sent too when it is delivered', async () => {
    const id = await orderIn('open');
    const order = (await gateway.patch(`/System/Orders/${id}/delivered`)).body;
    expect(order).toMatchObject({ sent: true, delivered: true, lifecycle_state: 'delivered' });
    expect((await historyOf(gateway, id)).at(-1)?.changes).toEqual({
      sent: { before: false, after: true },
      delivered: { before: false, after: true },
    });
  });

  it('shows the routes that would change the order in allowed_transitions', async () => {
    expect((await getOrder(gateway, await orderIn('sent'))).allowed_transitions).toEqual([
      'delivered',
      'done',
      'paid',
      'tracking',
    ]);
    expect((await getOrder(gateway, await orderIn('canceled'))).allowed_transitions).toEqual(['archive']);
    expect((await getOrder(gateway, await orderIn('done'))).allowed_transitions).toEqual([
      'sent',
      'delivered',
      'paid',
      'tracking',
      'archive',
    ]);
  });

  it('takes an empty body, an empty JSON body or {}, and refuses keys', async () => {
    const id = await orderIn('open');
    await gateway.patch(`/System/Orders/${id}/sent`).set('content-type', 'application/json').expect(200);
    await gateway.patch(`/System/Orders/${id}/sent`, {}).expect(200);
    const keyed = await gateway.patch(`/System/Orders/${id}/done`, { force: true });
    expect(keyed.status).toBe(400);
    expect(keyed.body.errors).toEqual([{ field: 'force', message: 'unknown field force: this route takes no body' }]);
    expect((await gateway.patch('/System/Orders/999999/sent')).status).toBe(404);
  });

  it('applies one of many concurrent conflicting transitions, never both', async () => {
    const id = await orderIn('open');
    const [sent, canceled] = await Promise.all([
      gateway.patch(`/System/Orders/${id}/sent`),
      gateway.patch(`/System/Orders/${id}/cancel`),
    ]);
    const order = await getOrder(gateway, id);
    expect(order.sent && order.canceled).toBe(false);
    expect([sent.status, canceled.status].sort()).toEqual([200, 422]);
  });
});

describe('PATCH status', () => {
  it('sets a plain status and answers the order', async () => {
    const id = await orderIn('open');
    const response = await gateway.patch(`/System/Orders/${id}/status`, { status_id: 2 });
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({
      status_id: 2,
      status: { id: 2, api_link: '/System/Orders/Statuses/2' },
      done: false,
    });
    const entry = (await historyOf(gateway, id)).at(-1);
    expect(entry).toMatchObject({
      type: 'status',
      action: 'status_set',
      record: { name: 'Status set to Awaiting payment' },
    });
    expect(entry?.changes.status_id).toEqual({ before: null, after: 2 });
  });

  it('also finishes the order with a complete_order status, and cancels with a cancel_order one', async () => {
    const completed = (await gateway.patch(`/System/Orders/${await orderIn('sent')}/status`, { status_id: 5 })).body;
    expect(completed).toMatchObject({ status_id: 5, done: true, lifecycle_state: 'done' });
    const canceled = (await gateway.patch(`/System/Orders/${await orderIn('open')}/status`, { status_id: 6 })).body;
    expect(canceled).toMatchObject({ status_id: 6, canceled: true });
  });

  it('refuses a cancel_order status under the rules of /cancel and a complete_order one under those of /done', async () => {
    const sent = await orderIn('sent');
    const refused = await gateway.patch(`/System/Orders/${sent}/status`, { status_id: 6 });
    expect(refused.status).toBe(422);
    expect(refused.body.current_state).toBe('sent');
    expect((await getOrder(gateway, sent)).status_id).toBeNull();
    expect((await gateway.patch(`/System/Orders/${await orderIn('canceled')}/status`, { status_id: 5 })).status).toBe(
      422,
    );
  });

  it('sets a plain status on any order, and a repeat changes nothing', async () => {
    const id = await orderIn('canceled');
    const first = (await gateway.patch(`/System/Orders/${id}/status`, { status_id: 3 })).body;
    const again = (await gateway.patch(`/System/Orders/${id}/status`, { status_id: 3 })).body;
    expect(again.version).toBe(first.version);
  });

  it('refuses an unknown status id as a bad field', async () => {
    const response = await gateway.patch(`/System/Orders/${await orderIn('open')}/status`, { status_id: 99 });
    expect(response.status).toBe(400);
    expect(response.body.errors).toEqual([{ field: 'status_id', message: 'there is no order status 99' }]);
    expect((await gateway.patch(`/System/Orders/${await orderIn('open')}/status`, {})).body.errors[0].field).toBe(
      'status_id',
    );
  });
});

describe('PATCH paid', () => {
  const paid = (id: number, body: object) => gateway.patch(`/System/Orders/${id}/paid`, body);

  it('adds a successful payment with its id, url and date', async () => {
    const id = await orderIn('open');
    const response = await paid(id, {
      paid: 20,
      payment_id: 'pay-1',
      status: 'success',
      url: 'https://pay.example/r/1',
    });
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({
      paid: 20,
      external_payment_id: 'pay-1',
      external_payment_url: 'https://pay.example/r/1',
    });
    expect(Date.parse(response.body.date_paid)).toBeGreaterThan(Date.now() - 60_000);
    const second = (await paid(id, { paid: 4.2, payment_id: 'pay-2', status: 'success' })).body;
    expect(second).toMatchObject({ paid: 24.2, external_payment_id: 'pay-2', external_payment_url: null });
    const entry = (await historyOf(gateway, id)).at(-1);
    expect(entry).toMatchObject({ action: 'paid', record: { name: 'Paid 4.2 EUR' } });
    expect(entry?.changes.paid).toEqual({ before: 20, after: 24.2 });
  });

  it('changes nothing when a gateway repeats its callback, and refuses the same id with another amount', async () => {
    const id = await orderIn('open');
    const first = (await paid(id, { paid: 10, payment_id: 'dup', status: 'success' })).body;
    const again = await paid(id, { paid: 10, payment_id: 'dup', status: 'success' });
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ paid: 10, version: first.version });
    const conflicting = await paid(id, { paid: 11, payment_id: 'dup', status: 'success' });
    expect(conflicting.status).toBe(409);
    expect(conflicting.body.code).toBe('PAYMENT_CONFLICT');
  });

  it('counts a payment once when its callbacks arrive together', async () => {
    const id = await orderIn('open');
    const responses = await Promise.all(
      Array.from({ length: 8 }, () => paid(id, { paid: 5, payment_id: 'burst', status: 'success' })),
    );
    expect(responses.every((response) => response.status === 200)).toBe(true);
    expect((await getOrder(gateway, id)).paid).toBe(5);
  });

  it.each(['denied', 'canceled', 'unknown'])('only records a %s attempt in the history', async (status) => {
    const id = await orderIn('open');
    const response = await paid(id, { paid: 24.2, payment_id: 'try-1', status, url: 'https://pay.example/retry' });
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ paid: 0, date_paid: null, external_payment_id: null, version: 1 });
    const entry = (await historyOf(gateway, id)).at(-1);
    expect(entry).toMatchObject({ action: 'payment_attempt', record: { status } });
    expect(entry?.changes.payment_attempt.after).toEqual({
      paid: 24.2,
      payment_id: 'try-1',
      status,
      url: 'https://pay.example/retry',
    });
  });

  it('refuses a successful payment on a canceled order, but records an attempt', async () => {
    const id = await orderIn('canceled');
    const refused = await paid(id, { paid: 1, payment_id: 'late', status: 'success' });
    expect(refused.status).toBe(422);
    expect(refused.body.current_state).toBe('canceled');
    expect((await paid(id, { paid: 1, status: 'denied' })).status).toBe(200);
  });

  it('takes payments on sent and done orders', async () => {
    expect((await paid(await orderIn('sent'), { paid: 1, payment_id: 'p', status: 'success' })).body.paid).toBe(1);
    expect((await paid(await orderIn('done'), { paid: 1, payment_id: 'p', status: 'success' })).body.paid).toBe(1);
  });

  it.each([
    [{ paid: 1, status: 'success' }, 'payment_id'],
    [{ paid: -1, payment_id: 'x', status: 'success' }, 'paid'],
    [{ paid: 1.001, payment_id: 'x', status: 'success' }, 'paid'],
    [{ payment_id: 'x', status: 'success' }, 'paid'],
    [{ paid: 1, payment_id: 'x', status: 'ok' }, 'status'],
    [{ paid: 1, payment_id: 'x', status: 'success', url: 'javascript:alert(1)' }, 'url'],
    [{ paid: '1', payment_id: 'x', status: 'success' }, 'paid'],
  ])('refuses %j naming %s', async (body, field) => {
    const response = await paid(await orderIn('open'), body);
    expect(response.status).toBe(400);
    expect(response.body.errors.map((error: { field: string }) => error.field)).toContain(field);
  });
});

describe('POST tracking', () => {
  it('adds a parcel with its tracking url, and a repeat answers 200 with the same id', async () => {
    const id = await orderIn('open');
    const first = await gateway.post(`/System/Orders/${id}/tracking`, { shipper_id: 1, tracking_number: 'Z 123/45' });
    expect(first.status).toBe(201);
    expect(first.body).toEqual({ id: expect.any(Number) });
    const again = await gateway.post(`/System/Orders/${id}/tracking`, { shipper_id: 1, tracking_number: 'Z 123/45' });
    expect(again.status).toBe(200);
    expect(again.body).toEqual(first.body);
    const order = await getOrder(gateway, id);
    expect(order.trackings).toEqual([
      {
        shipper_id: 1,
        tracking_number: 'Z 123/45',
        tracking_url: 'https://www.ppl.cz/vyhledat-zasilku?shipmentId=Z%20123%2F45',
      },
    ]);
    expect(order.version).toBe(2);
    expect((await historyOf(gateway, id)).at(-1)?.action).toBe('tracking_added');
  });

  it('refuses an unknown shipper, a bad number, and a canceled order', async () => {
    const id = await orderIn('open');
    const unknown = await gateway.post(`/System/Orders/${id}/tracking`, { shipper_id: 99, tracking_number: 'X1' });
    expect(unknown.status).toBe(400);
    expect(unknown.body.errors).toEqual([{ field: 'shipper_id', message: 'there is no shipper 99' }]);
    expect(
      (await gateway.post(`/System/Orders/${id}/tracking`, { shipper_id: 1, tracking_number: '<script>' })).status,
    ).toBe(400);
    expect(
      (
        await gateway.post(`/System/Orders/${await orderIn('canceled')}/tracking`, {
          shipper_id: 1,
          tracking_number: 'X1',
        })
      ).status,
    ).toBe(422);
  });
});

describe('PUT /System/Orders (delivery address)', () => {
  it('changes the fields given, clears those given as null, and answers {id}', async () => {
    const id = await createOrder(gateway, { delivery_name: 'Jana', delivery_city: 'Brno', delivery_phone: '+420111' });
    const response = await gateway.put('/System/Orders', {
      id,
      delivery_city: 'Ostrava',
      delivery_phone: null,
      delivery_state_code: 'sk',
    });
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ id });
    const order = await getOrder(gateway, id);
    expect(order).toMatchObject({
      delivery_name: 'Jana',
      delivery_city: 'Ostrava',
      delivery_phone: null,
      delivery_state_code: 'SK',
    });
    expect((await historyOf(gateway, id)).at(-1)?.changes).toEqual({
      delivery_city: { before: 'Brno', after: 'Ostrava' },
      delivery_state_code: { before: null, after: 'SK' },
      delivery_phone: { before: '+420111', after: null },
    });
  });

  it('refuses other fields, and changes after the order is sent', async () => {
    const id = await createOrder(gateway);
    expect((await gateway.put('/System/Orders', { id, email: 'new@example.cz' })).status).toBe(400);
    expect((await gateway.put('/System/Orders', { delivery_city: 'X' })).body.errors[0].field).toBe('id');
    await gateway.patch(`/System/Orders/${id}/sent`).expect(200);
    const refused = await gateway.put('/System/Orders', { id, delivery_city: 'Elsewhere' });
    expect(refused.status).toBe(422);
    expect(refused.body.current_state).toBe('sent');
    expect((await gateway.put('/System/Orders', { id: 999999, delivery_city: 'X' })).status).toBe(404);
  });

  it('writes nothing when nothing changes', async () => {
    const id = await createOrder(gateway, { delivery_city: 'Brno' });
    await gateway.put('/System/Orders', { id, delivery_city: 'Brno' }).expect(200);
    expect((await getOrder(gateway, id)).version).toBe(1);
  });
});

describe('history', () => {
  it('takes a client entry and lists every entry oldest first', async () => {
    const id = await orderIn('sent');
    const posted = await gateway.post(`/System/Orders/${id}/history`, {
      type: 'email',
      record: { name: 'Shipping e-mail sent', status: 'ok' },
    });
    expect(posted.status).toBe(201);
    const history = await historyOf(gateway, id);
    expect(history.map((entry) => entry.action)).toEqual(['created', 'sent', 'note']);
    expect(history[2]).toMatchObject({
      id: posted.body.id,
      type: 'email',
      record: { name: 'Shipping e-mail sent', status: 'ok' },
      changes: null,
    });
    const page = (await gateway.get(`/System/Orders/${id}/history?per_page=10&page=1`)).body;
    expect(page.paginator).toEqual({ page: 1, per_page: 10, pages: 1, total: 3 });
  });

  it('validates entries and answers 404 for unknown orders', async () => {
    const id = await orderIn('open');
    expect((await gateway.post(`/System/Orders/${id}/history`, { type: 'sms', record: { name: 'x' } })).status).toBe(
      400,
    );
    expect((await gateway.post(`/System/Orders/${id}/history`, { type: 'order' })).body.errors[0].field).toBe('record');
    expect(
      (await gateway.post(`/System/Orders/${id}/history`, { type: 'order', record: {} })).body.errors[0].field,
    ).toBe('record.name');
    expect((await gateway.get('/System/Orders/999999/history')).status).toBe(404);
    expect((await gateway.post('/System/Orders/999999/history', { type: 'order', record: { name: 'x' } })).status).toBe(
      404,
    );
  });
});
