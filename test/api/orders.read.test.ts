import { createOrder, getOrder, itemBody } from '../support/factories.js';
import { startGateway, type TestGateway } from '../support/gateway.js';

let gateway: TestGateway;
beforeAll(async () => {
  gateway = await startGateway({
    ORDER_URL_TEMPLATE: 'https://shop.example/order/{id}?hash={hash}',
    MONEY_LOCALE: 'cs-CZ',
  });
});
afterAll(() => gateway.close());

/** Every key of Retailys' OrderModel (2.5 of the contract). */
const RETAILYS_KEYS = [
  'id',
  'customer',
  'company',
  'channel',
  'date_order',
  'date_maturity',
  'email',
  'phone',
  'name',
  'street',
  'city',
  'zip',
  'state_code',
  'company_nr',
  'company_vat',
  'delivery_email',
  'delivery_phone',
  'delivery_name',
  'delivery_street',
  'delivery_city',
  'delivery_zip',
  'delivery_state_code',
  'note',
  'our_note',
  'hash',
  'main_currency_code',
  'order_currency_code',
  'currency_rate',
  'money',
  'paid',
  'date_paid',
  'items',
  'weight',
  'shipping',
  'payment',
  'trackings',
  'sent',
  'delivered',
  'done',
  'canceled',
  'order_url',
  'invoice_url',
  'ip',
  'external_order_prefix',
  'external_order_id',
  'external_payment_id',
  'external_payment_url',
];

describe('GET /System/Orders/{id}', () => {
  it('answers the order with every Retailys field in snake_case, plus the additions', async () => {
    const id = await createOrder(gateway, {
      channel: 3,
      customer: 678,
      company: 1,
      shipping: 4,
      payment: 2,
      phone: '+420600000000',
      delivery_name: 'Jana',
      note: 'Ring twice',
      our_note: 'VIP',
      ip: '203.0.113.5',
      domain: 'shop.example.cz',
      company_name: 'Novák s.r.o.',
      company_nr: '12345678',
      company_vat: 'CZ12345678',
      date_maturity: '2024-05-16T00:00:00+02:00',
      external_order_prefix: 'WEB',
      external_order_id: 'R-1',
    });
    const order = await getOrder(gateway, id);
    expect(Object.keys(order)).toEqual(expect.arrayContaining(RETAILYS_KEYS));
    expect(order).toMatchObject({
      id,
      customer: { id: 678, api_link: '/System/People/678' },
      company: { id: 1, api_link: '/System/Companies/1' },
      channel: { id: 3, api_link: '/System/Channels/3' },
      shipping: { id: 4, api_link: '/System/Channels/Shippings/4' },
      payment: { id: 2, api_link: '/System/Channels/Payments/2' },
      date_maturity: '2024-05-15T22:00:00+00:00',
      delivery_name: 'Jana',
      company_name: 'Novák s.r.o.',
      ip: '203.0.113.5',
      domain: 'shop.example.cz',
      external_order_prefix: 'WEB',
      external_order_id: 'R-1',
      status_id: null,
      status: null,
      lifecycle_state: 'open',
      allowed_transitions: [
        'sent',
        'delivered',
        'done',
        'cancel',
        'paid',
        'item',
        'delivery_address',
        'prices',
        'tracking',
      ],
      sync: { status: 'pending' },
      weight: null,
      trackings: [],
    });
    expect(order.hash).toMatch(/^[0-9a-f]{32}$/);
    expect(order.order_url).toBe(`https://shop.example/order/${id}?hash=${order.hash}`);
    expect(order.invoice_url).toBeNull();
    expect(order.date_order).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+00:00$/);
  });

  it('shows items with the article, unit prices, the original price and formatted amounts', async () => {
    const id = await createOrder(gateway, { items: [itemBody({ note: 'Gift wrap' })] });
    const [item] = (await getOrder(gateway, id)).items;
    expect(item).toEqual({
      id: expect.any(Number),
      article: { id: 1001, article_number: '1001' },
      name: 'Coffee mug',
      count: 2,
      ordered: 0,
      waiting_count: 0,
      note: 'Gift wrap',
      price: {
        base_price: 10,
        base_price_word: expect.stringMatching(/^10,00\s€$/),
        final_price: 12.1,
        final_price_word: expect.stringMatching(/^12,10\s€$/),
        vat: 21,
        vat_value: 2.1,
        vat_value_word: expect.stringMatching(/^2,10\s€$/),
        currency: 'EUR',
      },
      price_original: expect.objectContaining({ base_price: 10, final_price: 12.1 }),
      discount: null,
      order_discount: 0,
      total: 24.2,
      metadata: {},
    });
  });

  it('gives a line without an article number a null article', async () => {
    const id = await createOrder(gateway, { items: [itemBody({ article_number: undefined })] });
    expect((await getOrder(gateway, id)).items[0].article).toBeNull();
  });

  it('expands the status only with expanded=true (also 1)', async () => {
    const id = await createOrder(gateway);
    await gateway.patch(`/System/Orders/${id}/status`, { status_id: 3 }).expect(200);
    expect((await getOrder(gateway, id)).status).toEqual({ id: 3, api_link: '/System/Orders/Statuses/3' });
    const expanded = (await gateway.get(`/System/Orders/${id}?expanded=1`)).body;
    expect(expanded.status).toEqual({
      id: 3,
      name: 'Processing',
      icon: 'cog',
      color: '#7c3aed',
      sort: 30,
      complete_order: false,
      cancel_order: false,
    });
    expect(expanded.status_id).toBe(3);
    // The reference leads somewhere.
    expect((await gateway.get('/System/Orders/Statuses/3')).body.name).toBe('Processing');
  });

  it('answers 404 for an unknown order and 400 for an id that is not one', async () => {
    const missing = await gateway.get('/System/Orders/99999');
    expect(missing.status).toBe(404);
    expect(missing.body).toMatchObject({
      code: 'ORDER_NOT_FOUND',
      message: 'Order not found',
      detail: 'There is no order 99999.',
    });
    for (const bad of ['abc', '0', '-1', '1.5', '2147483648', '1e3']) {
      const response = await gateway.get(`/System/Orders/${bad}`);
      expect(response.status).toBe(400);
      expect(response.body.errors[0].field).toBe('order-id');
    }
  });

  it('answers 304 with the ETag and no body while If-None-Match names the version, 200 once it moved on', async () => {
    const id = await createOrder(gateway);
    const first = await gateway.get(`/System/Orders/${id}`).expect(200);
    expect(first.headers.etag).toBe('W/"1"');
    for (const held of ['W/"1"', '"1"', 'W/"7", W/"1"', '*']) {
      const again = await gateway.get(`/System/Orders/${id}`).set('if-none-match', held).expect(304);
      expect(again.headers.etag).toBe('W/"1"');
      expect(again.text).toBe('');
    }
    await gateway.get(`/System/Orders/${id}`).set('if-none-match', 'W/"2"').expect(200);
    await gateway.patch(`/System/Orders/${id}/sent`).expect(200);
    const changed = await gateway.get(`/System/Orders/${id}`).set('if-none-match', 'W/"1"').expect(200);
    expect(changed.headers.etag).toBe('W/"2"');
    expect(changed.body.sent).toBe(true);
    // By hash too, and never for an order the hash does not open.
    const { hash } = first.body as { hash: string };
    await gateway.get(`/System/Orders/${id}?hash=${hash}`, '').set('if-none-match', 'W/"2"').expect(304);
    await gateway
      .get(`/System/Orders/${id}?hash=${'0'.repeat(32)}`, '')
      .set('if-none-match', '*')
      .expect(404);
    const bad = await gateway.get(`/System/Orders/${id}`).set('if-none-match', 'version 2').expect(400);
    expect(bad.body.errors[0].field).toBe('If-None-Match');
  });

  it.each(['expanded=yes', 'foo=1'])('refuses the query %s', async (query) => {
    const id = await createOrder(gateway);
    const response = await gateway.get(`/System/Orders/${id}?${query}`);
    expect(response.status).toBe(400);
  });
});
