import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { AppModule } from '../app.module.js';
import { loadConfig } from '../config/app-config.js';
import { applyMigrations } from '../database/migrator.js';
import { openDatabase } from '../database/open-database.js';
import { InboundSync } from '../sync/inbound-sync.js';

// npm run mplus:sync — reads orders changed in MplusKASSA until caught up, once, printing its
// progress: for a first backfill, or to catch up without waiting for the gateway's own reader.
// It works next to running gateways: the cursor moves in the same transaction as each page.

async function main(): Promise<void> {
  const config = loadConfig({ ...process.env, SYNC_WORKER: 'false' });
  if (!config.MPLUS_URL) {
    console.error(
      'Set MPLUS_URL (and MPLUS_IDENT, MPLUS_SECRET). With the simulated MplusKASSA, the gateway itself reads back every SYNC_PULL_INTERVAL_MS.',
    );
    process.exit(2);
  }
  const database = await openDatabase(config, { forTool: true });
  await applyMigrations(database.url);
  const app = await NestFactory.createApplicationContext(
    AppModule.register({
      config,
      database: { url: database.url, embedded: database.kind !== 'external' },
      backOffice: {
        url: config.MPLUS_URL,
        ident: config.MPLUS_IDENT,
        secret: config.MPLUS_SECRET,
        connectTimeoutMs: config.MPLUS_CONNECT_TIMEOUT_MS,
        readTimeoutMs: config.MPLUS_READ_TIMEOUT_MS,
      },
    }),
    { logger: false },
  );
  const inbound = app.get(InboundSync);
  const totals = { pages: 0, seen: 0, imported: 0, updated: 0 };
  const started = Date.now();
  try {
    for (;;) {
      const page = await inbound.pullPage();
      totals.pages += 1;
      totals.seen += page.seen;
      totals.imported += page.imported;
      totals.updated += page.updated;
      console.log(
        `page ${totals.pages}: ${page.seen} orders (${page.imported} imported, ${page.updated} updated), marker ${page.marker}` +
          ` — ${totals.seen} so far, ${Math.round(totals.seen / Math.max(0.001, (Date.now() - started) / 1000))}/s`,
      );
      if (page.caughtUp) break;
    }
    console.log(`Caught up: ${totals.seen} orders read, ${totals.imported} imported, ${totals.updated} updated.`);
  } finally {
    await app.close();
    await database.close();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
