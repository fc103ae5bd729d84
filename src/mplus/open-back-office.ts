import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { AppConfig } from '../config/app-config.js';
import type { MplusConnection } from './soap/mplus-soap.client.js';
import { MplusSimulator, wsdlFileOf } from './simulator/simulator-server.js';

export interface OpenBackOffice {
  connection: MplusConnection;
  describe(): string;
  close(): Promise<void>;
}

/**
 * MPLUS_URL when set; otherwise a simulated MplusKASSA inside this process, on a loopback port,
 * keeping its state in DATA_DIR so that it survives restarts alongside the gateway's orders.
 */
export async function openBackOffice(config: AppConfig): Promise<OpenBackOffice> {
  const timeouts = { connectTimeoutMs: config.MPLUS_CONNECT_TIMEOUT_MS, readTimeoutMs: config.MPLUS_READ_TIMEOUT_MS };
  if (config.MPLUS_URL) {
    const url = new URL(config.MPLUS_URL);
    return {
      connection: { url: config.MPLUS_URL, ident: config.MPLUS_IDENT, secret: config.MPLUS_SECRET, ...timeouts },
      describe: () => `MplusKASSA at ${url.origin}${url.pathname}`,
      close: () => Promise.resolve(),
    };
  }
  const dataDir = path.resolve(config.DATA_DIR);
  mkdirSync(dataDir, { recursive: true });
  const simulator = new MplusSimulator({
    ident: config.MPLUS_IDENT,
    secret: config.MPLUS_SECRET,
    stateFile: path.join(dataDir, 'mplus-simulator.json'),
    wsdlFile: wsdlFileOf(config.MPLUS_SIM_WSDL_FILE),
  });
  const url = await simulator.start();
  return {
    connection: { url, ident: config.MPLUS_IDENT, secret: config.MPLUS_SECRET, ...timeouts },
    describe: () =>
      `the simulated MplusKASSA on ${url} (state in ${path.join(dataDir, 'mplus-simulator.json')}); set MPLUS_URL for a real one`,
    close: () => simulator.stop(),
  };
}
