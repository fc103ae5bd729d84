import 'reflect-metadata';
import { setFlagsFromString } from 'node:v8';
import { createApp } from './app.factory.js';
import { ApiKeysService } from './auth/api-keys.service.js';
import { RIGHTS } from './auth/rights.js';
import { PinoLoggerService, createPinoLogger } from './common/logging.js';
import { isDatabaseUnavailable } from './database/database-errors.js';
import { ShutdownState } from './common/shutdown-state.js';
import { InvalidConfigError, loadConfig } from './config/app-config.js';
import { EmbeddedPostgresInUseError } from './database/embedded-postgres.js';
import { applyMigrations } from './database/migrator.js';
import { openDatabase } from './database/open-database.js';
import { openBackOffice } from './mplus/open-back-office.js';

// Starts the gateway: reads the configuration, opens the database (the embedded one when no
// DATABASE_URL is set), applies pending migrations, and serves HTTP until SIGINT or SIGTERM,
// then stops taking requests, finishes those in flight and closes the database last.

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof InvalidConfigError) {
      console.error(error.message);
      process.exit(1);
    }
    throw error;
  }
  const logger = new PinoLoggerService(createPinoLogger(config.LOG_LEVEL));
  // V8 sizes its heap for the machine: on a large one it lets the old generation grow to several
  // times what survived the last full collection before collecting again, so under steady load the
  // heap swung between 60 and 210 MB and the process held 330-350 MB. Collecting once the heap has
  // doubled what survived keeps the process at 230-255 MB for 3-5 % of a list page's rate
  // (bench/RESULTS.md), with no ceiling: a large answer can still take what it needs, which a
  // capped --max-old-space-size would turn into an out-of-memory crash. V8 reads this flag at every
  // collection, so setting it here works (and NODE_OPTIONS does not take it).
  if (config.HEAP_GROWING_PERCENT > 0) setFlagsFromString(`--heap-growing-percent=${config.HEAP_GROWING_PERCENT}`);
  // graphile-worker 0.17 lets a failed write of its own (recording a job's failure) go unhandled
  // when the database connection drops in the middle of it; Node would end the process, and a
  // Postgres restart would take the gateway down with it. Losing the database is an outage the
  // gateway recovers from (the job lock left behind is freed by WorkerLiveness), so only that kind
  // of rejection is survived; anything else still ends the process.
  process.on('unhandledRejection', (reason) => {
    if (isDatabaseUnavailable(reason)) {
      logger.warn(`The database went away under a background task: ${(reason as Error).message}`, 'Database');
      return;
    }
    logger.error(`Unhandled rejection: ${reason instanceof Error ? (reason.stack ?? reason.message) : String(reason)}`);
    process.exit(1);
  });

  let database;
  try {
    database = await openDatabase(config);
  } catch (error) {
    if (error instanceof EmbeddedPostgresInUseError) {
      logger.error(`${error.message} Stop it first, or give this one its own DATA_DIR.`, undefined, 'Startup');
      process.exit(1);
    }
    throw error;
  }
  logger.log(`Using ${database.describe()}`, 'Startup');

  if (config.MIGRATE_ON_START) {
    const applied = await applyMigrations(database.url);
    logger.log(applied.length ? `Applied migrations: ${applied.join(', ')}` : 'No pending migrations', 'Startup');
  }

  const backOffice = await openBackOffice(config);
  logger.log(`Forwarding to ${backOffice.describe()}`, 'Startup');

  const app = await createApp(
    config,
    { url: database.url, embedded: database.kind !== 'external' },
    backOffice.connection,
    logger,
  );

  // A new embedded store has no keys: make one admin key so that the first user can get in.
  const apiKeys = app.get(ApiKeysService);
  if (database.kind === 'embedded' && (await apiKeys.isEmpty())) {
    const { key } = await apiKeys.create('first admin key', ['admin']);
    logger.warn(
      `Created the first API key, with every right (${RIGHTS.join(', ')}). It is shown only this once: ${key}`,
      'Startup',
    );
  }

  await app.listen({ port: config.PORT, host: config.HOST });
  const address = (await app.getUrl()).replace('[::1]', 'localhost');
  logger.log(`Listening on ${address}; Swagger UI at ${address}/docs`, 'Startup');

  let stopping = false;
  const stop = async (signal: string): Promise<void> => {
    if (stopping) return;
    stopping = true;
    logger.log(`${signal}: finishing requests in flight and the current sync jobs, then stopping`, 'Shutdown');
    // New requests get 503 from now on; those in flight finish before the HTTP server closes,
    // the sync workers finish the jobs they hold, and the database closes last.
    app.get(ShutdownState).begin();
    await app.close();
    await backOffice.close();
    await database.close();
    logger.log('Stopped', 'Shutdown');
    process.exit(0);
  };
  process.once('SIGINT', () => void stop('SIGINT'));
  process.once('SIGTERM', () => void stop('SIGTERM'));
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
