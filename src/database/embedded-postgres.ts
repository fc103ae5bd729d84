import { mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { pg_trgm } from '@electric-sql/pglite/contrib/pg_trgm';
import { PgliteServer } from './pglite-server.js';

// The store used when no DATABASE_URL is given: Postgres compiled to WebAssembly (PGlite),
// keeping its files under DATA_DIR and served to node-postgres on a loopback port, so the
// gateway runs exactly the code it runs against a real Postgres.
//
// PGlite is one Postgres session: the server (pglite-server.ts) gives it to one connection at a
// time for a whole query or transaction. Only one process may open the files; the running one
// writes its address to `embedded-postgres.json`, which also lets tools (npm run apikey) reach
// the store while the gateway is running.

const STATE_FILE = 'embedded-postgres.json';

interface RunningState {
  pid: number;
  url: string;
}

export class EmbeddedPostgresInUseError extends Error {
  constructor(
    readonly dataDir: string,
    readonly state: RunningState,
  ) {
    super(`${dataDir} is in use by the gateway with pid ${state.pid} (${state.url}).`);
  }
}

export class EmbeddedPostgres {
  private constructor(
    private readonly db: PGlite,
    private readonly server: PgliteServer,
    private readonly stateFile: string,
    readonly url: string,
    /** True when this start created the store: it has no data yet. */
    readonly created: boolean,
  ) {}

  static async start(dataDir: string): Promise<EmbeddedPostgres> {
    const root = path.resolve(dataDir);
    const pgDir = path.join(root, 'pg');
    mkdirSync(root, { recursive: true });
    const stateFile = path.join(root, STATE_FILE);
    const running = runningState(root);
    if (running) throw new EmbeddedPostgresInUseError(root, running);
    // A state file whose process is gone is left by a crash; the store itself is still good.
    rmSync(stateFile, { force: true });

    const created = !hasFiles(pgDir);
    // pg_trgm: the index behind the list's description filter (see the migration kwik_records).
    const db = await PGlite.create({ dataDir: pgDir, extensions: { pg_trgm } });
    const server = new PgliteServer(db);
    const url = `postgresql://postgres@${await server.start()}/postgres`;
    try {
      writeFileSync(stateFile, JSON.stringify({ pid: process.pid, url } satisfies RunningState), { flag: 'wx' });
    } catch (error) {
      await server.stop();
      await db.close();
      const other = runningState(root);
      if (other) throw new EmbeddedPostgresInUseError(root, other);
      throw error;
    }
    return new EmbeddedPostgres(db, server, stateFile, url, created);
  }

  async stop(): Promise<void> {
    await this.server.stop();
    await this.db.close();
    rmSync(this.stateFile, { force: true });
  }
}

/** The address of the store if a live process is serving it now. */
export function runningState(dataDir: string): RunningState | null {
  let state: RunningState;
  try {
    state = JSON.parse(readFileSync(path.join(path.resolve(dataDir), STATE_FILE), 'utf8')) as RunningState;
  } catch {
    return null;
  }
  return isAlive(state.pid) ? state : null;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function hasFiles(dir: string): boolean {
  try {
    return readdirSync(dir).length > 0;
  } catch {
    return false;
  }
}
