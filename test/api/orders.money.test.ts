import { createOrder, getOrder, historyOf, itemBody, orderBody } from '../support/factories.js';
import { startGateway, type TestGateway } from '../support/gateway.js';

// An order's money through the API: discounts, fees, VAT per rate, the payments ledger and
// refunds, every figure exact on the wire.

let gateway: TestGateway;
beforeAll(async () => {
  gateway = await startGateway({ MPLUS_SHIPPING_ARTICLE_NUMBER: '9001', MPLUS_PAYMENT_FEE_ARTICLE_NUMBER: '9003' });
});
afterAll(() => gateway.close());

const mug = (overrides: Record<string, unknown> = {}) =>
  itemBody({ price: { final_price: 12.1, vat: 21 }, discount: { percent: 10 }, ...overrides });
const tea = itemBody({ article_number: '2002', name: 'Green tea', count: 3, price: { final_price: 5.49, vat: 9 } });

/** The worked example of test/unit/order-money.test.ts, through the API. */
const example = () => ({
  items: [mug(), tea],
  discount: { amount: 5, code: 'WELCOME5' },
  shipping_price: { final_price: 4.95, vat: 21 },
  payment_price: { base_price: 0.5, vat: 21 },
});

const pay = (id: number, paid: number, paymentId: string, extra: Record<string, unknown> = {}) =>
  gateway.patch(`/System/Orders/${id}/paid`, { paid, payment_id: paymentId, status: 'success', ...extra });

describe('totals, discounts, fees and tax', () => {
  it('shows the breakdown, every line and the VAT per rate, exact to the cent', async () => {
    const id = await createOrder(gateway, example());
    const order = await getOrder(gateway, id);
    expect(order).toMatchObject({
      money: 38.81,
      amount_subtotal: 40.67,
      amount_discount: 7.42,
      amount_shipping: 4.95,
      amount_payment_fee: 0.61,
      amount_tax: 5.43,
      amount_total: 38.81,
      amount_paid: 0,
      amount_refunded: 0,
      balance_due: 38.81,
      taxes: [
        { rate: 9, base: 13.14, tax: 1.18 },
        { rate: 21, base: 20.24, tax: 4.25 },
      ],
      discount: { amount: 5, percent: null, code: 'WELCOME5' },
      shipping_price: { final_price: 4.95, base_price: 4.09, vat: 21, vat_value: 0.86 },
      payment_price: { base_price: 0.5, final_price: 0.61, vat: 21, vat_value: 0.11 },
      payments: [],
      refunds: [],
    });
    expect(order.items[0]).toMatchObject({
      price: { final_price: 10.89, base_price: 9, vat_value: 1.89 },
      price_original: { final_price: 12.1, base_price: 10 },
      discount: { amount: null, percent: 10 },
      order_discount: 2.85,
      total: 18.93,
    });
    expect(order.items[1]).toMatchObject({ discount: null, order_discount: 2.15, total: 14.32 });
  });

  it('refuses a discount above the unit price, naming the line (400, nothing written)', async () => {
    const response = await gateway.post(
      '/System/Orders',
      orderBody({ items: [itemBody(), mug({ discount: { amount: 13 } })] }),
    );
    expect(response.status).toBe(400);
    expect(response.body.errors).toEqual([
      { field: 'items[1].discount.amount', message: 'the discount (13) is more than the unit price (12.1)' },
    ]);
  });

  it('refuses a discount given as both amount and percent, and a percent above 100', async () => {
    const both = await gateway.post('/System/Orders', orderBody({ discount: { amount: 1, percent: 10 } }));
    expect(both.status).toBe(400);
    expect(both.body.errors.map((error: { field: string }) => error.field)).toContain('discount.percent');
    const over = await gateway.post('/System/Orders', orderBody({ items: [mug({ discount: { percent: 101 } })] }));
    expect(over.status).toBe(400);
    expect(over.body.errors[0].field).toBe('items[0].discount.percent');
  });

  it('spreads the voucher again when a line is added, edited or removed', async () => {
    const id = await createOrder(gateway, { items: [itemBody({ count: 1 })], discount: { percent: 50 } });
    expect((await getOrder(gateway, id)).money).toBe(6.05);
    await gateway.post(`/System/Orders/${id}/item`, tea).expect(201);
    let order = await getOrder(gateway, id);
    // 12.10 + 16.47 = 28.57; half of it, rounded once: 14.29 off, 14.28 to pay.
    expect(order).toMatchObject({ money: 14.28, amount_discount: 14.29 });
    expect(order.items.map((item: { order_discount: number }) => item.order_discount)).toEqual([6.05, 8.24]);
    await gateway.put(`/System/Orders/${id}/item`, { id: order.items[1].id, count: 1 }).expect(201);
    order = await getOrder(gateway, id);
    // 12.10 + 5.49 = 17.59; half is 8.795, rounded half away from zero: 8.80 off.
    expect(order).toMatchObject({ money: 8.79, amount_discount: 8.8 });
    await gateway.delete(`/System/Orders/${id}/item/${order.items[0].id}`).expect(200);
    order = await getOrder(gateway, id);
    expect(order).toMatchObject({ money: 2.74, amount_subtotal: 5.49, amount_discount: 2.75 });
    expect(order.items[0]).toMatchObject({ order_discount: 2.75, total: 2.74 });
  });

  it('changes the discount and fees with PUT, null removing them, and records it', async () => {
    const id = await createOrder(gateway);
    await gateway
      .put('/System/Orders', { id, discount: { amount: 2.2 }, shipping_price: { final_price: 5, vat: 21 } })
      .expect(200);
    let order = await getOrder(gateway, id);
    expect(order).toMatchObject({ money: 27, amount_discount: 2.2, amount_shipping: 5, version: 2 });
    await gateway.put('/System/Orders', { id, discount: null }).expect(200);
    order = await getOrder(gateway, id);
    expect(order).toMatchObject({ money: 29.2, discount: null, amount_discount: 0, version: 3 });
    // The same again changes nothing; the same fee at another VAT rate does.
    await gateway.put('/System/Orders', { id, discount: null }).expect(200);
    expect((await getOrder(gateway, id)).version).toBe(3);
    await gateway.put('/System/Orders', { id, shipping_price: { final_price: 5, vat: 9 } }).expect(200);
    expect(await getOrder(gateway, id)).toMatchObject({ version: 4, shipping_price: { vat: 9, base_price: 4.59 } });
    const entry = (await historyOf(gateway, id)).find((one) => one.action === 'prices_updated');
    expect(entry?.changes).toMatchObject({
      discount: { before: null, after: { amount: 2.2, code: null } },
      shipping_price: { before: null, after: { final_price: 5, vat: 21 } },
      money: { before: 24.2, after: 27 },
    });
    await gateway.patch(`/System/Orders/${id}/sent`).expect(200);
    const refused = await gateway.put('/System/Orders', { id, discount: { percent: 5 } });
    expect(refused.status).toBe(422);
    expect(refused.body.code).toBe('TRANSITION_NOT_ALLOWED');
  });

  it('refuses an order past the largest total, naming the field (never a database error)', async () => {
    const response = await gateway.post(
      '/System/Orders',
      orderBody({ items: [itemBody({ count: 1_000_000, price: { final_price: 1_000_000_000, vat: 0 } })] }),
    );
    expect(response.status).toBe(400);
    expect(response.body.errors[0].field).toBe('items');
  });
});

describe('fees without their MplusKASSA article', () => {
  let bare: TestGateway;
  beforeAll(async () => {
    bare = await startGateway();
  });
  afterAll(() => bare.close());

  it('refuses a shipping or payment fee with 422 naming the field and the setting; a fee of 0 needs none', async () => {
    const response = await bare.post(
      '/System/Orders',
      orderBody({ shipping_price: { final_price: 4.95, vat: 21 }, payment_price: { final_price: 1, vat: 21 } }),
    );
    expect(response.status).toBe(422);
    expect(response.body).toMatchObject({
      code: 'FEE_ARTICLE_NOT_CONFIGURED',
      errors: [
        { field: 'shipping_price', message: 'MPLUS_SHIPPING_ARTICLE_NUMBER is not set' },
        { field: 'payment_price', message: 'MPLUS_PAYMENT_FEE_ARTICLE_NUMBER is not set' },
      ],
    });
    const free = await bare.post('/System/Orders', orderBody({ shipping_price: { final_price: 0, vat: 21 } }));
    expect(free.status).toBe(201);
  });
});

describe('payments', () => {
  it('keeps every payment, partial ones adding up, and says what is still due', async () => {
    const id = await createOrder(gateway);
    await pay(id, 10, 'pay_a', { method: 'ideal' }).expect(200);
    await pay(id, 10, 'pay_a', { method: 'ideal' }).expect(200); // a retried callback
    const answered = await pay(id, 14.2, 'pay_b');
    expect(answered.status).toBe(200);
    expect(answered.body).toMatchObject({ paid: 24.2, amount_paid: 24.2, balance_due: 0 });
    const order = await getOrder(gateway, id);
    expect(order.payments).toEqual([
      expect.objectContaining({ payment_id: 'pay_a', amount: 10, method: 'ideal', status: 'success', url: null }),
      expect.objectContaining({ payment_id: 'pay_b', amount: 14.2, method: null, status: 'success' }),
    ]);
    expect(Date.parse(order.payments[0].date)).toBeGreaterThan(Date.now() - 60_000);
  });

  it('refuses a payment above the balance due with 422 naming it, and writes nothing', async () => {
    const id = await createOrder(gateway);
    await pay(id, 20, 'pay_first').expect(200);
    const response = await pay(id, 1_000_000, 'pay_big');
    expect(response.status).toBe(422);
    expect(response.body).toMatchObject({
      code: 'OVERPAYMENT',
      balance_due: 4.2,
      errors: [{ field: 'paid', message: 'more than the balance due (4.2)' }],
    });
    expect(await getOrder(gateway, id)).toMatchObject({ paid: 20, version: 2 });
  });

  it('keeps a denied payment under its id, and lets a later success of the same id count once', async () => {
    const id = await createOrder(gateway);
    await gateway.patch(`/System/Orders/${id}/paid`, { paid: 24.2, payment_id: 'pay_x', status: 'denied' }).expect(200);
    let order = await getOrder(gateway, id);
    expect(order).toMatchObject({ paid: 0, balance_due: 24.2 });
    expect(order.payments).toEqual([expect.objectContaining({ payment_id: 'pay_x', status: 'denied', amount: 24.2 })]);
    await pay(id, 24.2, 'pay_x').expect(200);
    await gateway
      .patch(`/System/Orders/${id}/paid`, { paid: 24.2, payment_id: 'pay_x', status: 'canceled' })
      .expect(200);
    order = await getOrder(gateway, id);
    expect(order).toMatchObject({ paid: 24.2, balance_due: 0 });
    expect(order.payments).toEqual([expect.objectContaining({ payment_id: 'pay_x', status: 'success' })]);
  });

  it('keeps a failure report without a payment_id (left out or null) in the history alone', async () => {
    const id = await createOrder(gateway);
    for (const body of [
      { paid: 5, status: 'denied' },
      { paid: 5, status: 'unknown', payment_id: null },
    ]) {
      await gateway.patch(`/System/Orders/${id}/paid`, body).expect(200);
    }
    expect((await getOrder(gateway, id)).payments).toEqual([]);
    const attempts = (await historyOf(gateway, id)).filter((one) => one.action === 'payment_attempt');
    expect(attempts).toHaveLength(2);
  });

  it('refuses any payment once MplusKASSA has invoiced the order (paid in full after it left)', async () => {
    const id = await createOrder(gateway);
    await gateway.patch(`/System/Orders/${id}/sent`).expect(200);
    await pay(id, 24.2, 'pay_full').expect(200);
    const response = await pay(id, 0.01, 'pay_more');
    expect(response.status).toBe(422);
    expect(response.body.code).toBe('ORDER_INVOICED');
  });
});

describe('refunds', () => {
  const refund = (id: number, body: Record<string, unknown>) => gateway.post(`/System/Orders/${id}/refunds`, body);

  it('refunds an amount once per refund_id, never more than was paid, and records it', async () => {
    const id = await createOrder(gateway);
    await pay(id, 20, 'pay_r').expect(200);
    const first = await refund(id, { amount: 5, reason: 'Damaged', refund_id: 'rf_1' });
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({
      amount_refunded: 5,
      amount_paid: 20,
      refunds: [{ refund_id: 'rf_1', amount: 5, reason: 'Damaged', items: [] }],
    });
    const again = await refund(id, { amount: 5, reason: 'Damaged', refund_id: 'rf_1' });
    expect(again.status).toBe(200);
    expect((await getOrder(gateway, id)).amount_refunded).toBe(5);
    const other = await refund(id, { amount: 6, refund_id: 'rf_1' });
    expect(other.status).toBe(409);
    expect(other.body.code).toBe('REFUND_CONFLICT');
    const tooMuch = await refund(id, { amount: 15.01 });
    expect(tooMuch.status).toBe(422);
    expect(tooMuch.body).toMatchObject({ code: 'REFUND_EXCEEDS_PAID', refundable: 15 });
    const order = await getOrder(gateway, id);
    expect(order).toMatchObject({ amount_refunded: 5, version: 3 });
    expect(Date.parse(order.refunds[0].date)).toBeGreaterThan(Date.now() - 60_000);
    expect(first.body.refunds[0].date).toBe(order.refunds[0].date);
    const entry = (await historyOf(gateway, id)).find((one) => one.action === 'refunded');
    expect(entry?.changes).toMatchObject({
      refund: { after: { refund_id: 'rf_1', amount: 5 } },
      refunded: { before: 0, after: 5 },
    });
  });

  it('refunds lines at what they cost, their share of the voucher taken off, each unit once', async () => {
    const id = await createOrder(gateway, example());
    await pay(id, 38.81, 'pay_l').expect(200);
    const items = (await getOrder(gateway, id)).items;
    const response = await refund(id, { items: [{ item_id: items[0].id, count: 1 }] });
    expect(response.status).toBe(201);
    // The mug line costs 18.93 for 2: one is 9.465, rounded once to 9.47.
    expect(response.body).toMatchObject({ amount_refunded: 9.47 });
    expect(response.body.refunds[0]).toMatchObject({
      refund_id: expect.stringMatching(/^rf_[0-9a-f]{24}$/),
      items: [{ item_id: items[0].id, count: 1 }],
    });
    const named = await refund(id, { items: [{ item_id: items[1].id, count: 3 }], refund_id: 'rf_tea' });
    expect(named.status).toBe(201);
    expect(named.body.amount_refunded).toBe(23.79); // 9.47 + the tea line's 14.32
    // Its lines are refunded now; the same refund again is still the same refund.
    const repeated = await refund(id, { items: [{ item_id: items[1].id, count: 3 }], refund_id: 'rf_tea' });
    expect(repeated.status).toBe(200);
    expect(repeated.body.amount_refunded).toBe(23.79);
    const twice = await refund(id, { items: [{ item_id: items[0].id, count: 2 }] });
    expect(twice.status).toBe(400);
    expect(twice.body.errors).toEqual([
      { field: 'items[0].count', message: `item ${items[0].id} has 1 units not refunded yet` },
    ]);
  });

  it('refunds a canceled order; an invoiced one only in full; nothing when nothing was paid', async () => {
    const canceled = await createOrder(gateway);
    await pay(canceled, 10, 'pay_c').expect(200);
    await gateway.patch(`/System/Orders/${canceled}/cancel`).expect(200);
    expect((await getOrder(gateway, canceled)).allowed_transitions).toEqual(['refund', 'archive']);
    await refund(canceled, { amount: 10 }).expect(201);
    expect((await getOrder(gateway, canceled)).allowed_transitions).toEqual(['archive']);

    const invoiced = await createOrder(gateway);
    await gateway.patch(`/System/Orders/${invoiced}/sent`).expect(200);
    await pay(invoiced, 24.2, 'pay_i').expect(200);
    const partial = await refund(invoiced, { amount: 1 });
    expect(partial.status).toBe(422);
    expect(partial.body).toMatchObject({ code: 'REFUND_NOT_POSSIBLE', refundable: 24.2 });
    await refund(invoiced, { amount: 24.2 }).expect(201);

    const unpaid = await createOrder(gateway);
    const nothing = await refund(unpaid, { amount: 1 });
    expect(nothing.status).toBe(422);
    expect(nothing.body.code).toBe('REFUND_EXCEEDS_PAID');
  });

  it('needs orders:pay, and takes an Idempotency-Key', async () => {
    const id = await createOrder(gateway);
    await pay(id, 24.2, 'pay_k').expect(200);
    const reader = await gateway.keyWith('orders:read', 'orders:write');
    expect((await gateway.post(`/System/Orders/${id}/refunds`, { amount: 1 }, reader)).status).toBe(403);
    const first = await gateway
      .post(`/System/Orders/${id}/refunds`, { amount: 1 })
      .set('Idempotency-Key', 'refund-k-1');
    const second = await gateway
      .post(`/System/Orders/${id}/refunds`, { amount: 1 })
      .set('Idempotency-Key', 'refund-k-1');
    expect([first.status, second.status]).toEqual([201, 201]);
    expect(second.body.refunds).toEqual(first.body.refunds);
    expect((await getOrder(gateway, id)).amount_refunded).toBe(1);
  });
});
