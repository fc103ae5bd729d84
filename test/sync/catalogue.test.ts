import { itemBody, orderBody } from '../support/factories.js';
import { startGateway, type TestGateway } from '../support/gateway.js';
import { FAST_SYNC, syncedOrder } from '../support/sync.js';
import { waitFor } from '../support/wait.js';

// The catalogue mirror: MplusKASSA's articles read by the workers (getProducts from its sync
// marker, over HTTP from the simulator), listed, and what order lines are checked against.

let gateway: TestGateway;
beforeAll(async () => {
  gateway = await startGateway({ ...FAST_SYNC, CATALOGUE_PULL_INTERVAL_MS: '200' });
  await waitFor('the mirror to be filled', async () => (await gateway.get('/System/Lists/Articles')).body.filled_at);
});
afterAll(() => gateway.close());

/** An article added or changed in MplusKASSA, through the simulator's control API. */
async function putArticle(number: number, body: Record<string, unknown>): Promise<void> {
  const response = await fetch(`${gateway.simulator.url}_simulator/articles/${number}`, {
    method: 'PUT',
    body: JSON.stringify(body),
  });
  expect(response.status).toBe(200);
}

async function articleNamed(number: string): Promise<Record<string, unknown> | undefined> {
  const { body } = await gateway.get(`/System/Lists/Articles?number=${number}`).expect(200);
  return (body.articles as Array<Record<string, unknown>>).find((one) => one.article_number === number);
}

async function orderCount(): Promise<number> {
  return (await gateway.get('/System/Orders')).body.paginator.total as number;
}

describe('GET /System/Lists/Articles', () => {
  it('lists the whole catalogue in article number order, with name, VAT, price and whether it is active', async () => {
    const { body } = await gateway.get('/System/Lists/Articles?per_page=50').expect(200);
    expect(body.paginator).toEqual({ page: 1, per_page: 50, pages: 1, total: 13 });
    expect(body.articles.map((one: { article_number: string }) => one.article_number)).toEqual([
      '1001',
      '1002',
      '1003',
      '1004',
      '1005',
      '2001',
      '2002',
      '2003',
      '3001',
      '3002',
      '9001',
      '9002',
      '9003',
    ]);
    expect(body.articles[0]).toEqual({
      article_number: '1001',
      product_number: '100',
      name: 'Coffee mug',
      active: true,
      vat: 21,
      final_price: 12.1,
      plu_number: '1001',
      updated_at: expect.any(String),
    });
    expect(Date.parse(body.filled_at)).toBeGreaterThan(Date.now() - 60_000);
  });

  it('finds articles by number prefix, by a part of the name in any case, and by active', async () => {
    const byNumber = await gateway.get('/System/Lists/Articles?number=200').expect(200);
    expect(byNumber.body.articles.map((one: { name: string }) => one.name)).toEqual([
      'Coffee beans 1 kg',
      'Green tea 100 g',
      'Dark chocolate',
    ]);
    const byName = await gateway.get('/System/Lists/Articles?name=COFFEE').expect(200);
    expect(byName.body.articles.map((one: { article_number: string }) => one.article_number)).toEqual([
      '1001',
      '2001',
      '3001',
    ]);
    const literal = await gateway.get('/System/Lists/Articles?name=100%25').expect(200);
    expect(literal.body.paginator.total).toBe(0);
    const inactive = await gateway.get('/System/Lists/Articles?active=0').expect(200);
    expect(inactive.body.articles.map((one: { article_number: string }) => one.article_number)).toEqual(['3002']);
  });

  it('refuses filters it cannot read with 400 naming them', async () => {
    const { body } = await gateway.get('/System/Lists/Articles?number=12a&active=maybe').expect(400);
    expect(body.errors.map((error: { field: string }) => error.field).sort()).toEqual(['active', 'number']);
  });
});

describe('order lines checked against the mirror', () => {
  it('refuses a create whose line has an unknown or inactive article, or none, with 422 naming each line, and writes nothing', async () => {
    const before = await orderCount();
    const { body } = await gateway
      .post(
        '/System/Orders',
        orderBody({
          items: [
            itemBody(),
            itemBody({ article_number: '4242' }),
            itemBody({ article_number: '3002' }),
            itemBody({ article_number: undefined }),
          ],
        }),
      )
      .expect(422);
    expect(body.code).toBe('UNKNOWN_ARTICLE');
    expect(body.errors).toEqual([
      { field: 'items[1].article_number', message: 'MplusKASSA has no article 4242' },
      { field: 'items[2].article_number', message: 'article 3002 is inactive in MplusKASSA' },
      { field: 'items[3].article_number', message: 'MplusKASSA needs an article number on every line' },
    ]);
    expect(await orderCount()).toBe(before);
    await gateway
      .post('/System/Orders', orderBody({ items: [itemBody(), itemBody({ article_number: '0002001' })] }))
      .expect(201);
  });

  it('checks an added or changed line, and a batch record by its index', async () => {
    const { body: created } = await gateway.post('/System/Orders', orderBody()).expect(201);
    const added = await gateway
      .post(`/System/Orders/${created.id}/item`, itemBody({ article_number: '77' }))
      .expect(422);
    expect(added.body.errors).toEqual([{ field: 'article_number', message: 'MplusKASSA has no article 77' }]);
    const { body: order } = await gateway.get(`/System/Orders/${created.id}`).expect(200);
    const changed = await gateway
      .put(`/System/Orders/${created.id}/item`, { id: order.items[0].id, article_number: '3002' })
      .expect(422);
    expect(changed.body.errors).toEqual([
      { field: 'article_number', message: 'article 3002 is inactive in MplusKASSA' },
    ]);
    // A change that leaves the article alone is not checked again.
    await gateway.put(`/System/Orders/${created.id}/item`, { id: order.items[0].id, count: 3 }).expect(201);

    const batch = await gateway
      .post('/System/Orders/batch', {
        records: [orderBody(), orderBody({ items: [itemBody({ article_number: '5' })] })],
      })
      .expect(422);
    expect(batch.body.errors).toEqual([
      { field: 'records[1].items[0].article_number', message: 'MplusKASSA has no article 5' },
    ]);
  });

  it("fills in a line's name and VAT rate from its article where the line leaves them out", async () => {
    const { body: created } = await gateway
      .post(
        '/System/Orders',
        orderBody({
          items: [
            { article_number: '2001', count: 1, price: { final_price: 18.99 } },
            { article_number: '1001', name: 'Mug, our name', count: 2, price: { base_price: 10, vat: 21 } },
          ],
        }),
      )
      .expect(201);
    const { body: order } = await gateway.get(`/System/Orders/${created.id}`).expect(200);
    expect(order.items.map((item: { name: string; price: { vat: number } }) => [item.name, item.price.vat])).toEqual([
      ['Coffee beans 1 kg', 9],
      ['Mug, our name', 21],
    ]);
    // A new price without its rate takes the article's.
    await gateway
      .post(`/System/Orders/${created.id}/item`, { article_number: '1004', count: 1, price: { base_price: 5 } })
      .expect(201);
    await gateway
      .put(`/System/Orders/${created.id}/item`, { id: order.items[0].id, price: { base_price: 17 } })
      .expect(201);
    const { body: after } = await gateway.get(`/System/Orders/${created.id}`).expect(200);
    expect(after.items.map((item: { name: string; price: { vat: number } }) => [item.name, item.price.vat])).toEqual([
      ['Coffee beans 1 kg', 9],
      ['Mug, our name', 21],
      ['Plate', 21],
    ]);
  });

  it('follows MplusKASSA: an article added there is taken once read, one made inactive is refused', async () => {
    await putArticle(4711, { description: 'Cologne', vat_code: 2, price_incl: 1999, product_number: 100 });
    await waitFor('the new article in the mirror', () => articleNamed('4711'));
    expect(await articleNamed('4711')).toMatchObject({ name: 'Cologne', active: true, vat: 21, final_price: 19.99 });
    await waitFor('the order with it accepted', async () => {
      const response = await gateway.post(
        '/System/Orders',
        orderBody({ items: [itemBody({ article_number: '4711' })] }),
      );
      return response.status === 201;
    });

    await putArticle(1005, { active: false });
    await waitFor('the article inactive in the mirror', async () => (await articleNamed('1005'))?.active === false);
    await waitFor('the order with it refused', async () => {
      const response = await gateway.post(
        '/System/Orders',
        orderBody({ items: [itemBody({ article_number: '1005' })] }),
      );
      return response.status === 422;
    });
  });
});

describe('an article the mirror does not have yet', () => {
  it('is looked up in MplusKASSA before a line with it is refused, once per quarter minute, and let through while MplusKASSA cannot say', async () => {
    // Read once at the start, then not for an hour: the mirror is behind whatever comes later.
    const behind = await startGateway({ ...FAST_SYNC, CATALOGUE_PULL_INTERVAL_MS: '3600000' });
    try {
      await waitFor('the mirror to be filled', async () => (await behind.get('/System/Lists/Articles')).body.filled_at);
      const lookups = () => behind.simulator.calls.filter((call) => call.operation === 'getProducts').length;
      behind.simulator.store.putArticle(4800, { description: 'Added a moment ago', vatCode: 2, priceIncl: 500 });
      // The mirror does not have it: only asking MplusKASSA can make this a 201.
      const { body: created } = await behind
        .post('/System/Orders', orderBody({ items: [{ article_number: '4800', count: 1, price: { base_price: 4 } }] }))
        .expect(201);
      const order = await syncedOrder(behind, created.id);
      expect(order.items[0]).toMatchObject({ name: 'Added a moment ago', price: { vat: 21 } });

      const unknown = orderBody({ items: [itemBody({ article_number: '4801' })] });
      const before = lookups();
      await behind.post('/System/Orders', unknown).expect(422);
      expect(lookups()).toBe(before + 1);
      await behind.post('/System/Orders', unknown).expect(422);
      expect(lookups()).toBe(before + 1);

      // Two requests with a new article at once: the second waits for the first's look.
      behind.simulator.store.putArticle(4803, { description: 'Also new' });
      behind.simulator.setFaults([], 200);
      const both = await Promise.all(
        [1, 2].map(() => behind.post('/System/Orders', orderBody({ items: [itemBody({ article_number: '4803' })] }))),
      );
      expect(both.map((response) => response.status)).toEqual([201, 201]);

      behind.simulator.setFaults([{ mode: 'http503', operations: ['getProducts'] }]);
      await behind.post('/System/Orders', orderBody({ items: [itemBody({ article_number: '4802' })] })).expect(201);
    } finally {
      behind.simulator.setFaults([]);
      await behind.close();
    }
  });
});

describe('while the mirror was never read', () => {
  it('accepts lines as MplusKASSA will check them (CATALOGUE_UNFILLED=accept), or refuses with 503 (refuse)', async () => {
    const accepting = await startGateway({ ...FAST_SYNC, CATALOGUE_PULL_INTERVAL_MS: '0' });
    try {
      expect((await accepting.get('/System/Lists/Articles').expect(200)).body).toMatchObject({
        paginator: { total: 0 },
        filled_at: null,
      });
      await accepting.post('/System/Orders', orderBody({ items: [itemBody({ article_number: '4242' })] })).expect(201);
      // Nothing to fill a left-out name or VAT rate from: each is named.
      const { body } = await accepting
        .post('/System/Orders', orderBody({ items: [{ article_number: '1001', count: 1, price: { base_price: 10 } }] }))
        .expect(400);
      expect(body.errors).toEqual([
        {
          field: 'items[0].name',
          message: "name is required: the catalogue mirror has no name for the line's article_number",
        },
        {
          field: 'items[0].price.vat',
          message: "vat is required: the catalogue mirror has no VAT rate for the line's article_number",
        },
      ]);
    } finally {
      await accepting.close();
    }
    const refusing = await startGateway({
      ...FAST_SYNC,
      CATALOGUE_PULL_INTERVAL_MS: '0',
      CATALOGUE_UNFILLED: 'refuse',
    });
    try {
      const { body, headers } = await refusing.post('/System/Orders', orderBody()).expect(503);
      expect(body.code).toBe('CATALOGUE_NOT_READY');
      expect(headers['retry-after']).toBe('5');
    } finally {
      await refusing.close();
    }
  });
});
