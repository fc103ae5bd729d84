import { parseArgs } from 'node:util';
import { backOfficeFaults, killGateway, restartPostgres, threeGateways } from './scenarios.js';
import { webhookFaults } from './webhooks.js';

// npm run fault:kill | fault:postgres | fault:back-office | fault:workers | fault:webhooks | faults (all five)
//   options: --seconds N (length of the load), --clients N (concurrent clients)
// Needs the machine's Postgres (DATABASE_URL, or postgresql://postgres@127.0.0.1:5432/test) and,
// for fault:postgres, Postgres's server programs (pg_config --bindir) to run a cluster of its own.
// Exits 1 when anything acknowledged was lost, duplicated or forwarded out of order.

const SCENARIOS: Record<string, (seconds: number, clients: number) => Promise<{ ok: boolean }>> = {
  'kill-gateway': (seconds, clients) => killGateway({ seconds, clients, kills: Math.max(2, Math.round(seconds / 12)) }),
  'postgres-restart': (seconds, clients) =>
    restartPostgres({ seconds, clients, restarts: Math.max(1, Math.round(seconds / 30)), downMs: 3000 }),
  'back-office': (seconds, clients) => backOfficeFaults({ seconds, clients }),
  'three-gateways': (seconds, clients) => threeGateways({ seconds, clients }),
  webhooks: (seconds, clients) => webhookFaults({ seconds, clients }),
};

async function main(): Promise<void> {
  const { positionals, values } = parseArgs({
    allowPositionals: true,
    options: { seconds: { type: 'string', default: '90' }, clients: { type: 'string', default: '8' } },
  });
  const [which = 'all'] = positionals;
  const names = which === 'all' ? Object.keys(SCENARIOS) : [which];
  if (names.some((name) => !SCENARIOS[name])) {
    console.error(`Unknown scenario ${which}; one of ${Object.keys(SCENARIOS).join(', ')} or all.`);
    process.exit(2);
  }
  let ok = true;
  for (const name of names) {
    const result = await SCENARIOS[name]!(Number(values.seconds), Number(values.clients));
    ok &&= result.ok;
  }
  process.exit(ok ? 0 : 1);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
