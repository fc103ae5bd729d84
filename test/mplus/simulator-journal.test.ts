import { appendFileSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { SimulatorJournal } from '../../src/mplus/simulator/simulator-journal.js';
import { SimulatorStore } from '../../src/mplus/simulator/simulator-store.js';

// The simulator's state on disk: a change appends what it touched, a restart reads back exactly
// the state it left, and the journal is folded into the snapshot once it outgrows it.

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'og-simulator-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** A store with its journal, as the simulator keeps them, and what a change does to both. */
function opened(file: string) {
  const store = new SimulatorStore();
  const journal = new SimulatorJournal(file);
  journal.loadInto(store);
  const change = (work: (store: SimulatorStore) => unknown) => {
    work(store);
    journal.record(store);
  };
  return { store, journal, change };
}

const tillOrder = (store: SimulatorStore) =>
  store.createPosOrder({ lines: [{ articleNumber: 1001, quantity: 2 }], relationNumber: 1 });

it('reads back the orders, relations and sync markers a change left, after a restart', () => {
  const file = path.join(dir, 'state.json');
  const first = opened(file);
  let orderId = '';
  first.change((store) => (orderId = tillOrder(store).orderId));
  first.change((store) => store.handle('deliverOrder', { request: { orderId } }));
  first.change((store) => store.handle('createRelation', { relation: { name: 'Ada', email: 'ada@example.nl' } }));
  first.change((store) => store.handle('getProducts', { request: {} })); // a read appends nothing
  first.journal.close();
  expect(readFileSync(`${file}.journal`, 'utf8').trim().split('\n')).toHaveLength(3);

  const second = opened(file);
  expect(second.store.snapshot()).toEqual(first.store.snapshot());
  expect(second.store.order(orderId)?.deliveryState).toBe('ORDER-DELIVERY-STATE-COMPLETE');
  // The counters go on where they were: a new change takes the next marker.
  const before = first.store.snapshot().markers.order;
  second.change((store) => store.handle('cancelOrder', { orderId }));
  expect(second.store.order(orderId)?.syncMarker).toBe(before + 1);
  second.journal.close();
});

it("reads back an article put into the catalogue, with its product's new marker", () => {
  const file = path.join(dir, 'state.json');
  const first = opened(file);
  first.change((store) => store.putArticle(4711, { description: 'Cologne', priceIncl: 1999 }));
  first.change((store) => store.putArticle(1001, { active: false }));
  first.journal.close();
  const second = opened(file);
  expect(second.store.snapshot()).toEqual(first.store.snapshot());
  const articles = (
    second.store.handle('getProducts', { request: { articleNumbers: [4711, 1001] } }) as {
      productList: Array<{ articleList: Array<{ articleNumber: number; description: string; active: boolean }> }>;
    }
  ).productList.flatMap((product) => product.articleList);
  expect(articles.map(({ articleNumber, description, active }) => [articleNumber, description, active])).toEqual([
    // In the order of their products' markers: 4711's was put first.
    [4711, 'Cologne', true],
    [1001, 'Coffee mug', false],
  ]);
  second.journal.close();
});

it('ignores a last line cut short by a crash', () => {
  const file = path.join(dir, 'state.json');
  const first = opened(file);
  first.change(tillOrder);
  first.journal.close();
  const state = first.store.snapshot();
  appendFileSync(`${file}.journal`, '{"orders":[{"orderId":"half');
  expect(opened(file).store.snapshot()).toEqual(state);
});

it('folds the journal into the snapshot once it outgrows it, and reads the same state back', () => {
  const file = path.join(dir, 'state.json');
  const first = opened(file);
  // Well past the journal's first megabyte.
  for (let i = 0; i < 2500; i += 1) first.change(tillOrder);
  first.journal.close();
  expect(statSync(file).size).toBeGreaterThan(0);
  expect(statSync(`${file}.journal`).size).toBeLessThan(statSync(file).size);
  const second = opened(file);
  expect(second.store.allOrders()).toHaveLength(2500);
  expect(second.store.snapshot()).toEqual(first.store.snapshot());
});

it('answers getOrders from a marker through its marker index as a scan would, also after a restart', () => {
  const file = path.join(dir, 'state.json');
  const first = opened(file);
  const ids: string[] = [];
  for (let index = 0; index < 40; index += 1) first.change((store) => ids.push(tillOrder(store).orderId));
  // Changed again, so their markers move past the others'.
  for (const orderId of ids.filter((_, index) => index % 3 === 0)) {
    first.change((store) => store.handle('deliverOrder', { request: { orderId } }));
  }
  first.journal.close();
  const expected = (store: SimulatorStore, from: number) =>
    store
      .allOrders()
      .filter((order) => order.syncMarker! >= from)
      .sort((a, b) => a.syncMarker! - b.syncMarker!)
      .slice(0, 10)
      .map((order) => [order.orderId, order.syncMarker]);
  const read = (store: SimulatorStore, from: number) =>
    (
      store.handle('getOrders', { request: { syncMarker: from, syncMarkerLimit: 10 } }).orderList as Array<{
        orderId: string;
        syncMarker: number;
      }>
    ).map((order) => [order.orderId, order.syncMarker]);
  const second = opened(file);
  for (const store of [first.store, second.store]) {
    for (const from of [1, 20, 41, 45, 53, 54]) {
      expect(read(store, from)).toEqual(expected(store, from));
    }
  }
  expect(read(second.store, 41).length).toBeGreaterThan(0);
});
