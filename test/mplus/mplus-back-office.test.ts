import { quantityOf } from '../../src/mplus/mplus-back-office.js';
import { fromMplusDateTime, toMplusDateTime } from '../../src/mplus/mplus-time.js';
import { Decimal } from '../../src/common/money/money.js';
import type { BackOfficeOrder as BackOfficeOrderInput } from '../../src/back-office/back-office.port.js';
import type { MplusOrder } from '../../src/mplus/soap/mplus.types.js';
import { backOfficeOrder, type MplusHarness, startMplus } from '../support/mplus.js';

// The MplusKASSA adapter over real HTTP and real XML, against the simulator.

let mplus: MplusHarness;
beforeAll(async () => {
  mplus = await startMplus({ proxy: true });
});
afterAll(() => mplus.stop());
afterEach(() => {
  mplus.simulator.setFaults([]);
  if (mplus.proxy) {
    mplus.proxy.beforeForward = undefined;
    mplus.proxy.rewriteResponse = undefined;
  }
});

const simOrder = (id: string): MplusOrder => mplus.simulator.store.order(id)!;
const simOrdersByExt = (extOrderId: string) =>
  mplus.simulator.store.allOrders().filter((order) => order.extOrderId === extOrderId);

async function created(order = backOfficeOrder()): Promise<string> {
  const outcome = await mplus.backOffice.createOrder(order);
  if (outcome.kind !== 'accepted') throw new Error(JSON.stringify(outcome));
  return outcome.value.backOfficeOrderId;
}

describe('createOrder', () => {
  it('creates the order with lines in cents, explicit decimal places, VAT codes and the configured entry details', async () => {
    const order = backOfficeOrder({
      lines: [
        {
          articleNumber: '1001',
          name: 'Coffee mug',
          count: 2,
          unitPrice: new Decimal('12.1'),
          vatRate: new Decimal(21),
          discount: new Decimal(0),
        },
        {
          articleNumber: '2001',
          name: 'Coffee beans',
          count: 1,
          unitPrice: new Decimal('18.99'),
          vatRate: new Decimal(9),
          discount: new Decimal(0),
        },
        {
          articleNumber: '9002',
          name: 'Voucher',
          count: 1,
          unitPrice: new Decimal('25'),
          vatRate: new Decimal(0),
          discount: new Decimal(0),
        },
      ],
    });
    const stored = simOrder(await created(order));
    expect(stored).toMatchObject({
      extOrderId: order.externalId,
      orderType: 'ORDER-TYPE-SALES-ORDER',
      employeeNumber: 999999,
      entryBranchNumber: 1,
      financialBranchNumber: 1,
      reference: order.reference,
      vatMethod: 'VAT-METHOD-INCLUSIVE',
      deliveryMethod: 'POSTNL',
      orderCategoryNumber: 1,
      // 08:15 UTC on 2 May is 10:15 summer time in Amsterdam: the offset says so, isdst does not.
      entryTimestamp: { year: 2024, mon: 5, day: 2, hour: 10, min: 15, sec: 0, timezone: 120, isdst: false },
      financialDate: { year: 2024, mon: 5, day: 2 },
      deliveryAddress: { name: 'Jana Nováková', address: 'Krátká 2', zipcode: '11000', city: 'Praha', country: 'CZ' },
      invoiceAddress: { name: 'Jan Novák', address: 'Dlouhá 1' },
      totalInclAmount: 2 * 1210 + 1899 + 2500,
    });
    expect(
      stored.lineList?.map((line) => [
        line.articleNumber,
        line.text,
        line.data?.quantity,
        line.data?.decimalPlaces,
        line.data?.price,
        line.data?.vatCode,
      ]),
    ).toEqual([
      [1001, 'Coffee mug', 2, 0, 1210, 2],
      [2001, 'Coffee beans', 1, 0, 1899, 1],
      [9002, 'Voucher', 1, 0, 2500, 3],
    ]);
    const request = mplus.proxy!.exchanges.find((exchange) => exchange.operation === 'createOrder')!.request;
    expect(request).toContain('<ns1:decimalPlaces>0</ns1:decimalPlaces>');
  });

  it.each([
    // Spring forward, 31 March 2024 at 01:00 UTC: 01:59:59 +01:00, then 03:00:00 +02:00.
    ['2024-03-31T00:59:59Z', { day: 31, hour: 1, min: 59, sec: 59, timezone: 60 }],
    ['2024-03-31T01:00:00Z', { day: 31, hour: 3, min: 0, sec: 0, timezone: 120 }],
    // Fall back, 27 October 2024 at 01:00 UTC: 02:59:59 +02:00, then 02:00:00 +01:00.
    ['2024-10-27T00:59:59Z', { day: 27, hour: 2, min: 59, sec: 59, timezone: 120 }],
    ['2024-10-27T01:00:00Z', { day: 27, hour: 2, min: 0, sec: 0, timezone: 60 }],
  ])("sends %s across the summer-time change as MplusKASSA's own client does", (instant, wall) => {
    const sent = toMplusDateTime(new Date(instant));
    expect(sent).toEqual({ year: 2024, mon: instant.startsWith('2024-03') ? 3 : 10, ...wall, isdst: false });
    expect(fromMplusDateTime(sent)?.toISOString()).toBe(new Date(instant).toISOString());
  });

  it("reads a quantity without decimalPlaces as MplusKASSA's own client does: two decimals", () => {
    expect(quantityOf({ quantity: 150 })).toBe(1.5);
    expect(quantityOf({ quantity: 150, decimalPlaces: 0 })).toBe(150);
    expect(quantityOf({ quantity: 1500, decimalPlaces: 3 })).toBe(1.5);
  });

  it('sends winter time with its offset', async () => {
    const stored = simOrder(await created(backOfficeOrder({ dateOrder: new Date('2024-01-15T23:30:00Z') })));
    expect(stored.entryTimestamp).toMatchObject({
      year: 2024,
      mon: 1,
      day: 16,
      hour: 0,
      min: 30,
      timezone: 60,
      isdst: false,
    });
    expect(stored.financialDate).toEqual({ year: 2024, mon: 1, day: 16 });
  });

  it('adopts the order a lost answer created, instead of creating a second one', async () => {
    const order = backOfficeOrder();
    mplus.simulator.setFaults([{ mode: 'commit-then-drop', operations: ['createOrder'], times: 1 }]);
    const lost = await mplus.backOffice.createOrder(order);
    expect(lost).toMatchObject({ kind: 'retryable', ambiguous: true });
    expect(simOrdersByExt(order.externalId)).toHaveLength(1);
    const again = await mplus.backOffice.createOrder(order);
    expect(again.kind).toBe('accepted');
    expect(simOrdersByExt(order.externalId)).toHaveLength(1);
    expect(again.kind === 'accepted' && again.value.backOfficeOrderId).toBe(
      simOrdersByExt(order.externalId)[0]!.orderId,
    );
  });

  it('adopts the existing order on EXT-ORDER-ID-ALREADY-EXISTS', async () => {
    const order = backOfficeOrder();
    const first = await created(order);
    // Another process created it between our findOrder and our createOrder.
    let raced = false;
    mplus.proxy!.rewriteResponse = (operation, body) => {
      if (operation === 'findOrder' && !raced) {
        raced = true;
        return body.replace(
          /<ns:result>GET-ORDER-RESULT-OK<\/ns:result>[\s\S]*<\/ns:GetOrderResponse>/,
          '<ns:result>GET-ORDER-RESULT-NOT-FOUND</ns:result></ns:GetOrderResponse>',
        );
      }
      return body;
    };
    const outcome = await mplus.backOffice.createOrder(order);
    expect(outcome).toEqual({ kind: 'accepted', value: { backOfficeOrderId: first } });
    expect(
      mplus.proxy!.exchanges.filter((exchange) => exchange.response.includes('EXT-ORDER-ID-ALREADY-EXISTS')),
    ).toHaveLength(1);
    expect(simOrdersByExt(order.externalId)).toHaveLength(1);
  });

  it.each([
    [
      'an unknown article',
      {
        lines: [
          {
            articleNumber: '4242',
            name: 'Ghost',
            count: 1,
            unitPrice: new Decimal(1),
            vatRate: new Decimal(21),
            discount: new Decimal(0),
          },
        ],
      },
      'UNKNOWN-ARTICLE',
      'MplusKASSA has no article 4242.',
    ],
    [
      'a line without article number',
      {
        lines: [
          {
            articleNumber: null,
            name: 'Gift wrap',
            count: 1,
            unitPrice: new Decimal(1),
            vatRate: new Decimal(21),
            discount: new Decimal(0),
          },
        ],
      },
      'NO-ARTICLE-NUMBER',
      'The line "Gift wrap" has no article_number; MplusKASSA needs one on every line.',
    ],
    [
      'a VAT rate without VAT group',
      {
        lines: [
          {
            articleNumber: '1001',
            name: 'Mug',
            count: 1,
            unitPrice: new Decimal(1),
            vatRate: new Decimal(15),
            discount: new Decimal(0),
          },
        ],
      },
      'NO-VAT-CODE',
      'MplusKASSA has no VAT group for 15%.',
    ],
    ['another currency', { currency: 'CZK' }, 'CURRENCY', 'MplusKASSA keeps EUR; this order is in CZK.'],
  ])('refuses %s for good', async (_case, overrides, code, message) => {
    const order = backOfficeOrder(overrides);
    expect(await mplus.backOffice.createOrder(order)).toEqual({ kind: 'rejected', code, message });
    expect(simOrdersByExt(order.externalId)).toHaveLength(0);
  });
});

describe('relations', () => {
  const relationByEmail = (email: string) =>
    mplus.simulator.store.allRelations().filter((relation) => relation.email === email);

  it('creates a person relation for a new e-mail, and reuses it for the next order', async () => {
    const order = backOfficeOrder();
    const first = simOrder(await created(order));
    const relations = relationByEmail(order.customer.email!);
    expect(relations).toHaveLength(1);
    expect(relations[0]).toMatchObject({
      name: 'Jan Novák',
      address: 'Dlouhá 1',
      zipcode: '11000',
      city: 'Praha',
      country: 'CZ',
      telephone: '+420600000000',
    });
    expect(relations[0]!.companyName).toBeUndefined();
    expect(first.relationNumber).toBe(relations[0]!.relationNumber);
    const marker = relations[0]!.syncMarker;
    const second = simOrder(await created(backOfficeOrder({ customer: order.customer })));
    expect(second.relationNumber).toBe(first.relationNumber);
    expect(relationByEmail(order.customer.email!)[0]!.syncMarker).toBe(marker); // unchanged: not updated
  });

  it('finds by exact e-mail only: a longer address with the same start is another relation', async () => {
    const order = backOfficeOrder({
      customer: { ...backOfficeOrder().customer, email: 'jan.devries@example.nl.evil' },
    });
    const stored = simOrder(await created(order));
    expect(stored.relationNumber).not.toBe(2); // the seeded jan.devries@example.nl
  });

  it('updates the relation when the name or address changed', async () => {
    const order = backOfficeOrder({
      customer: { ...backOfficeOrder().customer, email: 'jan.devries@example.nl', name: 'Jan de Vries' },
    });
    const stored = simOrder(
      await created({
        ...order,
        billingAddress: {
          ...order.billingAddress,
          street: 'Nieuwe Gracht 5',
          city: 'Haarlem',
          zip: '2011 NB',
          country: 'NL',
        },
      }),
    );
    expect(stored.relationNumber).toBe(2);
    expect(relationByEmail('jan.devries@example.nl')[0]).toMatchObject({
      relationNumber: 2,
      name: 'Jan de Vries',
      address: 'Nieuwe Gracht 5',
      city: 'Haarlem',
      zipcode: '2011 NB',
    });
  });

  it('makes a company relation with the person as contact', async () => {
    const base = backOfficeOrder();
    const order = backOfficeOrder({
      customer: { ...base.customer, companyName: 'Novák s.r.o.', vatNumber: 'CZ12345678', companyNumber: '12345678' },
    });
    await created(order);
    expect(relationByEmail(order.customer.email!)[0]).toMatchObject({
      name: 'Novák s.r.o.',
      companyName: 'Novák s.r.o.',
      contact: 'Jan Novák',
      vatNumber: 'CZ12345678',
      commerceNumber: '12345678',
    });
  });

  it('uses the default relation for orders without an e-mail, and refuses them without one', async () => {
    const noEmail = (order = backOfficeOrder()) => ({ ...order, customer: { ...order.customer, email: null } });
    expect(await mplus.backOffice.createOrder(noEmail())).toMatchObject({ kind: 'rejected', code: 'NO-RELATION' });
    const withDefault = await startMplus({ settings: { defaultRelationNumber: 1 } });
    try {
      const outcome = await withDefault.backOffice.createOrder(noEmail());
      expect(outcome.kind).toBe('accepted');
      const id = outcome.kind === 'accepted' ? outcome.value.backOfficeOrderId : '';
      expect(withDefault.simulator.store.order(id)?.relationNumber).toBe(1);
    } finally {
      await withDefault.stop();
    }
  });
});

describe('calls per order', () => {
  // A harness of its own: what this adapter has seen decides what it asks.
  let own: MplusHarness;
  beforeEach(async () => {
    own = await startMplus({ proxy: true });
  });
  afterEach(() => own.stop());
  const callsOf = async (work: () => Promise<unknown>) => {
    const before = own.simulator.calls.length;
    await work();
    return own.simulator.calls.slice(before).map((call) => call.operation);
  };

  it('looks for the order before a create only when an earlier try may have made it', async () => {
    const first = backOfficeOrder();
    expect(await callsOf(() => own.backOffice.createOrder(first, { first: true }))).not.toContain('findOrder');
    const retried = backOfficeOrder();
    expect(await callsOf(() => own.backOffice.createOrder(retried, { first: false }))).toContain('findOrder');
    // Without word of earlier tries, it looks: the safe reading.
    expect(await callsOf(() => own.backOffice.createOrder(backOfficeOrder()))).toContain('findOrder');
  });

  it('asks for the VAT groups and articles once for orders forwarded at the same moment', async () => {
    const orders = Array.from({ length: 6 }, () => backOfficeOrder());
    const calls = await callsOf(() =>
      Promise.all(orders.map((order) => own.backOffice.createOrder(order, { first: true }))),
    );
    expect(calls.filter((operation) => operation === 'getVatGroupList')).toHaveLength(1);
    expect(calls.filter((operation) => operation === 'getProducts')).toHaveLength(1);
    expect(calls.filter((operation) => operation === 'createOrder')).toHaveLength(6);
  });

  it('a repeat customer with known articles costs one call; a new one three', async () => {
    const order = backOfficeOrder();
    expect(await callsOf(() => own.backOffice.createOrder(order, { first: true }))).toEqual([
      'findRelationV2',
      'createRelation',
      'getProducts',
      'getVatGroupList',
      'createOrder',
    ]);
    const again = backOfficeOrder({ customer: { ...order.customer, email: order.customer.email!.toUpperCase() } });
    expect(await callsOf(() => own.backOffice.createOrder(again, { first: true }))).toEqual(['createOrder']);
    expect(own.simulator.store.order(await idOf(own, again))?.relationNumber).toBe(
      own.simulator.store.order(await idOf(own, order))?.relationNumber,
    );
    const stranger = backOfficeOrder();
    expect(await callsOf(() => own.backOffice.createOrder(stranger, { first: true }))).toEqual([
      'findRelationV2',
      'createRelation',
      'createOrder',
    ]);
  });

  it('asks again when the customer’s name or address differs from what was last written', async () => {
    const order = backOfficeOrder();
    await own.backOffice.createOrder(order, { first: true });
    const moved = backOfficeOrder({
      customer: order.customer,
      billingAddress: { ...order.billingAddress, street: 'Nová 9' },
    });
    expect(await callsOf(() => own.backOffice.createOrder(moved, { first: true }))).toEqual([
      'findRelationV2',
      'updateRelation',
      'createOrder',
    ]);
    expect(own.simulator.store.allRelations().find((one) => one.email === order.customer.email)?.address).toBe(
      'Nová 9',
    );
  });

  it('forgets the customer and the articles of an order MplusKASSA refused', async () => {
    const order = backOfficeOrder();
    await own.backOffice.createOrder(order, { first: true });
    // MplusKASSA answers FAILED, as it does for a relation or article it no longer has.
    own.proxy!.rewriteResponse = (operation, body) =>
      operation === 'createOrder' ? body.replace('CREATE-ORDER-RESULT-OK', 'CREATE-ORDER-RESULT-FAILED') : body;
    const refused = backOfficeOrder({ customer: order.customer });
    expect((await own.backOffice.createOrder(refused, { first: true })).kind).toBe('rejected');
    own.proxy!.rewriteResponse = undefined;
    expect(
      await callsOf(() => own.backOffice.createOrder(backOfficeOrder({ customer: order.customer }), { first: true })),
    ).toEqual(['findRelationV2', 'getProducts', 'createOrder']);
  });

  it('pays without looking at the order first on a first try, and looks on a later one', async () => {
    const id = await idOf(own, backOfficeOrder(), { first: true });
    const payment = { reference: 'pay-first', amount: new Decimal('1'), paymentMethodId: null, final: false };
    expect(await callsOf(() => own.backOffice.recordPayment(id, payment, { first: true }))).toEqual(['payOrder']);
    // A later try finds it there and pays nothing.
    expect(await callsOf(() => own.backOffice.recordPayment(id, payment, { first: false }))).toEqual(['getOrder']);
  });
});

async function idOf(harness: MplusHarness, order: BackOfficeOrderInput, attempt?: { first: boolean }): Promise<string> {
  const outcome = await harness.backOffice.createOrder(order, attempt);
  if (outcome.kind !== 'accepted') throw new Error(JSON.stringify(outcome));
  return outcome.value.backOfficeOrderId;
}

describe('updateOrder', () => {
  it('replaces the lines, and answers an update that changes nothing as done', async () => {
    const order = backOfficeOrder();
    const id = await created(order);
    const lines = [
      ...order.lines,
      {
        articleNumber: '1005',
        name: 'Gift wrap',
        count: 1,
        unitPrice: new Decimal('2.5'),
        vatRate: new Decimal(21),
        discount: new Decimal(0),
      },
    ];
    expect(await mplus.backOffice.updateOrder(id, { ...order, lines })).toEqual({ kind: 'accepted', value: undefined });
    expect(simOrder(id).lineList?.map((line) => line.articleNumber)).toEqual([1001, 1005]);
    expect(simOrder(id).totalInclAmount).toBe(2670);
    const marker = simOrder(id).syncMarker;
    expect(await mplus.backOffice.updateOrder(id, { ...order, lines })).toEqual({ kind: 'accepted', value: undefined });
    expect(mplus.proxy!.exchanges.at(-1)!.response).toContain('UPDATE-ORDER-RESULT-NO-CHANGES');
    expect(simOrder(id).syncMarker).toBe(marker);
  });

  it('reads again and re-applies when the order changed in between (ORDER-HAS-CHANGED)', async () => {
    const order = backOfficeOrder();
    const id = await created(order);
    let interfered = false;
    mplus.proxy!.beforeForward = async (operation) => {
      if (operation === 'updateOrder' && !interfered) {
        interfered = true;
        await fetch(new URL(`/_simulator/orders/${id}/deliver`, mplus.simulator.url), { method: 'POST' });
      }
    };
    const before = mplus.proxy!.exchanges.length;
    const changed = { ...order, lines: [{ ...order.lines[0]!, count: 5 }] };
    expect(await mplus.backOffice.updateOrder(id, changed)).toEqual({ kind: 'accepted', value: undefined });
    const updates = mplus.proxy!.exchanges.slice(before).filter((exchange) => exchange.operation === 'updateOrder');
    expect(updates.map((exchange) => /UPDATE-ORDER-RESULT-[A-Z-]+/.exec(exchange.response)![0])).toEqual([
      'UPDATE-ORDER-RESULT-ORDER-HAS-CHANGED',
      'UPDATE-ORDER-RESULT-OK',
    ]);
    expect(simOrder(id).lineList?.[0]?.data?.quantity).toBe(5);
  });

  it('refuses an order MplusKASSA does not have', async () => {
    expect(await mplus.backOffice.updateOrder('00000000000000000000000000000000', backOfficeOrder())).toMatchObject({
      kind: 'rejected',
      code: 'UPDATE-ORDER-RESULT-NOT-FOUND',
    });
  });
});

describe('payments, deliveries and cancellations', () => {
  it('takes a deposit (prepay) before delivery and invoices a final payment', async () => {
    const id = await created();
    const deposit = { reference: 'pay-dep', amount: new Decimal('10'), paymentMethodId: 3, final: false };
    expect(await mplus.backOffice.recordPayment(id, deposit)).toEqual({ kind: 'accepted', value: undefined });
    expect(simOrder(id)).toMatchObject({
      prepaidAmount: 1000,
      fullyPaid: false,
      deliveryState: 'ORDER-DELIVERY-STATE-NOTHING',
    });
    expect(simOrder(id).paymentList).toEqual([
      expect.objectContaining({ method: 'PIN', amount: 1000, externalPaymentId: 'pay-dep' }),
    ]);
    // A retried payment finds the first one and pays nothing more.
    expect(await mplus.backOffice.recordPayment(id, deposit)).toEqual({ kind: 'accepted', value: undefined });
    expect(simOrder(id).paymentList).toHaveLength(1);
    const rest = { reference: 'pay-rest', amount: new Decimal('14.2'), paymentMethodId: null, final: true };
    expect(await mplus.backOffice.recordPayment(id, rest)).toEqual({ kind: 'accepted', value: undefined });
    expect(simOrder(id)).toMatchObject({
      fullyPaid: true,
      deliveryState: 'ORDER-DELIVERY-STATE-COMPLETE',
      completeState: 'ORDER-COMPLETE-STATE-COMPLETE',
      invoiceIds: [expect.any(String)],
    });
    expect(simOrder(id).paymentList?.[1]).toMatchObject({ method: 'IDEAL', amount: 1420 });
  });

  it('does not pay twice when the answer to a payment is lost', async () => {
    const id = await created();
    mplus.simulator.setFaults([{ mode: 'commit-then-drop', operations: ['payOrder'], times: 1 }]);
    const payment = { reference: 'pay-lost', amount: new Decimal('5'), paymentMethodId: null, final: false };
    expect(await mplus.backOffice.recordPayment(id, payment)).toMatchObject({ kind: 'retryable', ambiguous: true });
    expect(await mplus.backOffice.recordPayment(id, payment)).toEqual({ kind: 'accepted', value: undefined });
    expect(simOrder(id).paymentList).toHaveLength(1);
  });

  it('refuses a final payment that does not cover the order, and one after the invoice', async () => {
    const id = await created();
    expect(
      await mplus.backOffice.recordPayment(id, {
        reference: 'short',
        amount: new Decimal('1'),
        paymentMethodId: null,
        final: true,
      }),
    ).toMatchObject({
      kind: 'rejected',
      code: 'PAY-ORDER-RESULT-PAYMENT-INSUFFICIENT',
    });
    await mplus.backOffice.recordPayment(id, {
      reference: 'all',
      amount: new Decimal('24.2'),
      paymentMethodId: null,
      final: true,
    });
    expect(
      await mplus.backOffice.recordPayment(id, {
        reference: 'more',
        amount: new Decimal('1'),
        paymentMethodId: null,
        final: false,
      }),
    ).toMatchObject({
      kind: 'rejected',
      code: 'PAY-ORDER-RESULT-ORDER-ALREADY-INVOICED',
    });
  });

  it('delivers once and takes a repeat (ALREADY-DELIVERED) as done', async () => {
    const id = await created();
    expect(await mplus.backOffice.markDelivered(id)).toEqual({ kind: 'accepted', value: undefined });
    expect(simOrder(id)).toMatchObject({
      deliveryState: 'ORDER-DELIVERY-STATE-COMPLETE',
      packingSlipIds: [expect.any(String)],
    });
    expect(simOrder(id).lineList?.[0]?.data?.deliveredQuantity).toBe(2);
    expect(await mplus.backOffice.markDelivered(id)).toEqual({ kind: 'accepted', value: undefined });
    expect(mplus.proxy!.exchanges.at(-1)!.response).toContain('DELIVER-ORDER-RESULT-ALREADY-DELIVERED');
    expect(simOrder(id).packingSlipIds).toHaveLength(1);
  });

  it('cancels once and takes a repeat (ALREADY-CANCELLED) as done; an invoiced order cannot be cancelled', async () => {
    const id = await created();
    expect(await mplus.backOffice.cancelOrder(id)).toEqual({ kind: 'accepted', value: undefined });
    expect(simOrder(id).cancelState).toBe('ORDER-CANCEL-STATE-COMPLETE');
    expect(await mplus.backOffice.cancelOrder(id)).toEqual({ kind: 'accepted', value: undefined });
    expect(mplus.proxy!.exchanges.at(-1)!.response).toContain('CANCEL-ORDER-RESULT-ALREADY-CANCELLED');
    const invoiced = await created();
    await mplus.backOffice.recordPayment(invoiced, {
      reference: 'x',
      amount: new Decimal('24.2'),
      paymentMethodId: null,
      final: true,
    });
    expect(await mplus.backOffice.cancelOrder(invoiced)).toMatchObject({
      kind: 'rejected',
      code: 'CANCEL-ORDER-RESULT-FAILED',
    });
  });
});

describe('refunds before the invoice', () => {
  it('pays a deposit back on the method of the first payment when MplusKASSA takes negative amounts on it', async () => {
    const id = await created();
    const deposit = { reference: 'pay-r1', amount: new Decimal('10'), paymentMethodId: 3, final: false };
    expect(await mplus.backOffice.recordPayment(id, deposit)).toEqual({ kind: 'accepted', value: undefined });
    expect(await mplus.backOffice.refundMethod(3)).toEqual({
      kind: 'accepted',
      value: { method: 'PIN', problem: null },
    });
    const refund = { reference: 'rf-r1', amount: new Decimal('4'), invoiced: false, paymentMethodId: 3 };
    expect(await mplus.backOffice.refund(id, refund)).toEqual({ kind: 'accepted', value: undefined });
    expect(simOrder(id).paymentList?.map((payment) => [payment.method, payment.amount])).toEqual([
      ['PIN', 1000],
      ['PIN', -400],
    ]);
  });

  it('says beforehand, and when asked to refund, that a method without negative amounts cannot pay back', async () => {
    const id = await created();
    const deposit = { reference: 'pay-r2', amount: new Decimal('10'), paymentMethodId: null, final: false };
    expect(await mplus.backOffice.recordPayment(id, deposit)).toEqual({ kind: 'accepted', value: undefined });
    const method = await mplus.backOffice.refundMethod(null);
    expect(method).toEqual({
      kind: 'accepted',
      value: { method: 'IDEAL', problem: expect.stringContaining('MPLUS_REFUND_PAYMENT_METHOD') },
    });
    const refund = { reference: 'rf-r2', amount: new Decimal('4'), invoiced: false, paymentMethodId: null };
    expect(await mplus.backOffice.refund(id, refund)).toEqual({
      kind: 'rejected',
      code: 'NO-REFUND-METHOD',
      message: expect.stringContaining('no negative amounts on IDEAL'),
    });
    expect(simOrder(id).paymentList).toHaveLength(1);
  });
});

describe('reading changes', () => {
  it('pages through changed orders with sync markers, each order once with its latest state', async () => {
    const fresh = await startMplus();
    try {
      const ids: string[] = [];
      for (let i = 0; i < 5; i += 1) {
        const outcome = await fresh.backOffice.createOrder(backOfficeOrder());
        if (outcome.kind === 'accepted') ids.push(outcome.value.backOfficeOrderId);
      }
      await fresh.backOffice.markDelivered(ids[0]!);
      const first = await fresh.backOffice.changedOrders(null, 2);
      expect(first.kind === 'accepted' && first.value.orders.map((order) => order.backOfficeOrderId)).toEqual([
        ids[1],
        ids[2],
      ]);
      expect(first.kind === 'accepted' && first.value.caughtUp).toBe(false);
      const marker = first.kind === 'accepted' ? first.value.marker : '';
      const rest = await fresh.backOffice.changedOrders(marker, 10);
      expect(rest.kind === 'accepted' && rest.value.orders.map((order) => order.backOfficeOrderId)).toEqual([
        ids[3],
        ids[4],
        ids[0],
      ]);
      expect(rest.kind === 'accepted' && rest.value.caughtUp).toBe(true);
      const delivered = rest.kind === 'accepted' ? rest.value.orders.at(-1)! : undefined;
      expect(delivered).toMatchObject({
        delivered: true,
        canceled: false,
        total: new Decimal('24.2'),
        customer: { email: expect.stringContaining('@example.cz') },
      });
      expect(delivered?.lines[0]).toMatchObject({
        articleNumber: '1001',
        count: 2,
        unitPrice: new Decimal('12.1'),
        vatRate: new Decimal(21),
        discount: new Decimal(0),
      });
      const end = await fresh.backOffice.changedOrders(rest.kind === 'accepted' ? rest.value.marker : '', 10);
      expect(end).toMatchObject({ kind: 'accepted', value: { orders: [], caughtUp: true } });
    } finally {
      await fresh.stop();
    }
  });
});

describe('reading the catalogue', () => {
  it('pages through the products changed since a marker, each article with its name, VAT and price', async () => {
    const fresh = await startMplus();
    try {
      const numbersOf = (outcome: Awaited<ReturnType<typeof fresh.backOffice.changedArticles>>) =>
        outcome.kind === 'accepted' ? outcome.value.articles.map((article) => article.articleNumber) : outcome;
      const first = await fresh.backOffice.changedArticles(null, 2);
      expect(numbersOf(first)).toEqual(['1001', '1002', '1003', '1004', '1005', '2001', '2002', '2003']);
      expect(first).toMatchObject({ kind: 'accepted', value: { caughtUp: false } });
      const marker = first.kind === 'accepted' ? first.value.marker : '';
      const rest = await fresh.backOffice.changedArticles(marker, 2);
      expect(numbersOf(rest)).toEqual(['3001', '3002', '9001', '9002', '9003']);
      expect(rest.kind === 'accepted' && rest.value.articles[1]).toEqual({
        articleNumber: '3002',
        productNumber: '300',
        name: 'Old catalogue',
        active: false,
        vatRate: new Decimal(9),
        priceIncl: new Decimal(0),
        pluNumber: '3002',
        syncMarker: '3',
      });
      // Exactly a page full: the next read says it is caught up.
      const end = await fresh.backOffice.changedArticles(rest.kind === 'accepted' ? rest.value.marker : '', 2);
      expect(end).toMatchObject({ kind: 'accepted', value: { articles: [], caughtUp: true } });
      // A change in the back office gives its product a new marker: read again from the last one.
      fresh.simulator.store.putArticle(2002, { description: 'Green tea 250 g' });
      const changed = await fresh.backOffice.changedArticles(end.kind === 'accepted' ? end.value.marker : '', 2);
      expect(numbersOf(changed)).toEqual(['2001', '2002', '2003']);
      expect(changed.kind === 'accepted' && changed.value.articles[1]!.name).toBe('Green tea 250 g');
    } finally {
      await fresh.stop();
    }
  });
});

describe('the other operations', () => {
  it.each([
    ['getApiVersion', {}, /majorNumber/],
    ['getDeliveryMethods', {}, /POSTNL/],
    ['getOrderCategories', {}, /Webshop/],
    ['getPaymentMethods', {}, /IDEAL/],
    ['getVatGroupList', {}, /vatPercentage/],
    ['getEmployees', { request: { employeeNumbers: [999999] } }, /999999/],
    ['getProducts', { request: { articleNumbers: [1001], pluNumbers: [] } }, /Coffee mug/],
    ['getRelation', { relationNumber: 3 }, /Bakkerij Smit BV/],
  ] as const)('%s answers through the adapter', async (operation, body, expected) => {
    const outcome = await mplus.client.call(operation, body);
    expect(outcome.kind).toBe('accepted');
    expect(JSON.stringify(outcome)).toMatch(expected);
  });

  it('lists delivery methods and order categories, and says its version', async () => {
    expect(await mplus.backOffice.deliveryMethods()).toMatchObject({
      kind: 'accepted',
      value: expect.arrayContaining([{ code: 'POSTNL', description: 'PostNL parcel', enabled: true }]),
    });
    expect(await mplus.backOffice.orderCategories()).toMatchObject({
      kind: 'accepted',
      value: expect.arrayContaining([{ number: 1, description: 'Webshop', allowCancel: true }]),
    });
    expect(await mplus.backOffice.version()).toEqual({ kind: 'accepted', value: '67.1.3' });
  });
});

describe('failures', () => {
  const version = () => mplus.backOffice.version();

  it.each([
    ['an HTTP 500', 'http500', { kind: 'retryable', reason: 'getApiVersion: HTTP 500' }],
    ['an HTTP 503', 'http503', { kind: 'retryable', reason: 'getApiVersion: HTTP 503' }],
    ['a Server fault', 'server-fault', { kind: 'retryable', reason: expect.stringContaining('Server fault') }],
    ['a dropped connection', 'drop', { kind: 'retryable', reason: expect.stringContaining('getApiVersion:') }],
    ['a Client fault', 'client-fault', { kind: 'rejected', code: 'FAULT-Client' }],
  ] as const)('classifies %s', async (_case, mode, expected) => {
    mplus.simulator.setFaults([{ mode }]);
    expect(await version()).toMatchObject(expected);
  });

  it('gives up waiting after the read timeout, and calls that as possibly done', async () => {
    mplus.simulator.setFaults([], 2_500);
    const started = Date.now();
    expect(await version()).toMatchObject({
      kind: 'retryable',
      ambiguous: true,
      reason: 'getApiVersion: no answer within 2000 ms',
    });
    expect(Date.now() - started).toBeLessThan(2_400);
  });

  it('calls a refused connection retryable and certainly not done', async () => {
    const closed = await startMplus();
    const url = closed.simulator.url;
    await closed.stop();
    const { MplusSoapClient } = await import('../../src/mplus/soap/mplus-soap.client.js');
    const client = new MplusSoapClient({
      url,
      ident: 'shop',
      secret: 's3cr3t',
      connectTimeoutMs: 500,
      readTimeoutMs: 500,
    });
    expect(await client.call('getApiVersion', {})).toEqual({
      kind: 'retryable',
      reason: 'getApiVersion: ECONNREFUSED',
      ambiguous: false,
    });
    client.close();
  });

  it('rejects bad credentials', async () => {
    const wrong = await startMplus({ secret: 'wrong' });
    try {
      expect(await wrong.backOffice.version()).toEqual({
        kind: 'rejected',
        code: 'FAULT-Client.Authentication',
        message: 'getApiVersion: Invalid ident or secret.',
      });
    } finally {
      await wrong.stop();
    }
  });

  it('refuses an answer with a DOCTYPE without expanding it', async () => {
    mplus.proxy!.rewriteResponse = (_operation, body) =>
      body.replace(
        '<?xml version="1.0" encoding="utf-8"?>',
        '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa">]>',
      );
    expect(await version()).toMatchObject({
      kind: 'retryable',
      reason: expect.stringContaining('a DOCTYPE is not accepted'),
    });
  });

  it('rejects an answer to another operation', async () => {
    mplus.proxy!.rewriteResponse = (_operation, body) => body.replaceAll('getApiVersionResponse', 'GetOrderResponse');
    expect(await version()).toMatchObject({ kind: 'rejected', code: 'UNEXPECTED-ANSWER' });
  });

  it('never sends the secret anywhere but the query string', async () => {
    await version();
    const last = mplus.proxy!.exchanges.at(-1)!;
    expect(last.request).not.toContain('s3cr3t');
    expect(mplus.client.target).not.toContain('s3cr3t');
  });
});
