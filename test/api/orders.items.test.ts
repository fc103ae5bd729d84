import { createOrder, getOrder, historyOf, itemBody } from '../support/factories.js';
import { startGateway, type TestGateway } from '../support/gateway.js';

let gateway: TestGateway;
beforeAll(async () => {
  gateway = await startGateway();
});
afterAll(() => gateway.close());

describe('order items', () => {
  it('adds a line (201 {id}) and recomputes the total in the same change', async () => {
    const id = await createOrder(gateway);
    const added = await gateway.post(
      `/System/Orders/${id}/item`,
      itemBody({ name: 'Plate', count: 3, price: { final_price: 5, vat: 25 } }),
    );
    expect(added.status).toBe(201);
    expect(added.body).toEqual({ id: expect.any(Number) });
    const order = await getOrder(gateway, id);
    expect(order.items.map((item: { id: number }) => item.id)).toContain(added.body.id);
    expect(order.items[1].price).toMatchObject({ base_price: 4, final_price: 5, vat_value: 1 });
    expect(order.money).toBe(39.2); // 24.20 + 3 × 5
    expect(order.version).toBe(2);
  });

  it('changes only the fields given with PUT (answering 201 as Retailys does)', async () => {
    const id = await createOrder(gateway);
    const itemId = (await getOrder(gateway, id)).items[0].id;
    const response = await gateway.put(`/System/Orders/${id}/item`, { id: itemId, count: 5 });
    expect(response.status).toBe(201);
    expect(response.body).toEqual({ id: itemId });
    const item = (await getOrder(gateway, id)).items[0];
    expect(item).toMatchObject({ name: 'Coffee mug', count: 5, note: null });
    expect(item.price.final_price).toBe(12.1);
    expect((await getOrder(gateway, id)).money).toBe(60.5);
  });

  it('recomputes from a new price; without a discount the original price is the price', async () => {
    const id = await createOrder(gateway);
    const itemId = (await getOrder(gateway, id)).items[0].id;
    await gateway.put(`/System/Orders/${id}/item`, { id: itemId, price: { final_price: 11, vat: 10 } }).expect(201);
    const order = await getOrder(gateway, id);
    expect(order.items[0].price).toMatchObject({ base_price: 10, final_price: 11, vat: 10, vat_value: 1 });
    expect(order.items[0].price_original).toEqual(order.items[0].price);
    expect(order.money).toBe(22);
    expect(order).toMatchObject({ amount_subtotal: 22, amount_tax: 2, taxes: [{ rate: 10, base: 20, tax: 2 }] });
  });

  it('writes nothing for a PUT that changes nothing', async () => {
    const id = await createOrder(gateway);
    const itemId = (await getOrder(gateway, id)).items[0].id;
    const entries = (await historyOf(gateway, id)).length;
    await gateway
      .put(`/System/Orders/${id}/item`, {
        id: itemId,
        count: 2,
        name: 'Coffee mug',
        price: { base_price: 10, vat: 21 },
      })
      .expect(201);
    expect((await getOrder(gateway, id)).version).toBe(1);
    expect(await historyOf(gateway, id)).toHaveLength(entries);
  });

  it('deletes a line (200 {id}) and recomputes the total', async () => {
    const id = await createOrder(gateway, { items: [itemBody(), itemBody({ name: 'Plate', count: 1 })] });
    const [first, second] = (await getOrder(gateway, id)).items;
    const response = await gateway.delete(`/System/Orders/${id}/item/${first.id}`);
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ id: first.id });
    const order = await getOrder(gateway, id);
    expect(order.items.map((item: { id: number }) => item.id)).toEqual([second.id]);
    expect(order.money).toBe(12.1);
    await gateway.delete(`/System/Orders/${id}/item/${second.id}`).expect(200);
    expect((await getOrder(gateway, id)).money).toBe(0);
  });

  it('answers 404 for an item of another order or none, and for an unknown order', async () => {
    const a = await createOrder(gateway);
    const b = await createOrder(gateway);
    const itemOfB = (await getOrder(gateway, b)).items[0].id;
    expect((await gateway.delete(`/System/Orders/${a}/item/${itemOfB}`)).body.code).toBe('ITEM_NOT_FOUND');
    expect((await gateway.put(`/System/Orders/${a}/item`, { id: itemOfB, count: 1 })).status).toBe(404);
    expect((await gateway.post('/System/Orders/999999/item', itemBody())).status).toBe(404);
    expect((await gateway.delete(`/System/Orders/${a}/item/x`)).status).toBe(400);
  });

  it('validates item bodies like the create body', async () => {
    const id = await createOrder(gateway);
    const bad = await gateway.post(`/System/Orders/${id}/item`, {
      name: 'x',
      count: 1,
      price: { base_price: 1.001, vat: 0 },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.errors).toEqual([{ field: 'price.base_price', message: 'EUR amounts take at most 2 decimals' }]);
    expect((await gateway.put(`/System/Orders/${id}/item`, { count: 2 })).body.errors[0]).toEqual({
      field: 'id',
      message: 'id is required',
    });
    expect((await gateway.put(`/System/Orders/${id}/item`, { id: 1, count: 0 })).status).toBe(400);
    expect((await gateway.put(`/System/Orders/${id}/item`, { id: 1, price: { vat: 10 } })).status).toBe(400);
  });

  it.each(['sent', 'done', 'cancel'])(
    'refuses item changes once the order is %s (422, naming the state)',
    async (route) => {
      const id = await createOrder(gateway);
      const itemId = (await getOrder(gateway, id)).items[0].id;
      await gateway.patch(`/System/Orders/${id}/${route}`).expect(200);
      const state = (await getOrder(gateway, id)).lifecycle_state;
      for (const response of [
        await gateway.post(`/System/Orders/${id}/item`, itemBody()),
        await gateway.put(`/System/Orders/${id}/item`, { id: itemId, count: 9 }),
        await gateway.delete(`/System/Orders/${id}/item/${itemId}`),
      ]) {
        expect(response.status).toBe(422);
        expect(response.body).toMatchObject({ code: 'TRANSITION_NOT_ALLOWED', current_state: state });
        expect(response.body.detail).toContain(`it is ${state}`);
      }
      expect((await getOrder(gateway, id)).items).toHaveLength(1);
    },
  );

  it('keeps the total equal to the lines under concurrent changes', async () => {
    const id = await createOrder(gateway, { items: [] });
    await Promise.all(
      Array.from({ length: 20 }, (_, n) =>
        gateway
          .post(`/System/Orders/${id}/item`, itemBody({ count: n + 1, price: { final_price: 1, vat: 0 } }))
          .expect(201),
      ),
    );
    const order = await getOrder(gateway, id);
    expect(order.items).toHaveLength(20);
    expect(order.money).toBe(210); // 1 + 2 + … + 20
    expect(order.version).toBe(21);
  });

  it('records each change with before and after', async () => {
    const id = await createOrder(gateway);
    const itemId = (await getOrder(gateway, id)).items[0].id;
    await gateway.put(`/System/Orders/${id}/item`, { id: itemId, count: 3 }).expect(201);
    const entry = (await historyOf(gateway, id)).at(-1)!;
    expect(entry.action).toBe('item_updated');
    expect(entry.changes.item.before).toMatchObject({ count: 2 });
    expect(entry.changes.item.after).toMatchObject({ count: 3 });
    expect(entry.changes.money).toEqual({ before: 24.2, after: 36.3 });
  });
});
