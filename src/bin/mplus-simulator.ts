import { loadConfig } from '../config/app-config.js';
import { MplusSimulator, wsdlFileOf } from '../mplus/simulator/simulator-server.js';

// npm run mplus:sim — the simulated MplusKASSA on its own: POST / speaks the SOAP API, /_simulator/
// is its control API (faults, orders rung up at the till). State in memory, seeded afresh.

async function main(): Promise<void> {
  const config = loadConfig();
  const simulator = new MplusSimulator({
    host: config.MPLUS_SIM_HOST,
    port: config.MPLUS_SIM_PORT,
    ident: config.MPLUS_SIM_IDENT,
    secret: config.MPLUS_SIM_SECRET,
    wsdlFile: wsdlFileOf(config.MPLUS_SIM_WSDL_FILE),
  });
  const url = await simulator.start();
  console.log(
    `Simulated MplusKASSA on ${url} (ident ${config.MPLUS_SIM_IDENT}); control API at ${url}_simulator/state`,
  );
  console.log(`Point a gateway at it with MPLUS_URL=${url} MPLUS_IDENT=${config.MPLUS_SIM_IDENT} MPLUS_SECRET=…`);
  const stop = () => void simulator.stop().then(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
