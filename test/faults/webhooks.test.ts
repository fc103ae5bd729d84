import { webhookFaults } from '../../faults/webhooks.js';

// The quick run of `npm run fault:webhooks`: a receiver down, slow, answering 500 and closing
// connections, and a gateway killed while it delivers; nothing acknowledged is lost or disordered.
it('delivers every event of every acknowledged write, in order, through every receiver fault', async () => {
  const result = await webhookFaults({ seconds: 14, clients: 3 });
  expect(result.verdict.lost).toEqual([]);
  expect(result.verdict.disordered).toEqual([]);
  expect(result.verdict.wrong).toEqual([]);
  expect(result.verdict.expected).toBeGreaterThan(0);
  expect(result.verdict.delivered).toBeGreaterThanOrEqual(result.verdict.expected);
  expect(result.ok).toBe(true);
}, 300_000);
