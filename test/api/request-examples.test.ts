import { readFileSync } from 'node:fs';
import { projectPath } from '../../src/common/project-path.js';
import { getOrder } from '../support/factories.js';
import { startGateway, type TestGateway } from '../support/gateway.js';
import { simulatorOrdersOf, syncedOrder } from '../support/sync.js';

// Every request example the document offers (what Swagger UI's "Try it out" sends) is accepted as
// it stands, in the order a person would try them on a fresh installation, with the settings'
// defaults: nothing the two-command start does not have. And the orders they make reach
// MplusKASSA.

interface Example {
  value: unknown;
}
const document = JSON.parse(readFileSync(projectPath('openapi', 'openapi.json'), 'utf8')) as {
  paths: Record<
    string,
    Record<string, { requestBody?: { content: Record<string, { examples?: Record<string, Example> }> } }>
  >;
};

/** The example Swagger UI offers for `method path` (its first). */
function exampleOf(method: string, path: string): object {
  const examples = document.paths[path]?.[method]?.requestBody?.content['application/json']?.examples ?? {};
  const [first] = Object.values(examples);
  if (!first) throw new Error(`${method.toUpperCase()} ${path} offers no example`);
  return first.value as object;
}

let gateway: TestGateway;
beforeAll(async () => {
  // Only the pace of the workers differs from the defaults: no method or category mappings. The
  // simulator here is reached over MPLUS_URL, so the refund method is set as the embedded default
  // (MPLUS_URL unset) has it (and startGateway sets it too).
  gateway = await startGateway({
    SYNC_WORKER: 'true',
    SYNC_POLL_INTERVAL_MS: '50',
    SYNC_PULL_INTERVAL_MS: '0',
    MPLUS_REFUND_PAYMENT_METHOD: 'BANK',
  });
});
afterAll(() => gateway.close());

// Each step: the route, what it answers, and the path as Swagger UI fills it in (order 1, line 1).
const STEPS: Array<[method: 'post' | 'put' | 'patch', path: string, status: number]> = [
  ['post', '/System/Orders', 201],
  ['post', '/System/Orders/{orderId}/item', 201],
  ['put', '/System/Orders/{orderId}/item', 201],
  ['put', '/System/Orders', 200],
  ['patch', '/System/Orders/{orderId}/status', 200],
  ['post', '/System/Orders/{orderId}/history', 201],
  ['patch', '/System/Orders/{orderId}/paid', 200],
  ['post', '/System/Orders/{orderId}/tracking', 201],
  ['post', '/System/Orders/batch', 201],
  ['patch', '/System/Orders/batch', 200],
  // Last: it pays back part of the payment above, once that has reached MplusKASSA.
  ['post', '/System/Orders/{orderId}/refunds', 201],
];

it('offers an example for every order write that takes a body', () => {
  const offered = Object.entries(document.paths)
    .filter(([path]) => path.startsWith('/System/Orders'))
    .flatMap(([path, methods]) =>
      Object.entries(methods)
        .filter(([, operation]) => operation.requestBody)
        .map(([method]) => `${method} ${path}`),
    );
  expect(STEPS.map(([method, path]) => `${method} ${path}`).sort()).toEqual(offered.sort());
});

it('accepts every example as offered, and the orders they make reach MplusKASSA', async () => {
  for (const [method, path, status] of STEPS) {
    if (path.endsWith('/refunds')) await syncedOrder(gateway, 1);
    const response = await gateway[method](path.replace('{orderId}', '1'), exampleOf(method, path));
    if (response.status !== status) {
      throw new Error(`${method.toUpperCase()} ${path} → ${response.status} ${response.text.slice(0, 400)}`);
    }
  }
  const order = await getOrder(gateway, 1);
  expect(order).toMatchObject({ status_id: 3, amount_paid: 24.2, amount_refunded: 12.1 });
  expect(order.items).toHaveLength(2);
  await syncedOrder(gateway, 2);
  // A refund before the invoice is a negative payment; the payment was booked on IDEAL, which
  // takes none, so the embedded default pays it back on the simulator's bank transfer.
  await syncedOrder(gateway, 1);
  expect(simulatorOrdersOf(gateway, 1)[0]!.paymentList?.map((payment) => [payment.method, payment.amount])).toEqual([
    ['IDEAL', 2420],
    ['BANK', -1210],
  ]);
}, 60_000);

it('creates a second order when the create example is tried again', async () => {
  const again = await gateway.post('/System/Orders', exampleOf('post', '/System/Orders')).expect(201);
  expect(again.body.id).toBeGreaterThan(2);
});
