import { randomUUID } from 'node:crypto';
import type request from 'supertest';
import { createOrder, getOrder, historyOf, itemBody, type OrderJson } from '../support/factories.js';
import { startGateway, type TestGateway } from '../support/gateway.js';

// Versions, ETags and If-Match; and many writes to one order at once, which must end in a state
// some serial order of the accepted writes would have produced, with each in the history once.

let gateway: TestGateway;
beforeAll(async () => {
  gateway = await startGateway();
});
afterAll(() => gateway.close());

describe('ETag and If-Match', () => {
  it('shows the version as a weak ETag on reads and on writes', async () => {
    const created = await gateway.post('/System/Orders', {
      email: 'etag@example.cz',
      name: 'E',
      order_currency_code: 'EUR',
    });
    expect(created.headers.etag).toBe('W/"1"');
    const id = created.body.id as number;
    expect((await gateway.get(`/System/Orders/${id}`)).headers.etag).toBe('W/"1"');
    const added = await gateway.post(`/System/Orders/${id}/item`, itemBody());
    expect(added.headers.etag).toBe('W/"2"');
    const sent = await gateway.patch(`/System/Orders/${id}/sent`);
    expect(sent.headers.etag).toBe('W/"3"');
    expect(sent.body.version).toBe(3);
    // A repeat that changes nothing leaves the version, and says so.
    expect((await gateway.patch(`/System/Orders/${id}/sent`)).headers.etag).toBe('W/"3"');
    expect((await gateway.get('/System/Orders')).headers.etag).toBeUndefined();
  });

  it('writes with a current If-Match, and refuses a stale one with 412 and the current version', async () => {
    const id = await createOrder(gateway);
    const { etag } = (await gateway.get(`/System/Orders/${id}`)).headers as { etag: string };
    const ok = await gateway
      .patch(`/System/Orders/${id}/paid`, { paid: 1, payment_id: 'a', status: 'success' })
      .set('If-Match', etag);
    expect(ok.status).toBe(200);
    const entries = (await historyOf(gateway, id)).length;

    const stale = await gateway.patch(`/System/Orders/${id}/sent`).set('If-Match', etag);
    expect(stale.status).toBe(412);
    expect(stale.body).toMatchObject({ code: 'PRECONDITION_FAILED', current_version: 2, message: expect.any(String) });
    expect(stale.headers.etag).toBe('W/"2"');
    const order = await getOrder(gateway, id);
    expect(order.sent).toBe(false);
    expect((await historyOf(gateway, id)).length).toBe(entries);

    for (const item of [(await getOrder(gateway, id)).items[0].id]) {
      const edit = await gateway.put(`/System/Orders/${id}/item`, { id: item, count: 9 }).set('If-Match', etag);
      expect(edit.status).toBe(412);
      const del = await gateway.delete(`/System/Orders/${id}/item/${item}`).set('If-Match', etag);
      expect(del.status).toBe(412);
    }
    const address = await gateway.put('/System/Orders', { id, delivery_city: 'Brno' }).set('If-Match', etag);
    expect(address.status).toBe(412);
  });

  it('takes a list of tags, strong or weak, and *', async () => {
    const id = await createOrder(gateway);
    expect((await gateway.patch(`/System/Orders/${id}/done`).set('If-Match', '"7", W/"1"')).status).toBe(200);
    expect(
      (
        await gateway
          .patch(`/System/Orders/${id}/paid`, { paid: 1, payment_id: 'b', status: 'success' })
          .set('If-Match', '*')
      ).status,
    ).toBe(200);
  });

  it('refuses an If-Match that is not entity tags (400)', async () => {
    const id = await createOrder(gateway);
    const answer = await gateway.patch(`/System/Orders/${id}/sent`).set('If-Match', '3');
    expect(answer.status).toBe(400);
    expect(answer.body.errors).toEqual([{ field: 'If-Match', message: expect.any(String) }]);
  });
});

describe('50 conflicting writes to one order at once', () => {
  type Write = { name: string; send: (orderId: number, lineId: number) => request.Test };

  // Lines added, the first line edited and deleted, payments, sent against cancel, the address:
  // many of them exclude each other, so which succeed depends on the order they run in.
  const writes: Write[] = [
    ...Array.from({ length: 16 }, (_, i) => ({
      name: `add line ${i}`,
      send: (orderId: number) =>
        gateway.post(
          `/System/Orders/${orderId}/item`,
          itemBody({ name: `Line ${i}`, count: 1 + (i % 3), price: { final_price: 1 + i, vat: 21 } }),
        ),
    })),
    ...Array.from({ length: 10 }, (_, i) => ({
      name: `edit first line ${i}`,
      send: (orderId: number, lineId: number) =>
        gateway.put(`/System/Orders/${orderId}/item`, { id: lineId, count: 1 + i }),
    })),
    ...Array.from({ length: 3 }, (_, i) => ({
      name: `delete first line ${i}`,
      send: (orderId: number, lineId: number) => gateway.delete(`/System/Orders/${orderId}/item/${lineId}`),
    })),
    ...Array.from({ length: 8 }, (_, i) => ({
      name: `pay ${i}`,
      send: (orderId: number) =>
        gateway.patch(`/System/Orders/${orderId}/paid`, { paid: 1 + i, payment_id: `pay-${i}`, status: 'success' }),
    })),
    ...Array.from({ length: 4 }, (_, i) => ({
      name: `sent ${i}`,
      send: (orderId: number) => gateway.patch(`/System/Orders/${orderId}/sent`),
    })),
    ...Array.from({ length: 4 }, (_, i) => ({
      name: `cancel ${i}`,
      send: (orderId: number) => gateway.patch(`/System/Orders/${orderId}/cancel`),
    })),
    ...Array.from({ length: 5 }, (_, i) => ({
      name: `address ${i}`,
      send: (orderId: number) => gateway.put('/System/Orders', { id: orderId, delivery_city: `City ${i}` }),
    })),
  ];

  const state = (order: OrderJson) => ({
    money: order.money,
    paid: order.paid,
    sent: order.sent,
    canceled: order.canceled,
    delivery_city: order.delivery_city,
    items: order.items.map((item: OrderJson) => [item.name, item.count, item.price.final_price]),
  });

  it('end as some serial order of the accepted ones, each once in the history', async () => {
    expect(writes).toHaveLength(50);
    const orderId = await createOrder(gateway);
    const lineId = (await getOrder(gateway, orderId)).items[0].id as number;
    const ids = writes.map(() => randomUUID());
    const answers = await Promise.all(
      writes.map((write, i) => write.send(orderId, lineId).set('X-Request-Id', ids[i]!)),
    );
    for (const answer of answers) expect([200, 201, 404, 409, 422]).toContain(answer.status);

    const final = await getOrder(gateway, orderId);
    // Totals always equal the lines.
    const lines = final.items.reduce(
      (sum: number, item: OrderJson) => sum + Math.round(item.price.final_price * 100) * item.count,
      0,
    );
    expect(Math.round(final.money * 100)).toBe(lines);

    // Every change is in the history once, under the request that made it.
    const history = (await historyOf(gateway, orderId)).filter((entry) => entry.action !== 'created');
    const byRequest = new Map<string, number>();
    for (const entry of history) byRequest.set(entry.request_id, (byRequest.get(entry.request_id) ?? 0) + 1);
    expect([...byRequest.values()].every((times) => times === 1)).toBe(true);
    for (const [i, answer] of answers.entries()) {
      if (answer.status >= 300) expect(byRequest.has(ids[i]!)).toBe(false);
    }
    expect(final.version).toBe(1 + history.length);

    // Replaying the accepted writes one by one, in the order the history gives, on a fresh order
    // gives the same order: the concurrent result is a serial one.
    const order = history.map((entry) => ids.indexOf(entry.request_id));
    expect(order.every((index) => index >= 0)).toBe(true);
    const replayId = await createOrder(gateway);
    const replayLine = (await getOrder(gateway, replayId)).items[0].id as number;
    for (const index of order) {
      const replayed = await writes[index]!.send(replayId, replayLine);
      expect([200, 201]).toContain(replayed.status);
    }
    expect(state(await getOrder(gateway, replayId))).toEqual(state(final));
  });
});
