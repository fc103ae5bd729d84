import path from 'node:path';
import type { AppConfig } from '../config/app-config.js';
import { EmbeddedPostgres, runningState } from './embedded-postgres.js';

export interface OpenDatabase {
  url: string;
  /** 'external' (DATABASE_URL), 'embedded' (started here) or 'embedded-shared' (a running gateway's). */
  kind: 'external' | 'embedded' | 'embedded-shared';
  /** True when the embedded store was created by this start. */
  created: boolean;
  describe(): string;
  close(): Promise<void>;
}

/**
 * DATABASE_URL when set; otherwise the embedded store under DATA_DIR. A tool (forTool) that finds
 * a gateway already serving the embedded store connects to it instead of opening the files.
 */
export async function openDatabase(config: AppConfig, options: { forTool?: boolean } = {}): Promise<OpenDatabase> {
  if (config.DATABASE_URL) {
    const url = config.DATABASE_URL;
    return {
      url,
      kind: 'external',
      created: false,
      describe: () => `Postgres at ${redactUrl(url)}`,
      close: () => Promise.resolve(),
    };
  }
  const dataDir = path.resolve(config.DATA_DIR);
  const running = options.forTool ? runningState(dataDir) : null;
  if (running) {
    return {
      url: running.url,
      kind: 'embedded-shared',
      created: false,
      describe: () => `the embedded Postgres served by the gateway (pid ${running.pid}) from ${dataDir}`,
      close: () => Promise.resolve(),
    };
  }
  const embedded = await EmbeddedPostgres.start(dataDir);
  return {
    url: embedded.url,
    kind: 'embedded',
    created: embedded.created,
    describe: () => `the embedded Postgres (PGlite) with its data in ${dataDir}, served on ${embedded.url}`,
    close: () => embedded.stop(),
  };
}

export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(unparseable URL)';
  }
}
