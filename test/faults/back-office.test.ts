import { backOfficeFaults } from '../../faults/scenarios.js';

// The quick run of `npm run fault:back-office`: MplusKASSA down, slow, then committing and
// losing its answers, under load.
it('forwards everything once after MplusKASSA was down, slow and failing after commit', async () => {
  const result = await backOfficeFaults({ seconds: 12, clients: 4 });
  expect(result.verdict.lost).toEqual([]);
  expect(result.verdict.duplicated).toEqual([]);
  expect(result.verdict.disordered).toEqual([]);
  expect(result.ok).toBe(true);
}, 300_000);
