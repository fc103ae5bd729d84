import { randomUUID } from 'node:crypto';
import { promises as fs, readFileSync } from 'node:fs';
import path from 'node:path';
import { PrismaPg } from '@prisma/adapter-pg';
import { DriverAdapterError, bindMigrationAwareSqlAdapterFactory } from '@prisma/driver-adapter-utils';
import { Logger as WorkerLogger, runMigrations as runWorkerMigrations } from 'graphile-worker';
import pg from 'pg';
import { projectPath } from '../common/project-path.js';

// Prisma's native schema engine cannot be downloaded on every machine, so migrations go through
// the WebAssembly build of the same engine (@prisma/schema-engine-wasm), driven over
// @prisma/adapter-pg. The migration folders stay standard, so `prisma migrate deploy` works too
// wherever the native engine exists.

export const MIGRATIONS_DIR = projectPath('prisma', 'migrations');
export const SCHEMA_PATH = projectPath('prisma', 'schema.prisma');

/** Any constant works; it only has to differ from the lock Prisma's own engine takes. */
const MIGRATION_LOCK_KEY = 7_206_990_041_001;

const NO_FILTERS = { externalTables: [], externalEnums: [] };

interface SchemaEngine {
  applyMigrations(input: unknown): Promise<{ appliedMigrationNames: string[] }>;
  diff(input: unknown): Promise<{ exitCode: number; stdout: string | null }>;
  free(): void;
}

interface MigrationList {
  baseDir: string;
  lockfile: { path: string; content: string | null };
  shadowDbInitScript: string;
  migrationDirectories: Array<{
    path: string;
    migrationFile: { path: string; content: { tag: 'ok'; value: string } | { tag: 'error'; value: string } };
  }>;
}

const quietWorkerLogger = new WorkerLogger(() => () => undefined);

export async function applyMigrations(databaseUrl: string): Promise<string[]> {
  const lockClient = new pg.Client({ connectionString: databaseUrl });
  await lockClient.connect();
  try {
    // Several gateway processes may start at once; one applies, the others then find nothing to do.
    await lockClient.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    const applied = await withEngine(databaseUrl, async (engine) => {
      const result = await engine.applyMigrations({
        migrationsList: await readMigrations(),
        filters: NO_FILTERS,
      });
      return result.appliedMigrationNames;
    });
    // graphile-worker keeps its jobs in its own schema (graphile_worker), which Prisma does not
    // manage; the gateway writes jobs into it (add_job) from its own transactions.
    await runWorkerMigrations({ connectionString: databaseUrl, logger: quietWorkerLogger });
    return applied;
  } finally {
    await lockClient.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]).catch(() => undefined);
    await lockClient.end();
  }
}

/**
 * SQL that takes a database built from the migrations to what schema.prisma describes, or null
 * when they agree. Needs a real Postgres server: the engine replays the migrations into a
 * throw-away shadow database on it.
 */
export async function diffMigrationsToSchema(serverUrl: string): Promise<string | null> {
  const schema = readFileSync(SCHEMA_PATH, 'utf8');
  return withEngine(serverUrl, async (engine) => {
    const result = await engine.diff({
      from: { tag: 'migrations', ...(await readMigrations()) },
      to: { tag: 'schemaDatamodel', files: [{ path: SCHEMA_PATH, content: schema }] },
      script: true,
      exitCode: true,
      filters: NO_FILTERS,
    });
    // exitCode 2 means "the two differ"; 0 means they agree.
    return result.exitCode === 2 ? (result.stdout ?? '') : null;
  });
}

export async function readMigrations(): Promise<MigrationList> {
  const entries = await fs.readdir(MIGRATIONS_DIR, { withFileTypes: true });
  const folders = entries
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort();
  const lockfilePath = path.join(MIGRATIONS_DIR, 'migration_lock.toml');
  return {
    baseDir: MIGRATIONS_DIR,
    lockfile: { path: 'migration_lock.toml', content: await fs.readFile(lockfilePath, 'utf8').catch(() => null) },
    shadowDbInitScript: '',
    migrationDirectories: await Promise.all(
      folders.map(async (folder) => ({
        path: folder,
        migrationFile: {
          path: 'migration.sql',
          content: {
            tag: 'ok' as const,
            value: await fs.readFile(path.join(MIGRATIONS_DIR, folder, 'migration.sql'), 'utf8'),
          },
        },
      })),
    ),
  };
}

async function withEngine<T>(databaseUrl: string, work: (engine: SchemaEngine) => Promise<T>): Promise<T> {
  const pools: pg.Pool[] = [];
  const openPool = (url: string): pg.Pool => {
    const pool = charAsTextPool(url);
    pools.push(pool);
    return pool;
  };
  const mainPool = openPool(databaseUrl);
  const factory = {
    provider: 'postgres' as const,
    adapterName: '@prisma/adapter-pg',
    connect: () => connectAdapter(mainPool),
    // adapter-pg's own shadow database opens a pool we cannot reach, so we open it ourselves.
    connectToShadowDb: async () => {
      const name = `og_shadow_${randomUUID().replaceAll('-', '')}`;
      await mainPool.query(`CREATE DATABASE "${name}"`);
      const url = new URL(databaseUrl);
      url.pathname = `/${name}`;
      const shadowPool = openPool(url.toString());
      const adapter = await connectAdapter(shadowPool);
      const dispose = adapter.dispose.bind(adapter);
      adapter.dispose = async () => {
        await dispose();
        await shadowPool.end();
        await mainPool.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      };
      return adapter;
    },
  };
  const engineModule = await loadEngineModule();
  const engine = (await engineModule.SchemaEngine.new(
    { datamodels: undefined },
    () => undefined,
    bindMigrationAwareSqlAdapterFactory(factory),
  )) as SchemaEngine;
  try {
    return await work(engine);
  } finally {
    engine.free();
    await Promise.all(pools.filter((pool) => !pool.ended).map((pool) => pool.end().catch(() => undefined)));
  }
}

/**
 * adapter-pg runs a script by splitting it at every ";", which breaks function bodies, string
 * literals and comments holding one. Postgres takes the whole script as one simple query, which
 * is also what Prisma's native engine sends, and runs it as one implicit transaction.
 */
async function connectAdapter(pool: pg.Pool) {
  const adapter = await new PrismaPg(pool).connect();
  adapter.executeScript = async (script: string) => {
    try {
      await pool.query(script);
    } catch (error) {
      const e = error as pg.DatabaseError;
      throw new DriverAdapterError({
        kind: 'postgres',
        code: e.code ?? 'N/A',
        severity: e.severity ?? 'N/A',
        message: e.message,
        detail: e.detail,
        column: e.column,
        hint: e.hint,
      });
    }
  };
  return adapter;
}

/**
 * adapter-pg 7.10 cannot type Postgres's one-byte "char" (OID 18), which the engine reads from
 * pg_constraint.contype when it describes a schema. Its text form is the character itself, so
 * these pools report it as text.
 */
function charAsTextPool(connectionString: string): pg.Pool {
  const pool = new pg.Pool({ connectionString, max: 2 });
  // An idle connection that the server closes must not crash the process; the next query reconnects.
  pool.on('error', () => undefined);
  const retype = <R>(result: R): R => {
    for (const one of Array.isArray(result) ? result : [result]) {
      for (const field of (one as { fields?: Array<{ dataTypeID: number }> })?.fields ?? []) {
        if (field.dataTypeID === 18) field.dataTypeID = 25;
      }
    }
    return result;
  };
  pool.on('connect', (client) => {
    const query = client.query.bind(client) as (...args: unknown[]) => unknown;
    (client as { query: unknown }).query = (...args: unknown[]) => {
      const callback = args.at(-1);
      if (typeof callback === 'function') {
        args[args.length - 1] = (error: unknown, result: unknown) =>
          (callback as (e: unknown, r: unknown) => void)(error, error ? result : retype(result));
        return query(...args);
      }
      const result = query(...args);
      return result instanceof Promise ? result.then(retype) : result;
    };
  });
  return pool;
}

// The WebAssembly global is in Node but its types are only in TypeScript's DOM library.
declare const WebAssembly: {
  instantiate(bytes: Uint8Array, imports: object): Promise<{ instance: { exports: unknown } }>;
};

interface EngineModule {
  SchemaEngine: { new: (options: unknown, log: () => void, adapter: unknown) => Promise<unknown> };
}

let engineModule: Promise<EngineModule> | undefined;

function loadEngineModule(): Promise<EngineModule> {
  engineModule ??= (async () => {
    // The package's entry point imports its .wasm file as a module, which Node cannot do; load the
    // bindings and instantiate the WebAssembly ourselves, as that entry point would.
    const bindingsUrl = import.meta.resolve('@prisma/schema-engine-wasm/schema_engine_bg');
    const bindings = (await import(bindingsUrl)) as EngineModule & { __wbg_set_wasm(exports: unknown): void };
    const wasm = await fs.readFile(new URL('schema_engine_bg.wasm', bindingsUrl));
    const { instance } = await WebAssembly.instantiate(wasm, { './schema_engine_bg.js': bindings });
    bindings.__wbg_set_wasm(instance.exports);
    (instance.exports as { __wbindgen_start(): void }).__wbindgen_start();
    return bindings;
  })();
  return engineModule;
}
