import pg from 'pg';
import { InboundSync } from '../../src/sync/inbound-sync.js';
import { createOrder, getOrder, historyOf } from '../support/factories.js';
import { startGateway, type TestGateway } from '../support/gateway.js';
import { environment, run } from '../support/processes.js';
import { FAST_SYNC, calls, syncedOrder } from '../support/sync.js';

// Orders flowing back from MplusKASSA: rung up at the till, or changed there.

let gateway: TestGateway;
beforeAll(async () => {
  gateway = await startGateway(FAST_SYNC);
});
afterAll(() => gateway.close());

const pull = (on = gateway) => on.app.get(InboundSync).pullPage();

async function till(path: string, body: object = {}) {
  const response = await fetch(new URL(`/_simulator/${path}`, gateway.simulator.url), {
    method: 'POST',
    body: JSON.stringify(body),
  });
  return (await response.json()) as { orderId: string };
}

async function byMplusId(mplusOrderId: string, on = gateway) {
  const listed = (await on.get(`/System/Orders?external_order_id=${mplusOrderId}`)).body;
  return listed.orders as Array<Record<string, any>>; // eslint-disable-line @typescript-eslint/no-explicit-any
}

async function outboxSize(): Promise<number> {
  const client = new pg.Client({ connectionString: gateway.database.url });
  await client.connect();
  try {
    return (await client.query<{ n: number }>('SELECT count(*)::int AS n FROM sync_events')).rows[0]!.n;
  } finally {
    await client.end();
  }
}

describe('external ids that cannot collide', () => {
  it('gives our orders an extOrderId of this installation, shown by /health/ready', async () => {
    const ready = (await gateway.get('/health/ready')).body;
    const installation = ready.details.database.installation_id as string;
    expect(installation).toMatch(/^[a-z0-9]{1,16}$/);
    const id = await createOrder(gateway);
    const order = await syncedOrder(gateway, id);
    const [stored] = gateway.simulator.store.allOrders().filter((one) => one.orderId === order.sync.mplus_order_id);
    expect(stored!.extOrderId).toMatch(new RegExp(`^og-${installation}-${id}-[0-9a-f]{6}$`));
    expect(stored!.extOrderId!.slice(-6)).toBe(order.hash.slice(0, 6));
  });

  it('imports an order whose extOrderId has our form but is not ours, and it never blocks a create', async () => {
    // What another installation, or an older gateway, made for the order id ours gets next (after
    // the import of that very order takes one).
    const next = (await createOrder(gateway)) + 2;
    const foreign = gateway.simulator.store.handle('createOrder', {
      order: {
        orderId: '',
        extOrderId: `og-${next}`,
        relationNumber: 2,
        lineList: [{ articleNumber: 1001, data: { quantity: 1, decimalPlaces: 0 } }],
      },
    }) as { info: { orderId: string } };
    await pull();
    const [imported] = await byMplusId(foreign.info.orderId);
    expect(imported).toMatchObject({ source: 'mplus', external_order_id: foreign.info.orderId });
    const id = await createOrder(gateway);
    expect(id).toBe(next);
    const order = await syncedOrder(gateway, id);
    expect(order.sync.mplus_order_id).not.toBe(foreign.info.orderId);
    await pull();
    expect((await getOrder(gateway, imported!.id as number)).source).toBe('mplus');
  });

  it('takes the installation id INSTALLATION_ID gives (an installation moved to another database)', async () => {
    const moved = await startGateway({ ...FAST_SYNC, INSTALLATION_ID: 'moved1' });
    try {
      expect((await moved.get('/health/ready')).body.details.database.installation_id).toBe('moved1');
      const id = await createOrder(moved);
      const order = await syncedOrder(moved, id);
      const [stored] = moved.simulator.store.allOrders().filter((one) => one.orderId === order.sync.mplus_order_id);
      expect(stored!.extOrderId).toMatch(new RegExp(`^og-moved1-${id}-`));
    } finally {
      await moved.close();
    }
  });
});

describe('orders rung up at the till', () => {
  it('are imported once, with their lines, payments and delivery, as source mplus', async () => {
    const rung = await till('pos-orders', {
      lines: [
        { article_number: 1001, quantity: 2 },
        { article_number: 2001, quantity: 530, decimal_places: 3 },
      ],
      relation_number: 2,
      paid: true,
      delivered: true,
    });
    const first = await pull();
    expect(first.imported).toBeGreaterThanOrEqual(1);
    const [order] = await byMplusId(rung.orderId);
    expect(order).toMatchObject({
      source: 'mplus',
      external_order_prefix: 'MPLUS',
      external_order_id: rung.orderId,
      email: 'jan.devries@example.nl',
      name: 'Jan de Vries',
      order_currency_code: 'EUR',
      sent: true,
      canceled: false,
      sync: { status: 'synced', mplus_order_id: rung.orderId },
    });
    expect(
      order!.items.map((item: { article: { id: number }; count: number; note: string | null }) => [
        item.article.id,
        item.count,
        item.note,
      ]),
    ).toEqual([
      [1001, 2, null],
      [2001, 1, 'Quantity 0.53 in MplusKASSA'],
    ]);
    expect(order!.items[0].price).toMatchObject({ final_price: 12.1, vat: 21, base_price: 10 });
    expect(order!.paid).toBe(24.2 + 10.06); // 2 × 12.10 + 0.530 × 18.99, paid in full at the till
    expect((await historyOf(gateway, order!.id)).map((entry) => [entry.action, entry.api_key?.name])).toEqual([
      ['imported', 'MplusKASSA'],
    ]);

    const again = await pull();
    expect(again.imported).toBe(0);
    expect(await byMplusId(rung.orderId)).toHaveLength(1);
  });

  it('are not imported again after a restart', async () => {
    const own = await startGateway(FAST_SYNC);
    try {
      const rung = own.simulator.store.createPosOrder({ lines: [{ articleNumber: 1002, quantity: 1 }] });
      expect((await pull(own)).imported).toBe(1);
      // The gateway restarts: a new process on the same database, the old one gone.
      const restarted = await startGateway(FAST_SYNC, { database: own.database, simulator: own.simulator });
      await own.app.close();
      try {
        expect((await pull(restarted)).imported).toBe(0);
        expect(await byMplusId(rung.orderId, restarted)).toHaveLength(1);
      } finally {
        await restarted.close();
      }
    } finally {
      await own.simulator.stop();
      await own.database.drop();
    }
  });
});

describe('orders the gateway knows, changed at the till', () => {
  it('take a cancellation, a delivery and a payment made there, and send nothing back', async () => {
    const canceled = await createOrder(gateway);
    const delivered = await createOrder(gateway);
    const paid = await createOrder(gateway);
    const ids = { canceled, delivered, paid };
    const mplus: Record<string, string> = {};
    for (const [name, id] of Object.entries(ids)) mplus[name] = (await syncedOrder(gateway, id)).sync.mplus_order_id;
    await till(`orders/${mplus.canceled}/cancel`);
    await till(`orders/${mplus.delivered}/deliver`);
    await till(`orders/${mplus.paid}/pay`, { amount: 2420, method: 'PIN' });
    const events = await outboxSize();
    const mplusCalls = gateway.simulator.calls.length;

    const result = await pull();
    expect(result.updated).toBeGreaterThanOrEqual(3);
    expect(await getOrder(gateway, canceled)).toMatchObject({ canceled: true, lifecycle_state: 'canceled' });
    expect(await getOrder(gateway, delivered)).toMatchObject({ sent: true, lifecycle_state: 'sent' });
    expect(await getOrder(gateway, paid)).toMatchObject({ paid: 24.2 });
    expect((await historyOf(gateway, canceled)).at(-1)).toMatchObject({
      action: 'canceled',
      record: { name: 'Canceled in MplusKASSA' },
      api_key: { id: null, name: 'MplusKASSA' },
    });
    expect((await historyOf(gateway, paid)).at(-1)).toMatchObject({
      action: 'paid',
      record: { name: 'Paid 24.2 at the till (PIN)' },
    });

    // No echo: nothing new to forward, and MplusKASSA heard nothing but the read.
    expect(await outboxSize()).toBe(events);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(
      gateway.simulator.calls
        .slice(mplusCalls)
        .map((call) => call.operation)
        .filter(
          (operation) => operation !== 'getOrders' && operation !== 'getRelation' && operation !== 'getVatGroupList',
        ),
    ).toEqual([]);
    // A second read of the same changes writes nothing.
    const historyLength = (await historyOf(gateway, paid)).length;
    await pull();
    expect(await historyOf(gateway, paid)).toHaveLength(historyLength);
  });

  it("recognise the gateway's own changes coming back and write nothing", async () => {
    const id = await createOrder(gateway);
    await gateway.patch(`/System/Orders/${id}/paid`, { paid: 24.2, payment_id: 'own', status: 'success' }).expect(200);
    await gateway.patch(`/System/Orders/${id}/sent`).expect(200);
    await gateway.patch(`/System/Orders/${id}/cancel`).expect(422);
    await syncedOrder(gateway, id);
    const before = await getOrder(gateway, id);
    const history = (await historyOf(gateway, id)).length;
    const events = await outboxSize();
    await pull();
    const after = await getOrder(gateway, id);
    expect(after.version).toBe(before.version);
    expect(after.paid).toBe(24.2);
    expect(await historyOf(gateway, id)).toHaveLength(history);
    expect(await outboxSize()).toBe(events);
  });

  it("keep the gateway's state when the till did what the gateway forbids, and say so", async () => {
    const id = await createOrder(gateway);
    await gateway.patch(`/System/Orders/${id}/sent`).expect(200);
    const mplusId = (await syncedOrder(gateway, id)).sync.mplus_order_id;
    // Cancelled at the till although it has been sent here: the gateway keeps it sent.
    gateway.simulator.store.handle('cancelOrder', { orderId: mplusId });
    await pull();
    const order = await getOrder(gateway, id);
    expect(order).toMatchObject({ sent: true, canceled: false });
    expect((await historyOf(gateway, id)).at(-1)).toMatchObject({
      action: 'back_office_conflict',
      record: { name: 'Canceled in MplusKASSA, but the order is sent here' },
    });
    expect(calls(gateway, 'cancelOrder')).toBe(0);
  });
});

describe('npm run mplus:sync', () => {
  it('reads a backlog until caught up, page by page with progress, and then has nothing to do', async () => {
    const fresh = await startGateway({ SYNC_WORKER: 'false' });
    try {
      for (let i = 0; i < 230; i += 1) {
        fresh.simulator.store.createPosOrder({ lines: [{ articleNumber: 1001 + (i % 5), quantity: 1 + (i % 3) }] });
      }
      const env = environment({
        DATABASE_URL: fresh.database.url,
        MPLUS_URL: fresh.simulator.url,
        MPLUS_IDENT: 'gateway',
        MPLUS_SECRET: 'simulator',
        SYNC_PULL_PAGE_SIZE: '100',
      });
      const first = await run('src/bin/mplus-sync.ts', [], env);
      expect(first.stderr).toBe('');
      expect(first.code).toBe(0);
      const lines = first.stdout.trim().split('\n');
      expect(lines.slice(0, 3).map((line) => line.replace(/ — .*/, ''))).toEqual([
        'page 1: 100 orders (100 imported, 0 updated), marker 100',
        'page 2: 100 orders (100 imported, 0 updated), marker 200',
        'page 3: 30 orders (30 imported, 0 updated), marker 230',
      ]);
      expect(lines.at(-1)).toBe('Caught up: 230 orders read, 230 imported, 0 updated.');
      expect((await fresh.get('/System/Orders?per_page=10')).body.paginator.total).toBe(230);
      const second = await run('src/bin/mplus-sync.ts', [], env);
      expect(second.stdout.trim().split('\n').at(-1)).toBe('Caught up: 0 orders read, 0 imported, 0 updated.');
    } finally {
      await fresh.close();
    }
  }, 60_000);
});
