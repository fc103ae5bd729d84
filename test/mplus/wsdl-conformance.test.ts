import { createRequire } from 'node:module';
import { Decimal } from '../../src/common/money/money.js';
import { backOfficeOrder, type MplusHarness, startMplus } from '../support/mplus.js';
import { bodyDocument, skipReason, validateAgainstWsdl } from '../support/wsdl.js';

// What the adapter sends and what the simulator answers, checked against the official WSDL's
// schema with xmllint; and the simulator driven by node-soap, a client built from that WSDL
// that we did not write.

const reason = skipReason();
const describeWithWsdl = reason ? describe.skip : describe;
if (reason) console.warn(`Skipping the WSDL conformance tests: ${reason}.`);

describeWithWsdl('messages against mplusqapi.wsdl', () => {
  let mplus: MplusHarness;
  beforeAll(async () => {
    mplus = await startMplus({ proxy: true });
  });
  afterAll(() => mplus.stop());

  it('every request and every answer of every operation fits the schema', async () => {
    const { backOffice, client } = mplus;
    // Every operation, with the business outcomes that shape answers differently.
    const person = backOfficeOrder();
    const createdOrder = await backOffice.createOrder(person);
    const id = createdOrder.kind === 'accepted' ? createdOrder.value.backOfficeOrderId : '';
    await backOffice.createOrder(person); // findOrder OK
    await backOffice.createOrder(
      backOfficeOrder({
        customer: {
          ...person.customer,
          email: 'new@example.nl',
          companyName: 'Firma BV',
          vatNumber: 'NL1',
          companyNumber: '2',
        },
      }),
    );
    await backOffice.createOrder(
      backOfficeOrder({
        lines: [
          {
            articleNumber: '4242',
            name: 'x',
            count: 1,
            unitPrice: new Decimal(1),
            vatRate: new Decimal(21),
            discount: new Decimal(0),
          },
        ],
      }),
    );
    await backOffice.createOrder({
      ...person,
      externalId: `${person.externalId}-b`,
      customer: { ...person.customer, name: 'Renamed' },
    }); // updateRelation
    await backOffice.updateOrder(id, { ...person, lines: [{ ...person.lines[0]!, count: 3 }] });
    await backOffice.updateOrder(id, { ...person, lines: [{ ...person.lines[0]!, count: 3 }] }); // NO-CHANGES
    await backOffice.updateOrder('00000000000000000000000000000000', person); // getOrder NOT-FOUND
    await backOffice.recordPayment(id, {
      reference: 'w1',
      amount: new Decimal(5),
      paymentMethodId: null,
      final: false,
    });
    await backOffice.recordPayment(id, { reference: 'w2', amount: new Decimal(1), paymentMethodId: null, final: true }); // INSUFFICIENT
    await backOffice.markDelivered(id);
    await backOffice.markDelivered(id);
    await backOffice.cancelOrder(id);
    await backOffice.cancelOrder(id);
    // A refund of a deposit (a negative payment) and of an invoiced order (creditInvoice).
    await backOffice.refund(id, { reference: 'r1', amount: new Decimal(5), invoiced: false, paymentMethodId: 3 });
    const invoiced = backOfficeOrder({
      fees: [{ kind: 'shipping', amount: new Decimal('4.95'), vatRate: new Decimal(21) }],
      lines: [{ ...person.lines[0]!, discount: new Decimal('2.42') }],
    });
    const created = await backOffice.createOrder(invoiced);
    const invoicedId = created.kind === 'accepted' ? created.value.backOfficeOrderId : '';
    await backOffice.recordPayment(invoicedId, {
      reference: 'w3',
      amount: new Decimal('26.73'),
      paymentMethodId: null,
      final: true,
    });
    await backOffice.refund(invoicedId, {
      reference: 'r2',
      amount: new Decimal('26.73'),
      invoiced: true,
      paymentMethodId: null,
    });
    await backOffice.refund(invoicedId, {
      reference: 'r2',
      amount: new Decimal('26.73'),
      invoiced: true,
      paymentMethodId: null,
    });
    await client.call('creditInvoice', { invoiceId: 'no-such-invoice' });
    await client.call('findRelation', { relation: { email: 'jan.devries@example.nl' } });
    await client.call('findRelation', { relation: { email: 'nobody@example.nl' } });
    await backOffice.changedOrders(null, 2);
    await backOffice.deliveryMethods();
    await backOffice.orderCategories();
    await backOffice.version();
    await client.call('getPaymentMethods', {});
    await client.call('getEmployees', { request: { employeeNumbers: [999999] } });
    await client.call('getEmployees', {});
    await client.call('getRelation', { relationNumber: 3 });
    await client.call('getRelation', { relationNumber: 999 });
    await client.call('getOrders', {
      request: {
        syncMarker: 1,
        articlePluNumbers: [],
        articleBarcodes: [],
        orderTypeList: ['ORDER-TYPE-SALES-ORDER'],
        includeLineList: false,
      },
    });

    const exchanges = mplus.proxy!.exchanges;
    const operations = new Set(exchanges.map((exchange) => exchange.operation));
    for (const operation of [
      'findOrder',
      'getOrder',
      'createOrder',
      'updateOrder',
      'cancelOrder',
      'payOrder',
      'deliverOrder',
      'getOrders',
      'getDeliveryMethods',
      'getOrderCategories',
      'findRelationV2',
      'findRelation',
      'creditInvoice',
      'createRelation',
      'updateRelation',
      'getRelation',
      'getProducts',
      'getEmployees',
      'getPaymentMethods',
      'getApiVersion',
      'getVatGroupList',
    ]) {
      expect(operations).toContain(operation);
    }
    const documents = exchanges.flatMap((exchange, index) => [
      { name: `${index}-${exchange.operation}-request`, xml: bodyDocument(exchange.request) },
      ...(exchange.status === 200
        ? [{ name: `${index}-${exchange.operation}-response`, xml: bodyDocument(exchange.response) }]
        : []),
    ]);
    expect(documents.length).toBeGreaterThan(60);
    expect(validateAgainstWsdl(documents)).toEqual([]);
    // As a strict generated client reads them: an empty text is an element with a start and an
    // end tag, never self-closed (read as null) and never nil.
    const selfClosed = exchanges
      .filter((exchange) => exchange.status === 200)
      .flatMap((exchange) =>
        [...exchange.response.matchAll(/<[^<>]*(?:\/>|xsi:nil)/g)].map((match) => `${exchange.operation}: ${match[0]}`),
      );
    expect(selfClosed).toEqual([]);
    expect(exchanges.find((exchange) => exchange.operation === 'payOrder')!.response).toContain(
      '<ns:errorMessage></ns:errorMessage>',
    );
  }, 60_000);

  it('notices a message that does not fit', () => {
    const wrongOrder = '<?xml version="1.0"?><findOrder xmlns="urn:mplusqapi"><orderId>1</orderId></findOrder>';
    const badEnum =
      '<?xml version="1.0"?><GetOrderResponse xmlns="urn:mplusqapi"><result>FOUND-IT</result></GetOrderResponse>';
    expect(
      validateAgainstWsdl([
        { name: 'wrong', xml: wrongOrder },
        { name: 'enum', xml: badEnum },
      ]),
    ).toEqual([
      expect.stringContaining("Element '{urn:mplusqapi}orderId': This element is not expected"),
      expect.stringContaining("The value 'FOUND-IT' is not an element of the set"),
    ]);
  });
});

describeWithWsdl('the simulator and a client generated from the WSDL (node-soap)', () => {
  let mplus: MplusHarness;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  let soapClient: any;
  beforeAll(async () => {
    mplus = await startMplus();
    const soap = createRequire(import.meta.url)('soap') as {
      createClientAsync(wsdl: string, options: object): Promise<unknown>;
    };
    // Built from the WSDL the simulator serves, as a client of the real endpoint would be.
    soapClient = await soap.createClientAsync(`${mplus.simulator.url}?wsdl`, {
      endpoint: `${mplus.simulator.url}?ident=shop&secret=s3cr3t`,
    });
  }, 60_000);
  afterAll(() => mplus.stop());

  it('answers its calls as the WSDL says', async () => {
    const [version] = await soapClient.getApiVersionAsync({});
    expect(version).toMatchObject({ majorNumber: 67, minorNumber: 1, revisionNumber: 3, inDebugMode: false });

    const [missing] = await soapClient.findOrderAsync({ extOrderId: 'no-such-order' });
    expect(missing).toEqual({ result: 'GET-ORDER-RESULT-NOT-FOUND' });

    const [created] = await soapClient.createOrderAsync({
      order: {
        orderId: '',
        extOrderId: 'node-soap-1',
        employeeNumber: 999999,
        relationNumber: 2,
        lineList: { line: [{ articleNumber: 1001, data: { quantity: 3, decimalPlaces: 0, price: 1210 } }] },
      },
    });
    expect(created).toMatchObject({
      result: 'CREATE-ORDER-RESULT-OK',
      info: { orderId: expect.stringMatching(/^[0-9a-f]{32}$/) },
    });
    const orderId = created.info.orderId as string;

    const [found] = await soapClient.findOrderAsync({ extOrderId: 'node-soap-1' });
    expect(found.result).toBe('GET-ORDER-RESULT-OK');
    expect(found.order).toMatchObject({ orderId, extOrderId: 'node-soap-1', totalInclAmount: 3630, relationNumber: 2 });

    const [paid] = await soapClient.payOrderAsync({
      request: { orderId, prepay: true, paymentList: { payment: [{ method: 'PIN', amount: 1000 }] } },
    });
    expect(paid.result).toBe('PAY-ORDER-RESULT-OK');
    const [delivered] = await soapClient.deliverOrderAsync({ request: { orderId } });
    expect(delivered.result).toBe('DELIVER-ORDER-RESULT-OK');

    const [orders] = await soapClient.getOrdersAsync({
      request: { syncMarker: 1, articlePluNumbers: {}, articleBarcodes: {} },
    });
    const list = [orders.orderList.order].flat();
    expect(list.map((order: { orderId: string }) => order.orderId)).toContain(orderId);

    const [first] = await soapClient.findRelationAsync({ relation: { email: 'jan.devries@example.nl' } });
    expect(first).toMatchObject({ result: 'FIND-RELATION-RESULT-OK', relation: { relationNumber: 2 } });

    const [relation] = await soapClient.findRelationV2Async({
      request: { relation: { email: 'jan.devries@example.nl' }, exactMatch: true },
    });
    expect(relation).toMatchObject({ result: 'FIND-RELATION-RESULT-OK', relation: { relationNumber: 2 } });
  }, 60_000);

  it('serves the WSDL at ?wsdl with its own address, as MplusKASSA does', async () => {
    const response = await fetch(`${mplus.simulator.url}?wsdl`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/xml');
    const wsdl = await response.text();
    expect(wsdl).toContain(`location="${mplus.simulator.url}"`);
    expect(wsdl).toContain('<operation name="findRelation">');
    expect((await fetch(mplus.simulator.url)).status).toBe(405);
  });
});
