import { loadConfig } from '../../src/config/app-config.js';
import { createOrder, orderBody } from '../support/factories.js';
import { startGateway, type TestGateway } from '../support/gateway.js';
import { FAST_SYNC, calls, simulatorOrdersOf, syncedOrder } from '../support/sync.js';

// The MplusKASSA relation an order goes to, as APIcenter does it: the relation of its e-mail,
// found or made once however many orders of it arrive at once; the default debtor, for orders
// without an e-mail or for every order; and the payment term of the order's payment method.

const relationsWith = (gateway: TestGateway, email: string) =>
  gateway.simulator.store.allRelations().filter((relation) => relation.email?.toLowerCase() === email.toLowerCase());

describe('the relation of an e-mail', () => {
  let gateway: TestGateway;
  beforeAll(async () => {
    gateway = await startGateway({ ...FAST_SYNC, SYNC_CONCURRENCY: '8', MPLUS_PAYMENT_TERMS: '5=14' });
  });
  afterAll(() => gateway.close());
  afterEach(() => gateway.simulator.setFaults([]));

  it('is made once when several first orders of a new e-mail are forwarded at the same time', async () => {
    // The orders wait, all of them, until a gateway with workers starts: it takes them at once.
    const writer = await startGateway({ ...FAST_SYNC, SYNC_WORKER: 'false' }, { simulator: gateway.simulator });
    const email = `new-${Date.now()}@example.cz`;
    let ids: number[];
    try {
      ids = [];
      for (const given of [email, email.toUpperCase(), email, email]) {
        ids.push(await createOrder(writer, { email: given }));
      }
    } finally {
      await writer.app.close();
    }
    const forwarder = await startGateway(
      { ...FAST_SYNC, SYNC_CONCURRENCY: '8' },
      { database: writer.database, simulator: gateway.simulator },
    );
    try {
      // Slow answers, so that forwarding the orders side by side would overlap.
      gateway.simulator.setFaults([], 40);
      const orders = await Promise.all(ids.map((id) => syncedOrder(forwarder, id)));
      expect(orders.map((order) => order.sync.status)).toEqual(['synced', 'synced', 'synced', 'synced']);
      const relations = relationsWith(gateway, email);
      expect(relations).toHaveLength(1);
      for (const id of ids) {
        expect(simulatorOrdersOf(forwarder, id)[0]?.relationNumber).toBe(relations[0]!.relationNumber);
      }
    } finally {
      await forwarder.close();
      await writer.database.drop();
    }
  });

  it('gets the payment term of the payment method, and keeps it for orders paid otherwise', async () => {
    const email = `terms-${Date.now()}@example.cz`;
    await syncedOrder(gateway, await createOrder(gateway, { email, payment: 5 }));
    expect(relationsWith(gateway, email)).toEqual([expect.objectContaining({ paymentWithinDays: 14 })]);
    await syncedOrder(gateway, await createOrder(gateway, { email, payment: 3 }));
    expect(relationsWith(gateway, email)).toEqual([expect.objectContaining({ paymentWithinDays: 14 })]);
  });
});

describe('the default debtor', () => {
  it('takes the orders without an e-mail, and then an order needs none (MPLUS_DEFAULT_RELATION_POLICY=no-email)', async () => {
    const gateway = await startGateway({ ...FAST_SYNC, MPLUS_DEFAULT_RELATION_NUMBER: '1' });
    try {
      const withoutEmail = await gateway.post('/System/Orders', orderBody({ email: undefined })).expect(201);
      const order = await syncedOrder(gateway, withoutEmail.body.id);
      expect(order.email).toBeNull();
      expect(simulatorOrdersOf(gateway, order.id)[0]?.relationNumber).toBe(1);
      const email = `own-${Date.now()}@example.cz`;
      const withEmail = await syncedOrder(gateway, await createOrder(gateway, { email }));
      expect(simulatorOrdersOf(gateway, withEmail.id)[0]?.relationNumber).toBe(
        relationsWith(gateway, email)[0]!.relationNumber,
      );
    } finally {
      await gateway.close();
    }
  });

  it('takes every order without looking for a relation (MPLUS_DEFAULT_RELATION_POLICY=always)', async () => {
    const gateway = await startGateway({
      ...FAST_SYNC,
      MPLUS_DEFAULT_RELATION_NUMBER: '1',
      MPLUS_DEFAULT_RELATION_POLICY: 'always',
    });
    try {
      const email = `debtor-${Date.now()}@example.cz`;
      const order = await syncedOrder(gateway, await createOrder(gateway, { email }));
      expect(simulatorOrdersOf(gateway, order.id)[0]?.relationNumber).toBe(1);
      expect(relationsWith(gateway, email)).toEqual([]);
      expect(calls(gateway, 'findRelationV2') + calls(gateway, 'createRelation')).toBe(0);
    } finally {
      await gateway.close();
    }
  });

  it('is needed for an order without an e-mail: without it, the e-mail is required', async () => {
    const gateway = await startGateway();
    try {
      const { body } = await gateway.post('/System/Orders', orderBody({ email: undefined })).expect(400);
      expect(body.errors).toEqual([{ field: 'email', message: 'email is required' }]);
    } finally {
      await gateway.close();
    }
    expect(() => loadConfig({ MPLUS_DEFAULT_RELATION_POLICY: 'always' })).toThrow(
      /MPLUS_DEFAULT_RELATION_POLICY always needs MPLUS_DEFAULT_RELATION_NUMBER/,
    );
    expect(() => loadConfig({ MPLUS_PAYMENT_TERMS: '5=two weeks' })).toThrow(/MPLUS_PAYMENT_TERMS/);
  });
});
