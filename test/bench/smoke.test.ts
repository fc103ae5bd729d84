import { run } from '../support/processes.js';

// `npm run bench -- --smoke`: every scenario for a second on the gateway and the baseline, after
// checking that both answer the same JSON, so that the benchmark scripts do not rot. Figures
// from a run this short mean nothing; only that it completes without errors.

it('runs every benchmark scenario without an error answer', async () => {
  const result = await run('bench/run.ts', ['--smoke'], { ...process.env });
  if (result.code !== 0) throw new Error(`bench --smoke failed:\n${result.stdout}\n${result.stderr}`);
  for (const scenario of ['get one order', 'list page (per_page=50)', 'create with 3 items', 'paid', 'mixed']) {
    expect(result.stdout).toContain(scenario);
  }
}, 240_000);
