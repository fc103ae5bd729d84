import { createOrder, getOrder, historyOf, itemBody, orderBody } from '../support/factories.js';
import { startGateway, type TestGateway } from '../support/gateway.js';

let gateway: TestGateway;
beforeAll(async () => {
  gateway = await startGateway();
});
afterAll(() => gateway.close());

describe('POST /System/Orders', () => {
  it('creates an order with its items in one go and answers 201 {id}', async () => {
    const response = await gateway.post(
      '/System/Orders',
      orderBody({ items: [itemBody(), itemBody({ name: 'Plate', count: 1, price: { final_price: 6.05, vat: 21 } })] }),
    );
    expect(response.status).toBe(201);
    expect(response.body).toEqual({ id: expect.any(Number) });
    const order = await getOrder(gateway, response.body.id);
    expect(order.items).toHaveLength(2);
    expect(order.items[1].price).toMatchObject({
      base_price: 5,
      final_price: 6.05,
      vat: 21,
      vat_value: 1.05,
      currency: 'EUR',
    });
    expect(order.money).toBe(30.25); // 2 × 12.10 + 6.05
    expect(order.paid).toBe(0);
    expect(order.lifecycle_state).toBe('open');
    expect(order.version).toBe(1);
  });

  it('needs email, order_currency_code and a name, and says which is missing', async () => {
    const response = await gateway.post('/System/Orders', {});
    expect(response.status).toBe(400);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    const fields = (response.body.errors as Array<{ field: string }>).map((error) => error.field);
    expect(fields).toEqual(expect.arrayContaining(['email', 'order_currency_code', 'name', 'delivery_name']));
    expect(response.body.message).toBe('Validation failed');
    expect(response.body.detail).toContain('email is required');
  });

  it('accepts delivery_name instead of name', async () => {
    const response = await gateway.post('/System/Orders', orderBody({ name: undefined, delivery_name: 'Jana' }));
    expect(response.status).toBe(201);
  });

  it('refuses unknown keys by name, also inside items', async () => {
    const response = await gateway.post(
      '/System/Orders',
      orderBody({ colour: 'red', items: [itemBody({ size: 'L' })] }),
    );
    expect(response.status).toBe(400);
    expect(response.body.errors).toEqual(
      expect.arrayContaining([
        { field: 'colour', message: 'unknown field colour: not part of this request' },
        { field: 'items[0].size', message: 'unknown field size: not part of this request' },
      ]),
    );
  });

  it('refuses unknown keys named like the methods every object has, which class-transformer drops unseen', async () => {
    for (const key of ['toString', 'constructor', 'prototype', 'hasOwnProperty', 'valueOf']) {
      const response = await gateway.post('/System/Orders', orderBody({ items: [itemBody({ [key]: 'x' })] }));
      expect(response.status).toBe(400);
      expect(response.body.errors).toEqual([
        { field: `items[0].${key}`, message: `unknown field ${key}: not part of this request` },
      ]);
      expect((await gateway.post('/System/Orders', { ...orderBody(), [key]: 1 })).body.errors).toEqual([
        { field: key, message: `unknown field ${key}: not part of this request` },
      ]);
    }
    const listed = await gateway.get('/System/Orders?toString=1');
    expect(listed.status).toBe(400);
    expect(listed.body.errors[0].field).toBe('toString');
  });

  it.each([
    ['email', { email: 'not-an-email' }],
    ['order_currency_code', { order_currency_code: 'EURO' }],
    ['order_currency_code', { order_currency_code: 'XYZ' }],
    ['state_code', { state_code: 'CZE' }],
    ['delivery_state_code', { delivery_state_code: 'XX' }],
    ['phone', { phone: 'call me' }],
    ['ip', { ip: '999.1.1.1' }],
    ['date_order', { date_order: '2024-05-02' }],
    ['date_order', { date_order: '2024-05-02T10:15:00' }],
    ['name', { name: 'x'.repeat(256) }],
    ['note', { note: 'x'.repeat(4001) }],
    ['channel', { channel: 0 }],
    ['channel', { channel: 1.5 }],
    ['external_order_id', { external_order_prefix: 'WEB' }],
    ['items', { items: 'none' }],
    ['items[0].count', { items: [itemBody({ count: 0 })] }],
    ['items[0].count', { items: [itemBody({ count: 1.5 })] }],
    ['items[0].count', { items: [itemBody({ count: '2' })] }],
    ['items[0].name', { items: [itemBody({ name: '' })] }],
    ['items[0].article_number', { items: [itemBody({ article_number: '10a1' })] }],
    ['items[0].article_number', { items: [itemBody({ article_number: 1001 })] }],
    ['items[0].price.base_price', { items: [itemBody({ price: { base_price: -1, vat: 21 } })] }],
    ['items[0].price.base_price', { items: [itemBody({ price: { base_price: 1.23456, vat: 21 } })] }],
    ['items[0].price.base_price', { items: [itemBody({ price: { base_price: 1.005, vat: 21 } })] }],
    ['items[0].price.final_price', { items: [itemBody({ price: { base_price: 1, final_price: 1.21, vat: 21 } })] }],
    ['items[0].price.base_price', { items: [itemBody({ price: { vat: 21 } })] }],
    ['items[0].price.vat', { items: [itemBody({ price: { base_price: 1 } })] }],
    ['items[0].price.vat', { items: [itemBody({ price: { base_price: 1, vat: 101 } })] }],
    ['items[0].price', { items: [itemBody({ price: 10 })] }],
  ])('refuses a bad %s (case %#)', async (field, overrides) => {
    const response = await gateway.post('/System/Orders', orderBody(overrides));
    expect(response.status).toBe(400);
    expect((response.body.errors as Array<{ field: string }>).map((error) => error.field)).toContain(field);
  });

  it('refuses amounts with more decimals than the order currency has', async () => {
    const yen = await gateway.post(
      '/System/Orders',
      orderBody({ order_currency_code: 'JPY', items: [itemBody({ price: { base_price: 100.5, vat: 10 } })] }),
    );
    expect(yen.status).toBe(400);
    expect(yen.body.errors).toEqual([
      { field: 'items[0].price.base_price', message: 'JPY amounts take at most 0 decimals' },
    ]);
    const dinar = await gateway.post(
      '/System/Orders',
      orderBody({ order_currency_code: 'KWD', items: [itemBody({ price: { base_price: 1.125, vat: 0 } })] }),
    );
    expect(dinar.status).toBe(201);
  });

  it('rounds computed prices to the currency, half away from zero, and keeps base + vat_value = final', async () => {
    const id = await createOrder(gateway, { items: [itemBody({ count: 3, price: { base_price: 9.99, vat: 21 } })] });
    const order = await getOrder(gateway, id);
    // 9.99 × 1.21 = 12.0879 → 12.09
    expect(order.items[0].price).toMatchObject({ base_price: 9.99, final_price: 12.09, vat_value: 2.1 });
    expect(order.money).toBe(36.27);
  });

  it('normalises currency and country codes to upper case', async () => {
    const id = await createOrder(gateway, { order_currency_code: 'czk', state_code: 'cz' });
    const order = await getOrder(gateway, id);
    expect(order.order_currency_code).toBe('CZK');
    expect(order.state_code).toBe('CZ');
  });

  it('fills the order date, main currency and rate when not given, and keeps a given date', async () => {
    const before = Date.now();
    const id = await createOrder(gateway);
    const order = await getOrder(gateway, id);
    expect(Date.parse(order.date_order)).toBeGreaterThanOrEqual(before - 1000);
    expect(order.main_currency_code).toBe('EUR');
    expect(order.currency_rate).toBe(1);
    const foreign = await getOrder(gateway, await createOrder(gateway, { order_currency_code: 'CZK' }));
    expect(foreign.currency_rate).toBeNull();
    const dated = await getOrder(gateway, await createOrder(gateway, { date_order: '2024-05-02T10:15:00+02:00' }));
    expect(dated.date_order).toBe('2024-05-02T08:15:00+00:00');
  });

  it('answers a repeat with the same external id with the existing order and 200, creating nothing', async () => {
    const body = orderBody({ external_order_prefix: 'WEB', external_order_id: 'A-1' });
    const first = await gateway.post('/System/Orders', body);
    expect(first.status).toBe(201);
    const again = await gateway.post('/System/Orders', { ...body, name: 'Someone else' });
    expect(again.status).toBe(200);
    expect(again.body).toEqual({ id: first.body.id });
    // The same id under another prefix is another order.
    const other = await gateway.post(
      '/System/Orders',
      orderBody({ external_order_prefix: 'APP', external_order_id: 'A-1' }),
    );
    expect(other.status).toBe(201);
    const list = await gateway.get('/System/Orders?external_order_id=A-1');
    expect(list.body.paginator.total).toBe(2);
  });

  it('creates one order when the same external id arrives many times at once', async () => {
    const body = orderBody({ external_order_id: 'RACE-1' });
    const responses = await Promise.all(Array.from({ length: 12 }, () => gateway.post('/System/Orders', body)));
    expect(responses.map((response) => response.status).sort()).toEqual([...Array(11).fill(200), 201]);
    expect(new Set(responses.map((response) => response.body.id)).size).toBe(1);
    const list = await gateway.get('/System/Orders?external_order_id=RACE-1');
    expect(list.body.paginator.total).toBe(1);
  });

  it('writes nothing for a refused order', async () => {
    const before = (await gateway.get('/System/Orders')).body.paginator.total;
    await gateway.post('/System/Orders', orderBody({ items: [itemBody(), itemBody({ count: -1 })] })).expect(400);
    expect((await gateway.get('/System/Orders')).body.paginator.total).toBe(before);
  });

  it('records the creation in the history with the key and the request id', async () => {
    const response = await gateway.post('/System/Orders', orderBody()).set('X-Request-Id', 'req-create-1');
    const [entry] = await historyOf(gateway, response.body.id);
    expect(entry).toMatchObject({
      type: 'order',
      action: 'created',
      record: { name: 'Order created', status: 'open' },
      api_key: { id: expect.any(Number), name: 'test admin' },
      request_id: 'req-create-1',
    });
    expect(entry?.changes.order.before).toBeNull();
    expect(entry?.changes.order.after).toMatchObject({ money: 24.2, items: 1 });
  });
});
