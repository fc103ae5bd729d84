import { restartPostgres } from '../../faults/scenarios.js';

// The quick run of `npm run fault:postgres`: Postgres (a cluster of the test's own) stopped as
// in a crash and started again under load.
it('reports not-ready, recovers by itself and loses nothing when Postgres restarts under load', async () => {
  const result = await restartPostgres({ seconds: 12, clients: 4, restarts: 1, downMs: 2000, drainTimeoutMs: 60_000 });
  expect(result.figures['readiness 503 seen']).toBeGreaterThan(0);
  expect(result.figures['ready again at the end']).toBe(true);
  expect(result.verdict.lost).toEqual([]);
  expect(result.verdict.duplicated).toEqual([]);
  expect(result.verdict.disordered).toEqual([]);
  expect(result.ok).toBe(true);
}, 300_000);
