import fc from 'fast-check';
import { createOrder, getOrder, itemBody } from '../support/factories.js';
import { startGateway, type TestGateway } from '../support/gateway.js';
import { FAST_SYNC, calls, simulatorOrdersOf, syncedOrder } from '../support/sync.js';

// An order's money reaching the (simulated) MplusKASSA: what MplusKASSA totals, and the VAT it
// computes per VAT group, equal to the gateway's figures to the cent; refunds as credits or
// negative payments.

let gateway: TestGateway;
beforeAll(async () => {
  gateway = await startGateway({
    ...FAST_SYNC,
    MPLUS_SHIPPING_ARTICLE_NUMBER: '9001',
    MPLUS_PAYMENT_FEE_ARTICLE_NUMBER: '9003',
    // Refunds of deposits on the method of the order's first payment, when MplusKASSA allows it.
    MPLUS_REFUND_PAYMENT_METHOD: '',
  });
});
afterAll(() => gateway.close());

const theOne = (id: number) => {
  const found = simulatorOrdersOf(gateway, id);
  expect(found).toHaveLength(1);
  return found[0]!;
};
const cents = (amount: number) => Math.round(amount * 100);

const ARTICLES: Array<[string, number]> = [
  ['1001', 21],
  ['1002', 21],
  ['2001', 9],
  ['2002', 9],
  ['9002', 0],
];

const price = (amount: number, vat: number, base: boolean) =>
  base ? { base_price: amount / 100, vat } : { final_price: amount / 100, vat };

const orderInput = fc.record({
  lines: fc.array(
    fc.record({
      article: fc.constantFrom(...ARTICLES),
      count: fc.integer({ min: 1, max: 9 }),
      amount: fc.integer({ min: 1, max: 20_000 }),
      base: fc.boolean(),
      discount: fc.option(
        fc.oneof(
          fc.integer({ min: 0, max: 100 }).map((percent) => ({ percent })),
          fc.integer({ min: 0, max: 1_000 }).map((amount) => ({ cents: amount })),
        ),
        { nil: undefined },
      ),
    }),
    { minLength: 1, maxLength: 5 },
  ),
  voucher: fc.option(
    fc.integer({ min: 0, max: 30 }).map((percent) => ({ percent, code: 'V' })),
    { nil: undefined },
  ),
  shipping: fc.option(fc.integer({ min: 0, max: 1_000 }), { nil: undefined }),
  fee: fc.option(fc.integer({ min: 1, max: 300 }), { nil: undefined }),
});

describe('money in MplusKASSA', () => {
  it('totals and VAT groups equal the gateway figures to the cent, for any order', async () => {
    await fc.assert(
      fc.asyncProperty(orderInput, async (input) => {
        const id = await createOrder(gateway, {
          items: input.lines.map((line, index) =>
            itemBody({
              article_number: line.article[0],
              name: `Line ${index}`,
              count: line.count,
              price: price(line.amount, line.article[1], line.base),
              // A discount above the price is refused at the edge; keep it at most the price.
              discount:
                line.discount && 'cents' in line.discount
                  ? { amount: Math.min(line.discount.cents, line.amount) / 100 }
                  : line.discount,
            }),
          ),
          discount: input.voucher,
          shipping_price: input.shipping === undefined ? undefined : { final_price: input.shipping / 100, vat: 21 },
          payment_price: input.fee === undefined ? undefined : { final_price: input.fee / 100, vat: 21 },
        });
        const order = await syncedOrder(gateway, id);
        const stored = theOne(id);
        expect(stored.totalInclAmount).toBe(cents(order.amount_total));
        const groups = [...(stored.vatGroupList ?? [])]
          .sort((a, b) => a.vatPercentage - b.vatPercentage)
          .map((group) => [group.vatPercentage, group.exclAmount, group.vatAmount]);
        const taxes = order.taxes.map((tax: { rate: number; base: number; tax: number }) => [
          tax.rate,
          cents(tax.base),
          cents(tax.tax),
        ]);
        expect(groups).toEqual(taxes);
        const feeLines = (stored.lineList ?? []).filter((line) => [9001, 9003].includes(line.articleNumber));
        expect(feeLines.map((line) => line.data?.price)).toEqual(
          [input.shipping, input.fee].filter((fee): fee is number => fee !== undefined && fee !== 0),
        );
      }),
      { numRuns: 20 },
    );
  }, 120_000);

  it('sends a discounted line at its price with the discount off the line as a whole', async () => {
    const id = await createOrder(gateway, {
      items: [itemBody({ count: 2, price: { final_price: 12.1, vat: 21 }, discount: { percent: 10 } })],
      discount: { amount: 1 },
    });
    await syncedOrder(gateway, id);
    const [line] = theOne(id).lineList!;
    // 2 × 12.10 = 24.20; 10 % a unit (1.21 × 2) and the voucher of 1.00: 3.42 off.
    expect(line!.data).toMatchObject({
      quantity: 2,
      price: 1210,
      discountType: 'DISCOUNT-TYPE-EXTERNAL-DISCOUNT',
      discountAmount: 342,
      totalInclAmount: 2078,
    });
  });
});

describe('refunds in MplusKASSA', () => {
  it('pays a deposit back with a negative payment, once', async () => {
    const id = await createOrder(gateway, { payment: 3 });
    await gateway
      .patch(`/System/Orders/${id}/paid`, { paid: 24.2, payment_id: 'pay_dep', status: 'success' })
      .expect(200);
    await gateway.patch(`/System/Orders/${id}/cancel`).expect(200);
    await gateway.post(`/System/Orders/${id}/refunds`, { amount: 24.2, refund_id: 'rf_dep' }).expect(201);
    await syncedOrder(gateway, id);
    const stored = theOne(id);
    expect(stored.cancelState).toBe('ORDER-CANCEL-STATE-COMPLETE');
    expect(stored.paymentList?.map((payment) => [payment.method, payment.amount, payment.externalPaymentId])).toEqual([
      ['PIN', 2420, 'pay_dep'],
      ['PIN', -2420, 'refund:rf_dep'],
    ]);
  });

  it('credits the invoice of an invoiced order', async () => {
    const id = await createOrder(gateway);
    await gateway.patch(`/System/Orders/${id}/sent`).expect(200);
    await gateway
      .patch(`/System/Orders/${id}/paid`, { paid: 24.2, payment_id: 'pay_inv', status: 'success' })
      .expect(200);
    const before = calls(gateway, 'creditInvoice');
    await gateway.post(`/System/Orders/${id}/refunds`, { amount: 24.2, reason: 'Returned' }).expect(201);
    await syncedOrder(gateway, id);
    const stored = theOne(id);
    expect(stored.invoiceIds).toHaveLength(2);
    expect(calls(gateway, 'creditInvoice')).toBe(before + 1);
    expect((await getOrder(gateway, id)).amount_refunded).toBe(24.2);
  });

  it('refunds once when MplusKASSA takes the refund and the answer is lost', async () => {
    const deposit = await createOrder(gateway, { payment: 3 });
    await gateway
      .patch(`/System/Orders/${deposit}/paid`, { paid: 10, payment_id: 'pay_l1', status: 'success' })
      .expect(200);
    const invoiced = await createOrder(gateway);
    await gateway.patch(`/System/Orders/${invoiced}/sent`).expect(200);
    await gateway
      .patch(`/System/Orders/${invoiced}/paid`, { paid: 24.2, payment_id: 'pay_l2', status: 'success' })
      .expect(200);
    await syncedOrder(gateway, deposit);
    await syncedOrder(gateway, invoiced);
    const before = { getOrder: calls(gateway, 'getOrder'), creditInvoice: calls(gateway, 'creditInvoice') };
    gateway.simulator.setFaults([{ mode: 'commit-then-drop', operations: ['payOrder', 'creditInvoice'], times: 2 }]);
    await gateway.post(`/System/Orders/${deposit}/refunds`, { amount: 4 }).expect(201);
    await gateway.post(`/System/Orders/${invoiced}/refunds`, { amount: 24.2 }).expect(201);
    await syncedOrder(gateway, deposit);
    await syncedOrder(gateway, invoiced);
    gateway.simulator.setFaults([]);
    expect(theOne(deposit).paymentList?.map((payment) => payment.amount)).toEqual([1000, -400]);
    expect(theOne(invoiced).invoiceIds).toHaveLength(2);
    // Each refund was read before it was made and again on the retry after the lost answer.
    expect(calls(gateway, 'getOrder') - before.getOrder).toBe(4);
    expect(calls(gateway, 'creditInvoice') - before.creditInvoice).toBe(1);
  });

  it('refuses a refund MplusKASSA could not book, naming the setting, and writes nothing', async () => {
    const id = await createOrder(gateway);
    await gateway
      .patch(`/System/Orders/${id}/paid`, { paid: 5, payment_id: 'pay_ideal', status: 'success' })
      .expect(200);
    // Paid on IDEAL (MPLUS_PAYMENT_METHOD), which takes no negative amounts, and not invoiced.
    const refused = await gateway.post(`/System/Orders/${id}/refunds`, { amount: 5 });
    expect(refused.status).toBe(422);
    expect(refused.body).toMatchObject({ code: 'REFUND_NOT_POSSIBLE' });
    expect(refused.body.detail).toContain('IDEAL');
    expect(refused.body.detail).toContain('MPLUS_REFUND_PAYMENT_METHOD');
    const order = await syncedOrder(gateway, id);
    expect(order).toMatchObject({ amount_refunded: 0, refunds: [] });
    expect(theOne(id).paymentList?.map((payment) => payment.amount)).toEqual([500]);
  });
});
