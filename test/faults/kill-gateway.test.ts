import { killGateway } from '../../faults/scenarios.js';

// The quick run of `npm run fault:kill`: the gateway killed with SIGKILL twice under load.
it('loses and duplicates nothing when the gateway is killed under load', async () => {
  const result = await killGateway({ seconds: 12, clients: 4, kills: 2 });
  expect(result.verdict.lost).toEqual([]);
  expect(result.verdict.duplicated).toEqual([]);
  expect(result.verdict.disordered).toEqual([]);
  expect(result.verdict.ordersInGateway).toBeGreaterThan(0);
  expect(result.ok).toBe(true);
}, 300_000);
