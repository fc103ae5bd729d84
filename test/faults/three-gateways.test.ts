import { threeGateways } from '../../faults/scenarios.js';

// The quick run of `npm run fault:workers`: three gateway processes draining one outbox.
it('handles each change once and in order with three gateways forwarding at once', async () => {
  const result = await threeGateways({ seconds: 8, clients: 6 });
  expect(result.verdict.lost).toEqual([]);
  expect(result.verdict.duplicated).toEqual([]);
  expect(result.verdict.disordered).toEqual([]);
  expect(result.verdict.ordersInBackOffice).toBe(result.verdict.ordersInGateway);
  expect(result.ok).toBe(true);
}, 300_000);
