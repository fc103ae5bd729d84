import pg from 'pg';
import { itemBody, orderBody } from '../support/factories.js';
import { startGateway, type TestGateway } from '../support/gateway.js';

// A batch of creates writes its orders table by table in one statement (OrderCreations.together),
// a single create as a chain of parts of its own (OrderCreations.build). Whatever path an order
// took, every row written for it must be the same: the order, its lines, its sync row, its outbox
// change, its events and their deliveries, its history entry.

let gateway: TestGateway;
let db: pg.Client;
beforeAll(async () => {
  gateway = await startGateway({ MPLUS_SHIPPING_ARTICLE_NUMBER: '9001', MPLUS_PAYMENT_FEE_ARTICLE_NUMBER: '9003' });
  db = new pg.Client({ connectionString: gateway.database.url });
  await db.connect();
  // Two subscriptions to new orders, one only for channel 2: the events' fan-out runs for both paths.
  for (const condition of [{}, { condition: 'channel_id = 2' }]) {
    await gateway
      .post('/System/Events', { event: 'order-new', path: 'https://receiver.example/hooks', ...condition })
      .expect(201);
  }
});
afterAll(async () => {
  await db.end();
  await gateway.close();
});

/** Bodies of every shape a create takes; `prefix` sets apart the external ids of the two paths. */
function bodies(prefix: string) {
  const dateOrder = '2026-11-02T10:00:00.000Z';
  return [
    orderBody({
      date_order: dateOrder,
      email: 'Mixed.Case@Example.cz',
      external_order_prefix: `${prefix} shop/1`,
      external_order_id: 'A 1/2',
      channel: 2,
      metadata: { source: 'import', batch: 'n' },
      items: [
        itemBody({ metadata: { sku: 'M-1' }, discount: { percent: 10 } }),
        itemBody({ article_number: '1002', count: 3, price: { final_price: 12.1, vat: 21 } }),
        itemBody({ article_number: '1003', count: 1, price: { base_price: 3.5, vat: 12 }, note: 'gift wrap' }),
      ],
      discount: { percent: 5, code: 'VOUCHER' },
      shipping_price: { final_price: 4.95, vat: 21 },
      payment_price: { final_price: 1, vat: 21 },
    }),
    orderBody({ date_order: dateOrder, email: 'no-lines@example.cz', items: [] }),
    orderBody({
      date_order: dateOrder,
      date_maturity: '2026-11-16T10:00:00.000Z',
      email: 'firma@example.cz',
      order_currency_code: 'CZK',
      currency_rate: 0.04,
      external_order_prefix: prefix,
      external_order_id: 'czk-1',
      note: 'leave at the door',
      our_note: 'regular',
      company_name: 'Firma s.r.o.',
      company_vat: 'CZ12345678',
      delivery_name: 'Recepce',
      items: [itemBody({ price: { base_price: 99, vat: 21 } })],
    }),
    orderBody({
      date_order: dateOrder,
      email: 'amount-off@example.cz',
      phone: '+420 777 000 111',
      discount: { amount: 1 },
      items: [itemBody({ count: 5 })],
    }),
  ];
}

/** Every row written for an order, without what differs by nature: ids, random hash, clocks, the external ids' prefix. */
async function rowsOf(orderId: number) {
  const { rows } = await db.query(
    `SELECT
       (SELECT to_jsonb(o) - '{id,hash,created_at,updated_at,change_seq,external_order_prefix}'::text[]
          FROM orders o WHERE o.id = $1) AS order,
       (SELECT jsonb_agg(to_jsonb(i) - '{id,order_id,created_at}'::text[] ORDER BY i.id)
          FROM order_items i WHERE i.order_id = $1) AS items,
       (SELECT to_jsonb(s) - '{order_id,external_id,updated_at,run_at}'::text[]
          FROM order_sync s WHERE s.order_id = $1) AS sync,
       (SELECT jsonb_agg(to_jsonb(e) - '{id,order_id,created_at}'::text[] ORDER BY e.id)
          FROM sync_events e WHERE e.order_id = $1) AS outbox,
       (SELECT jsonb_agg(to_jsonb(e) - '{id,order_id,created_at}'::text[] ORDER BY e.id)
          FROM order_events e WHERE e.order_id = $1) AS events,
       (SELECT jsonb_agg(to_jsonb(d) - '{id,event_id,order_id,created_at}'::text[] ORDER BY d.id)
          FROM event_deliveries d WHERE d.order_id = $1) AS deliveries,
       (SELECT last FROM order_event_sequences q WHERE q.order_id = $1) AS sequence,
       (SELECT jsonb_agg(to_jsonb(h) - '{id,order_id,created_at,request_id}'::text[] ORDER BY h.id)
          FROM order_history h WHERE h.order_id = $1) AS history`,
    [orderId],
  );
  return rows[0] as Record<string, unknown>;
}

async function syncOf(orderId: number): Promise<{ external_id: string; hash: string; installation: string }> {
  const { rows } = await db.query(
    `SELECT s.external_id, o.hash, (SELECT id FROM installation) AS installation
       FROM order_sync s JOIN orders o ON o.id = s.order_id WHERE s.order_id = $1`,
    [orderId],
  );
  return rows[0];
}

describe('a batch of creates', () => {
  it('writes each record exactly as a single create writes it, in every table', async () => {
    const singles: number[] = [];
    for (const body of bodies('single')) {
      const response = await gateway.post('/System/Orders', body);
      if (response.status !== 201) throw new Error(JSON.stringify(response.body));
      singles.push(response.body.id);
    }
    const batch = await gateway.post('/System/Orders/batch', { records: bodies('batch') }).expect(201);
    const batched = (batch.body.results as Array<{ id: number }>).map((result) => result.id);
    expect(batched).toHaveLength(singles.length);

    for (const [index, id] of batched.entries()) {
      const single = await rowsOf(singles[index]!);
      const together = await rowsOf(id);
      expect({ index, ...together }).toEqual({ index, ...single });
    }
    // Nothing left out of the comparison by accident: lines, fees, events and their deliveries are there.
    const first = await rowsOf(batched[0]!);
    expect(first.items).toHaveLength(3);
    expect(first.deliveries).toHaveLength(2);
    expect(first.outbox).toEqual([{ kind: 'create', payload: {}, processed_at: null, attempted_at: null }]);
    expect((await rowsOf(batched[3]!)).deliveries).toHaveLength(1);

    // The extOrderId MplusKASSA gets: the client's pair, or the gateway's own of id and hash.
    expect((await syncOf(batched[0]!)).external_id).toBe('batch%20shop%2F1/A%201%2F2');
    expect((await syncOf(batched[2]!)).external_id).toBe('batch/czk-1');
    for (const id of [batched[1]!, batched[3]!]) {
      const sync = await syncOf(id);
      expect(sync.external_id).toBe(`og-${sync.installation}-${id}-${sync.hash.slice(0, 6)}`);
    }
  });

  it('numbers orders, outbox changes and events in the order of the records', async () => {
    const records = Array.from({ length: 40 }, (_, n) =>
      orderBody({ items: n % 4 === 0 ? [] : [itemBody({ count: 1 + (n % 3) }), itemBody()] }),
    );
    const response = await gateway.post('/System/Orders/batch', { records }).expect(201);
    const ids = (response.body.results as Array<{ id: number }>).map((result) => result.id);
    const ascending = (values: number[]) => values.every((value, index) => index === 0 || value > values[index - 1]!);
    expect(ascending(ids)).toBe(true);
    const inOrder = async (table: string) => {
      const { rows } = await db.query<{ order_id: number }>(
        `SELECT order_id FROM ${table} WHERE order_id = ANY($1::int[]) ORDER BY id`,
        [ids],
      );
      return rows.map((row) => row.order_id);
    };
    expect(await inOrder('sync_events')).toEqual(ids);
    expect(await inOrder('order_events')).toEqual(ids);
    expect(await inOrder('order_history')).toEqual(ids);
    const lines = await inOrder('order_items');
    expect(lines).toEqual(ids.flatMap((id, n) => (n % 4 === 0 ? [] : [id, id])));
  });
});
