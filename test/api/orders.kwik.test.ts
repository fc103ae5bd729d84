import pg from 'pg';
import { createOrder, getOrder, historyOf, itemBody, orderBody } from '../support/factories.js';
import { startGateway, type TestGateway } from '../support/gateway.js';
import { waitFor } from '../support/wait.js';

// The Kwik conventions inside /System/Orders: batches of records, metadata, archiving instead of
// deleting, and the Kwik list filters.

let gateway: TestGateway;
let db: pg.Client;
beforeAll(async () => {
  gateway = await startGateway();
  db = new pg.Client({ connectionString: gateway.database.url });
  await db.connect();
});
afterAll(async () => {
  await db.end();
  await gateway.close();
});

/** Rows of the tables a create writes, to show that a refused batch wrote none. */
async function rowCounts() {
  const { rows } = await db.query<Record<string, string>>(`
    SELECT (SELECT count(*) FROM orders) AS orders, (SELECT count(*) FROM order_items) AS items,
           (SELECT count(*) FROM order_sync) AS sync, (SELECT count(*) FROM sync_events) AS events,
           (SELECT count(*) FROM order_history) AS history`);
  return rows[0];
}

const ids = (response: { body: { results: Array<{ id: number }> } }) => response.body.results.map((one) => one.id);

describe('POST /System/Orders/batch', () => {
  it('creates every record in one go and answers their ids in the order given', async () => {
    const records = [1, 2, 3].map((n) =>
      orderBody({ external_order_id: `batch-${n}`, items: [itemBody(), itemBody({ count: n })] }),
    );
    const response = await gateway.post('/System/Orders/batch', { records });
    expect(response.status).toBe(201);
    expect(response.body.status).toBe(true);
    expect(response.body.results).toHaveLength(3);
    for (const [index, result] of (response.body.results as Array<{ id: number; created: boolean }>).entries()) {
      expect(result).toMatchObject({ created: true, version: 1 });
      const order = await getOrder(gateway, result.id);
      expect(order.external_order_id).toBe(`batch-${index + 1}`);
      expect(order.items[1].count).toBe(index + 1);
      // Each order is forwarded as if it had come alone: its own sync row and outbox event.
      expect(order.sync.status).toBe('pending');
      expect((await historyOf(gateway, result.id)).map((entry) => entry.action)).toEqual(['created']);
    }
  });

  it('answers each record with its own order whatever the mix of shapes (lines or none, external id or none)', async () => {
    const records = Array.from({ length: 70 }, (_, n) =>
      orderBody({
        email: `mix-${n}@example.cz`,
        items: n % 3 === 0 ? [] : [itemBody({ count: 1 + (n % 5) })],
        ...(n % 2 === 0 ? { external_order_id: `mix-${n}` } : {}),
      }),
    );
    const response = await gateway.post('/System/Orders/batch', { records });
    expect(response.status).toBe(201);
    const orders = await Promise.all(ids(response).map((id) => getOrder(gateway, id)));
    orders.forEach((order, n) => {
      expect({ n, email: order.email, lines: order.items.length, external: order.external_order_id }).toEqual({
        n,
        email: `mix-${n}@example.cz`,
        lines: n % 3 === 0 ? 0 : 1,
        external: n % 2 === 0 ? `mix-${n}` : null,
      });
    });
    expect(new Set(ids(response)).size).toBe(70);
  });

  it('writes nothing when one record is bad, and names the record and field', async () => {
    const before = await rowCounts();
    const records = [
      orderBody(),
      orderBody(),
      orderBody(),
      orderBody({ items: [{ ...itemBody(), price: { base_price: -1, vat: 21 } }] }),
    ];
    const response = await gateway.post('/System/Orders/batch', { records });
    expect(response.status).toBe(400);
    expect(response.body.errors).toEqual([
      { field: 'records[3].items[0].price.base_price', message: expect.stringContaining('base_price') },
    ]);
    expect(await rowCounts()).toEqual(before);
  });

  it('writes nothing when a record fails a check past validation, named by its index', async () => {
    const before = await rowCounts();
    const records = [
      orderBody(),
      orderBody({ order_currency_code: 'EUR', items: [itemBody({ price: { base_price: 1.005, vat: 21 } })] }),
    ];
    const response = await gateway.post('/System/Orders/batch', { records });
    expect(response.status).toBe(400);
    expect(response.body.errors[0].field).toBe('records[1].items[0].price.base_price');
    // A fee without its MplusKASSA article is a 422 naming the record.
    const fee = await gateway.post('/System/Orders/batch', {
      records: [orderBody(), orderBody({ shipping_price: { final_price: 4.95, vat: 21 } })],
    });
    expect(fee.status).toBe(422);
    expect(fee.body).toMatchObject({ code: 'FEE_ARTICLE_NOT_CONFIGURED', record: 1 });
    expect(fee.body.errors[0].field).toBe('records[1].shipping_price');
    expect(await rowCounts()).toEqual(before);
  });

  it('answers an existing external id with its order, and refuses one repeated within the batch', async () => {
    const existing = await createOrder(gateway, { external_order_id: 'kw-existing' });
    const mixed = await gateway.post('/System/Orders/batch', {
      records: [orderBody({ external_order_id: 'kw-new' }), orderBody({ external_order_id: 'kw-existing' })],
    });
    expect(mixed.status).toBe(201);
    expect(mixed.body.results[1]).toEqual({ id: existing, created: false, version: 1 });
    const again = await gateway.post('/System/Orders/batch', {
      records: [orderBody({ external_order_id: 'kw-new' }), orderBody({ external_order_id: 'kw-existing' })],
    });
    expect(again.status).toBe(200);
    expect(ids(again)).toEqual(ids(mixed));
    const repeated = await gateway.post('/System/Orders/batch', {
      records: [orderBody({ external_order_id: 'kw-twice' }), orderBody({ external_order_id: 'kw-twice' })],
    });
    expect(repeated.status).toBe(400);
    expect(repeated.body.errors[0].field).toBe('records[1].external_order_id');
    expect((await gateway.get('/System/Orders?external_order_id=kw-twice')).body.orders).toHaveLength(0);
  });

  it('refuses an empty batch, one over 100 records and a body that is not records', async () => {
    expect((await gateway.post('/System/Orders/batch', { records: [] })).body.errors[0].field).toBe('records');
    const tooMany = await gateway.post('/System/Orders/batch', {
      records: Array.from({ length: 101 }, () => orderBody({ items: [] })),
    });
    expect(tooMany.status).toBe(400);
    expect(tooMany.body.errors[0]).toMatchObject({ field: 'records', message: expect.stringContaining('100') });
    expect((await gateway.post('/System/Orders/batch', { records: [[]] })).status).toBe(400);
    expect((await gateway.post('/System/Orders/batch', orderBody())).status).toBe(400);
  });

  it('answers a repeat with the same Idempotency-Key from the record, writing nothing', async () => {
    const records = [orderBody(), orderBody()];
    const first = await gateway.post('/System/Orders/batch', { records }).set('idempotency-key', 'batch-key-1');
    expect(first.status).toBe(201);
    const before = await rowCounts();
    const repeat = await gateway.post('/System/Orders/batch', { records }).set('idempotency-key', 'batch-key-1');
    expect(repeat.status).toBe(201);
    expect(repeat.headers['idempotent-replayed']).toBe('true');
    expect(repeat.body).toEqual(first.body);
    expect(await rowCounts()).toEqual(before);
  });

  it('needs orders:write', async () => {
    const reader = await gateway.keyWith('orders:read');
    expect((await gateway.post('/System/Orders/batch', { records: [orderBody()] }, reader)).status).toBe(403);
  });

  it('races single creates of the same external ids without a duplicate or a 500', async () => {
    const externalIds = Array.from({ length: 20 }, (_, n) => `race-${n}`);
    const batch = gateway.post('/System/Orders/batch', {
      records: externalIds.map((id) => orderBody({ external_order_id: id })),
    });
    const singles = externalIds.map((id) => gateway.post('/System/Orders', orderBody({ external_order_id: id })));
    const reversed = gateway.post('/System/Orders/batch', {
      records: [...externalIds].reverse().map((id) => orderBody({ external_order_id: id })),
    });
    const [batchAnswer, reversedAnswer, ...singleAnswers] = await Promise.all([batch, reversed, ...singles]);
    expect([batchAnswer.status, reversedAnswer.status].every((status) => status === 200 || status === 201)).toBe(true);
    for (const answer of singleAnswers) expect([200, 201]).toContain(answer.status);
    const { rows } = await db.query<{ external_order_id: string; n: string }>(
      `SELECT external_order_id, count(*) AS n FROM orders WHERE external_order_id LIKE 'race-%' GROUP BY 1`,
    );
    expect(rows).toHaveLength(20);
    expect(rows.every((row) => row.n === '1')).toBe(true);
    // Everyone was answered the one order of each external id.
    const byExternalId = new Map<string, number>(
      (
        await db.query<{ id: number; external_order_id: string }>(
          `SELECT id, external_order_id FROM orders WHERE external_order_id LIKE 'race-%'`,
        )
      ).rows.map((row) => [row.external_order_id, row.id]),
    );
    expect(ids(batchAnswer)).toEqual(externalIds.map((id) => byExternalId.get(id)));
    expect(ids(reversedAnswer)).toEqual([...externalIds].reverse().map((id) => byExternalId.get(id)));
    singleAnswers.forEach((answer, n) => expect(answer.body.id).toBe(byExternalId.get(`race-${n}`)));
  });
});

describe('PATCH /System/Orders/batch', () => {
  it('changes only the fields given, null clearing one, and answers each version', async () => {
    const first = await createOrder(gateway, { delivery_name: 'Anna', delivery_city: 'Brno' });
    const second = await createOrder(gateway);
    const response = await gateway.patch('/System/Orders/batch', {
      records: [
        { id: first, delivery_city: null, metadata: { wave: '1' } },
        { id: second, delivery_name: 'Petr' },
      ],
    });
    expect(response.status).toBe(200);
    expect(response.body).toEqual({
      status: true,
      results: [
        { id: first, changed: true, version: 2 },
        { id: second, changed: true, version: 2 },
      ],
    });
    expect(await getOrder(gateway, first)).toMatchObject({
      delivery_name: 'Anna',
      delivery_city: null,
      metadata: { wave: '1' },
    });
    expect((await getOrder(gateway, second)).delivery_name).toBe('Petr');
    // A record that changes nothing is answered as it is.
    const same = await gateway.patch('/System/Orders/batch', { records: [{ id: second, delivery_name: 'Petr' }] });
    expect(same.body.results).toEqual([{ id: second, changed: false, version: 2 }]);
  });

  it('writes nothing when one record is refused, and names it', async () => {
    const open = await createOrder(gateway);
    const sent = await createOrder(gateway);
    await gateway.patch(`/System/Orders/${sent}/sent`).expect(200);
    const before = await rowCounts();
    const response = await gateway.patch('/System/Orders/batch', {
      records: [
        { id: open, delivery_name: 'Changed' },
        { id: sent, delivery_name: 'Too late' },
      ],
    });
    expect(response.status).toBe(422);
    expect(response.body).toMatchObject({ code: 'TRANSITION_NOT_ALLOWED', record: 1, current_state: 'sent' });
    expect(response.body.detail).toMatch(/^records\[1\]: /);
    expect((await getOrder(gateway, open)).delivery_name).toBeNull();
    expect(await rowCounts()).toEqual(before);
    const missing = await gateway.patch('/System/Orders/batch', { records: [{ id: open, note: 'x' }] });
    expect(missing.body.errors[0].field).toBe('records[0].note');
    const unknown = await gateway.patch('/System/Orders/batch', {
      records: [{ id: 2_000_000_000, delivery_name: 'x' }],
    });
    expect(unknown.status).toBe(404);
    expect(unknown.body.record).toBe(0);
    const twice = await gateway.patch('/System/Orders/batch', { records: [{ id: open }, { id: open }] });
    expect(twice.body.errors[0].field).toBe('records[1].id');
    const ifMatch = await gateway.patch('/System/Orders/batch', { records: [{ id: open }] }).set('if-match', '"1"');
    expect(ifMatch.body.errors[0].field).toBe('If-Match');
  });

  it('forwards each changed order as its own update', async () => {
    const first = await createOrder(gateway);
    const second = await createOrder(gateway);
    await gateway.patch('/System/Orders/batch', {
      records: [
        { id: first, delivery_street: 'Nová 1' },
        { id: second, metadata: { only: 'metadata' } },
      ],
    });
    const { rows } = await db.query<{ order_id: number; kind: string }>(
      'SELECT order_id, kind FROM sync_events WHERE order_id = ANY($1) ORDER BY id',
      [[first, second]],
    );
    // Metadata is never forwarded: only the first order has an update beside its create.
    expect(rows).toEqual([
      { order_id: first, kind: 'create' },
      { order_id: second, kind: 'create' },
      { order_id: first, kind: 'update' },
    ]);
  });
});

describe('metadata', () => {
  it('is set on create, on the order and its lines, and shown on every read', async () => {
    const id = await createOrder(gateway, {
      metadata: { shop_order: 'A-1001', empty: '' },
      items: [itemBody({ metadata: { sku: 'MUG-1' } })],
    });
    const order = await getOrder(gateway, id);
    expect(order.metadata).toEqual({ shop_order: 'A-1001' });
    expect(order.items[0].metadata).toEqual({ sku: 'MUG-1' });
    const listed = await gateway.get(`/System/Orders?order_id=${id}`);
    expect(listed.body.orders[0].metadata).toEqual({ shop_order: 'A-1001' });
    expect((await getOrder(gateway, await createOrder(gateway))).metadata).toEqual({});
  });

  it('keeps keys named like the methods every object has, and filters on them', async () => {
    // class-transformer had left them out of the body unseen: created without them, and a list
    // filtered on metadata[toString] came back unfiltered.
    const given = { toString: 'a', valueOf: 'b', hasOwnProperty: 'c', __proto__x: 'd' };
    const id = await createOrder(gateway, { metadata: given, items: [itemBody({ metadata: { isPrototypeOf: 'v' } })] });
    const order = await getOrder(gateway, id);
    expect(order.metadata).toEqual(given);
    expect(order.items[0].metadata).toEqual({ isPrototypeOf: 'v' });
    await gateway.put('/System/Orders', { id, metadata: { toString: null, isPrototypeOf: 'e' } }).expect(200);
    expect((await getOrder(gateway, id)).metadata).toEqual({
      valueOf: 'b',
      hasOwnProperty: 'c',
      __proto__x: 'd',
      isPrototypeOf: 'e',
    });
    const filtered = await gateway.get('/System/Orders?metadata[valueOf]=b&metadata[isPrototypeOf]=e');
    expect(filtered.status).toBe(200);
    expect(filtered.body.orders.map((one: { id: number }) => one.id)).toEqual([id]);
    expect((await gateway.get('/System/Orders?metadata[toString]=a')).body.orders).toEqual([]);
  });

  it('refuses the keys Nest deletes from every request (__proto__, constructor, prototype), never drops them unseen', async () => {
    const message = '__proto__, constructor, prototype are not taken as keys';
    for (const key of ['constructor', 'prototype']) {
      const created = await gateway.post('/System/Orders', orderBody({ metadata: { [key]: 'x' } }));
      expect(created.status).toBe(400);
      expect(created.body.errors).toEqual([{ field: `metadata.${key}`, message }]);
      const line = await gateway.post('/System/Orders', orderBody({ items: [itemBody({ metadata: { [key]: 'x' } })] }));
      expect(line.body.errors).toEqual([{ field: `items[0].metadata.${key}`, message }]);
    }
    for (const key of ['constructor', 'prototype', '__proto__']) {
      const listed = await gateway.get(`/System/Orders?metadata[${key}]=x`);
      expect(listed.status).toBe(400);
      expect(listed.body.errors).toEqual([{ field: `metadata.${key}`, message }]);
    }
  });

  it('is merged on PUT: keys set, a key given "" or null removed, recorded in the history', async () => {
    const id = await createOrder(gateway, { metadata: { a: '1', b: '2', c: '3' } });
    await gateway.put('/System/Orders', { id, metadata: { a: 'one', b: null, c: '', d: '4' } }).expect(200);
    expect((await getOrder(gateway, id)).metadata).toEqual({ a: 'one', d: '4' });
    const entry = (await historyOf(gateway, id)).find((one) => one.action === 'metadata_updated');
    expect(entry!.changes).toEqual({
      metadata: { before: { a: '1', b: '2', c: '3', d: null }, after: { a: 'one', b: null, c: null, d: '4' } },
    });
    // Nothing forwarded, the version moved.
    expect((await getOrder(gateway, id)).version).toBe(2);
    await gateway.put('/System/Orders', { id, metadata: null }).expect(200);
    expect((await getOrder(gateway, id)).metadata).toEqual({});
  });

  it('changes on a sent order (it is the caller’s), but not on an archived one', async () => {
    const id = await createOrder(gateway);
    await gateway.patch(`/System/Orders/${id}/sent`).expect(200);
    await gateway.put('/System/Orders', { id, metadata: { tracking_ref: 'T1' } }).expect(200);
    expect((await gateway.put('/System/Orders', { id, delivery_name: 'x' })).status).toBe(422);
    const item = (await getOrder(gateway, id)).items[0];
    await gateway.put(`/System/Orders/${id}/item`, { id: item.id, metadata: { picked: 'yes' } }).expect(201);
    expect((await getOrder(gateway, id)).items[0].metadata).toEqual({ picked: 'yes' });
    expect((await gateway.put(`/System/Orders/${id}/item`, { id: item.id, count: 5 })).status).toBe(422);
  });

  it('keeps Stripe’s bounds: 50 keys, keys of 40 characters, values of 500, strings only', async () => {
    const keys = (n: number) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`k${i}`, 'v']));
    expect((await gateway.post('/System/Orders', orderBody({ metadata: keys(50) }))).status).toBe(201);
    const cases: Array<[unknown, RegExp]> = [
      [keys(51), /at most 50 keys/],
      [{ ['k'.repeat(41)]: 'v' }, /1 to 40 characters/],
      [{ k: 'v'.repeat(501) }, /longer than 500/],
      [{ k: 1 }, /must be a string/],
      [{ k: { nested: 'x' } }, /must be a string/],
      [['a'], /must be an object/],
      ['text', /must be an object/],
      [{ 'a[b]': 'x' }, /may not contain \[ or \]/],
    ];
    for (const [metadata, message] of cases) {
      const response = await gateway.post('/System/Orders', orderBody({ metadata }));
      expect({ metadata, status: response.status }).toEqual({ metadata, status: 400 });
      expect(response.body.errors[0]).toEqual({ field: 'metadata', message: expect.stringMatching(message) });
    }
    const line = await gateway.post('/System/Orders', orderBody({ items: [itemBody({ metadata: { k: 2 } })] }));
    expect(line.body.errors[0].field).toBe('items[0].metadata');
    // A merge past 50 keys is refused as well.
    const id = await createOrder(gateway, { metadata: keys(50) });
    const over = await gateway.put('/System/Orders', { id, metadata: { one_more: 'x' } });
    expect(over.status).toBe(400);
    expect(over.body.errors[0]).toEqual({ field: 'metadata', message: expect.stringContaining('51 keys') });
  });

  it('filters lists with metadata[key]=value, every key given matching', async () => {
    const tagged = await createOrder(gateway, { metadata: { partner: 'p-77', wave: '3' } });
    await createOrder(gateway, { metadata: { partner: 'p-78', wave: '3' } });
    const one = await gateway.get('/System/Orders?metadata[partner]=p-77');
    expect(one.status).toBe(200);
    expect(one.body.orders.map((order: { id: number }) => order.id)).toEqual([tagged]);
    const both = await gateway.get('/System/Orders?metadata%5Bwave%5D=3&metadata[partner]=p-77');
    expect(both.body.orders.map((order: { id: number }) => order.id)).toEqual([tagged]);
    expect((await gateway.get('/System/Orders?metadata[wave]=3')).body.orders).toHaveLength(2);
    const twice = await gateway.get('/System/Orders?metadata[wave]=3&metadata[wave]=4');
    expect(twice.status).toBe(400);
    expect(twice.body.errors[0].field).toBe('metadata');
    expect((await gateway.get('/System/Orders?metadata=3')).status).toBe(400);
    // Other routes do not take it.
    expect((await gateway.get(`/System/Orders/${tagged}?metadata[wave]=3`)).body.errors[0].field).toBe('metadata');
  });
});

describe('DELETE /System/Orders/{id}: archiving', () => {
  it('archives a done or canceled order, which leaves lists but stays readable', async () => {
    const id = await createOrder(gateway, { metadata: { archive_case: 'a' } });
    await gateway.patch(`/System/Orders/${id}/cancel`).expect(200);
    const archived = await gateway.delete(`/System/Orders/${id}`);
    expect(archived.status).toBe(200);
    expect(archived.body).toEqual({ id });
    const order = await getOrder(gateway, id);
    expect(order.deleted_at).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect(order).toMatchObject({ lifecycle_state: 'archived', allowed_transitions: ['restore'] });
    expect((await gateway.get('/System/Orders?metadata[archive_case]=a')).body.orders).toHaveLength(0);
    const withArchived = await gateway.get('/System/Orders?metadata[archive_case]=a&archived=1');
    expect(withArchived.body.orders.map((one: { id: number }) => one.id)).toEqual([id]);
    // A repeat holds; the row is still there.
    expect((await gateway.delete(`/System/Orders/${id}`)).status).toBe(200);
    expect((await db.query('SELECT 1 FROM orders WHERE id = $1', [id])).rowCount).toBe(1);
    expect((await historyOf(gateway, id)).map((entry) => entry.action)).toContain('archived');
  });

  it('refuses an open order, naming its state', async () => {
    const id = await createOrder(gateway);
    const response = await gateway.delete(`/System/Orders/${id}`);
    expect(response.status).toBe(422);
    expect(response.body).toMatchObject({ code: 'TRANSITION_NOT_ALLOWED', current_state: 'open' });
    expect(response.body.detail).toContain('open');
    expect((await getOrder(gateway, id)).deleted_at).toBeNull();
  });

  it('refuses every write to an archived order with 422, until an admin restores it', async () => {
    const id = await createOrder(gateway);
    await gateway.patch(`/System/Orders/${id}/done`).expect(200);
    await gateway.delete(`/System/Orders/${id}`).expect(200);
    const item = (await getOrder(gateway, id)).items[0];
    const writes = [
      gateway.put('/System/Orders', { id, delivery_name: 'x' }),
      gateway.put('/System/Orders', { id, metadata: { a: 'b' } }),
      gateway.put('/System/Orders', { id }),
      gateway.post(`/System/Orders/${id}/item`, itemBody()),
      gateway.put(`/System/Orders/${id}/item`, { id: item.id, note: 'x' }),
      gateway.delete(`/System/Orders/${id}/item/${item.id}`),
      gateway.patch(`/System/Orders/${id}/sent`),
      gateway.patch(`/System/Orders/${id}/done`),
      gateway.patch(`/System/Orders/${id}/cancel`),
      gateway.patch(`/System/Orders/${id}/status`, { status_id: 1 }),
      gateway.patch(`/System/Orders/${id}/paid`, { paid: 1, payment_id: 'p', status: 'success' }),
      gateway.post(`/System/Orders/${id}/tracking`, { shipper_id: 1, tracking_number: 'Z1' }),
      gateway.post(`/System/Orders/${id}/refunds`, { amount: 1 }),
      gateway.patch('/System/Orders/batch', { records: [{ id, delivery_name: 'x' }] }),
    ];
    for (const [index, response] of (await Promise.all(writes)).entries()) {
      expect({ index, status: response.status, state: response.body.current_state }).toEqual({
        index,
        status: 422,
        state: 'archived',
      });
    }
    const writer = await gateway.keyWith('orders:write');
    expect((await gateway.post(`/System/Orders/${id}/restore`, undefined, writer)).status).toBe(403);
    const restored = await gateway.post(`/System/Orders/${id}/restore`);
    expect(restored.status).toBe(200);
    expect(await getOrder(gateway, id)).toMatchObject({ deleted_at: null, lifecycle_state: 'done' });
    await gateway.put('/System/Orders', { id, metadata: { back: 'yes' } }).expect(200);
    expect((await gateway.post(`/System/Orders/${id}/restore`)).status).toBe(200);
  });

  it('keeps deleted items in the history', async () => {
    const id = await createOrder(gateway, { items: [itemBody(), itemBody({ name: 'Second' })] });
    const second = (await getOrder(gateway, id)).items[1];
    await gateway.delete(`/System/Orders/${id}/item/${second.id}`).expect(200);
    const entry = (await historyOf(gateway, id)).find((one) => one.action === 'item_deleted');
    expect(entry!.changes.item.before).toMatchObject({ id: second.id, name: 'Second' });
  });
});

describe('the Kwik list filters', () => {
  let noted: number;
  let dated: number[];
  beforeAll(async () => {
    noted = await createOrder(gateway, { note: 'Please RING twice at the 50% door_2', external_order_id: 'KW-REF-1' });
    // 23:30 in Amsterdam on 1 March is 22:30 UTC: the day is 1 March there.
    dated = [
      await createOrder(gateway, { date_order: '2023-03-01T23:30:00+01:00', note: 'dated' }),
      await createOrder(gateway, { date_order: '2023-03-02T00:30:00+01:00', note: 'dated' }),
      await createOrder(gateway, { date_order: '2023-03-31T23:59:00+02:00', note: 'dated' }),
    ];
  });
  const listed = async (query: string) => {
    const response = await gateway.get(`/System/Orders?${query}`);
    expect({ query, status: response.status }).toEqual({ query, status: 200 });
    return (response.body.orders as Array<{ id: number }>).map((order) => order.id).sort((a, b) => a - b);
  };

  it('date_start and date_end take whole days in ORDER_DATE_TIME_ZONE', async () => {
    expect(await listed('date_start=2023-03-01&date_end=2023-03-01')).toEqual([dated[0]]);
    expect(await listed('date_start=2023-03-02&date_end=2023-03-31')).toEqual([dated[1], dated[2]]);
    expect(await listed('date_start=2023-03-01&date_end=2023-03-31&description=dated')).toEqual(dated);
    for (const bad of ['2023-02-30', '2023-3-1', '01.03.2023', '2023-03-01T00:00:00Z']) {
      const response = await gateway.get(`/System/Orders?date_start=${bad}`);
      expect(response.body.errors[0]).toEqual({
        field: 'date_start',
        message: 'date_start must be a day written YYYY-MM-DD',
      });
    }
  });

  it('order_reference, order_id, description and amount_total', async () => {
    expect(await listed('order_reference=KW-REF-1')).toEqual([noted]);
    expect(await listed(`order_id=${noted}`)).toEqual([noted]);
    expect(await listed('description=ring%20TWICE')).toEqual([noted]);
    // %, _ and \ are the text's own, not patterns.
    expect(await listed('description=50%25%20door_2')).toEqual([noted]);
    expect(await listed('description=5__%20door')).toEqual([]);
    expect((await gateway.get('/System/Orders?description=ab')).body.errors[0].field).toBe('description');
    const money = (await getOrder(gateway, noted)).amount_total as number;
    expect(await listed(`amount_total=${money}&order_id=${noted}`)).toEqual([noted]);
    expect(await listed(`amount_total=${money.toFixed(4)}&order_id=${noted}`)).toEqual([noted]);
    expect(await listed(`amount_total=${(money + 0.01).toFixed(2)}&order_id=${noted}`)).toEqual([]);
    expect((await gateway.get('/System/Orders?amount_total=1e3')).body.errors[0].field).toBe('amount_total');
  });

  it('fulfillment_status_lookups_id takes the lifecycle state', async () => {
    const marker = `fulfil-${Date.now()}`;
    const inState: Record<string, number> = {};
    for (const [state, routes] of [
      ['open', []],
      ['sent', ['sent']],
      ['delivered', ['delivered']],
      ['done', ['sent', 'done']],
      ['canceled', ['cancel']],
    ] as const) {
      const id = await createOrder(gateway, { note: `${marker} ${state}` });
      for (const route of routes) await gateway.patch(`/System/Orders/${id}/${route}`).expect(200);
      inState[state] = id;
      expect((await getOrder(gateway, id)).lifecycle_state).toBe(state);
    }
    for (const [state, id] of Object.entries(inState)) {
      expect(await listed(`fulfillment_status_lookups_id=${state}&description=${marker}`)).toEqual([id]);
    }
    const refused = await gateway.get('/System/Orders?fulfillment_status_lookups_id=archived').expect(400);
    expect(refused.body.errors[0].field).toBe('fulfillment_status_lookups_id');
  });

  it('combine with every other filter and with the changes cursor', async () => {
    expect(await listed(`order_id=${noted}&canceled=1`)).toEqual([]);
    expect(await listed(`order_reference=KW-REF-1&email=${(await getOrder(gateway, noted)).email}`)).toEqual([noted]);
    const paged: number[] = [];
    for (let n = 0; n < 11; n += 1) paged.push(await createOrder(gateway, { note: 'cursor case' }));
    // The feed shows a change once every transaction older than it has ended, anywhere on the
    // server (other test files write side by side): wait for that.
    const changes = await waitFor('the feed to pass the new orders', async () => {
      const page = await gateway.get(
        '/System/Orders?updated_since=2000-01-01T00:00:00Z&description=cursor%20case&per_page=10',
      );
      return page.body.orders.length === 10 ? page : null;
    });
    expect(changes.body.orders.map((order: { id: number }) => order.id)).toEqual(paged.slice(0, 10));
    // The eleventh likewise, on the next page.
    const next = await waitFor('the feed to pass the eleventh', async () => {
      const page = await gateway.get(
        `/System/Orders?cursor=${encodeURIComponent(changes.body.next_cursor)}&description=cursor%20case&per_page=10`,
      );
      return page.body.orders.length > 0 ? page : null;
    });
    expect(next.body.orders.map((order: { id: number }) => order.id)).toEqual([paged[10]]);
  });
});

describe('description: the search of the notes', () => {
  /** The ids of a list in the order answered, and its total. */
  const answered = async (query: string) => {
    const response = await gateway.get(`/System/Orders?${query}`);
    expect({ query, status: response.status }).toEqual({ query, status: 200 });
    return {
      ids: (response.body.orders as Array<{ id: number }>).map((order) => order.id),
      total: response.body.paginator.total as number,
    };
  };
  const found = async (text: string, more = '') =>
    (await answered(`description=${encodeURIComponent(text)}${more}`)).ids.sort((a, b) => a - b);

  /** order_notes holds exactly each order's non-empty note, lower-cased, with its date and archive mark. */
  async function notesDisagreeing() {
    const { rows } = await db.query(`
      (SELECT id, lower(note) AS note, date_order, deleted_at FROM orders WHERE note <> ''
       EXCEPT SELECT order_id, note_lower, date_order, deleted_at FROM order_notes)
      UNION ALL
      (SELECT order_id, note_lower, date_order, deleted_at FROM order_notes
       EXCEPT SELECT id, lower(note), date_order, deleted_at FROM orders WHERE note <> '')`);
    return rows;
  }

  it('follows every write of an order: created alone or in a batch, archived, restored, its note or date changed', async () => {
    const marker = `bell-${Date.now()}`;
    const id = await createOrder(gateway, { note: `Zvonit DVAKRÁT u dveří ${marker}` });
    const batch = await gateway.post('/System/Orders/batch', {
      records: [orderBody({ note: `Zvonit třikrát ${marker}` }), orderBody({ note: '' }), orderBody()],
    });
    const [third] = ids(batch);
    // Case-blind beyond ASCII, as ILIKE is: on order_notes alone, and on orders beside a filter
    // only an order's row answers.
    expect(await found(`dvakrát u DVEŘÍ ${marker}`)).toEqual([id]);
    expect(await found(`dvakrát u DVEŘÍ ${marker}`, '&canceled=false')).toEqual([id]);
    expect(await found(`TŘIKRÁT ${marker}`)).toEqual([third]);
    expect(await found(marker)).toEqual([id, third]);
    expect(await notesDisagreeing()).toEqual([]);

    await gateway.patch(`/System/Orders/${id}/cancel`).expect(200);
    await gateway.delete(`/System/Orders/${id}`).expect(200);
    expect(await found(marker)).toEqual([third]);
    expect(await found(marker, '&archived=1')).toEqual([id, third]);
    expect(await notesDisagreeing()).toEqual([]);
    await gateway.post(`/System/Orders/${id}/restore`).expect(200);
    expect(await found(marker)).toEqual([id, third]);

    // The API sets an order's note and date only when it is made; the table follows a change of
    // either all the same, whatever writes it.
    await db.query('UPDATE orders SET note = $2 WHERE id = $1', [id, `Nezvonit ${marker}`]);
    expect(await found(`dvakrát u dveří ${marker}`)).toEqual([]);
    expect(await found(`nezvonit ${marker}`)).toEqual([id]);
    await db.query('UPDATE orders SET note = NULL WHERE id = $1', [id]);
    expect(await found(marker)).toEqual([third]);
    await db.query(`UPDATE orders SET note = $2, date_order = '2021-05-05T10:00:00Z' WHERE id = $1`, [id, marker]);
    expect(await found(marker, '&date_start=2021-05-05&date_end=2021-05-05')).toEqual([id]);
    expect(await notesDisagreeing()).toEqual([]);
  });

  it('answers every sort, page and total as the orders themselves do, alone or beside any other filter', async () => {
    const marker = `paged-${Date.now()}`;
    // Twelve matches whose dates are not in the order of their ids, two of them on one date
    // (the id breaks the tie), and one order that does not match.
    const days = [7, 3, 11, 3, 1, 12, 5, 9, 2, 10, 4, 8];
    const made: Array<{ id: number; date: string }> = [];
    for (const day of days) {
      const date = `2024-01-${String(day).padStart(2, '0')}T10:00:00.000Z`;
      made.push({ id: await createOrder(gateway, { note: `Order ${marker} of ${day}`, date_order: date }), date });
    }
    await createOrder(gateway, { note: 'Another note altogether' });
    const byDate = [...made].sort((a, b) => a.date.localeCompare(b.date) || a.id - b.id).map((one) => one.id);
    const byId = made.map((one) => one.id).sort((a, b) => a - b);
    const expected: Record<string, number[]> = {
      '-date_order': [...byDate].reverse(),
      date_order: byDate,
      '-id': [...byId].reverse(),
      id: byId,
      // Created one after the other, so updated one after the other.
      '-updated_at': [...byId].reverse(),
    };
    for (const [sort, inOrder] of Object.entries(expected)) {
      // Alone (order_notes answers), and beside filters only an order's row answers (orders).
      for (const beside of ['', '&canceled=false', '&done=false']) {
        const query = `description=${marker}&sort=${sort}&per_page=10${beside}`;
        const first = await answered(`${query}&page=1`);
        const second = await answered(`${query}&page=2`);
        expect({ query, ids: [...first.ids, ...second.ids], totals: [first.total, second.total] }).toEqual({
          query,
          ids: inOrder,
          totals: [12, 12],
        });
      }
    }
    // With dates and an id, still order_notes alone.
    expect(await found(marker, '&date_start=2024-01-03&date_end=2024-01-04')).toEqual(
      made.filter((one) => /-0[34]T/.test(one.date)).map((one) => one.id),
    );
    expect(await found(marker, `&order_id=${made[5]!.id}`)).toEqual([made[5]!.id]);
  });
});
