import { loadConfig } from '../config/app-config.js';
import { applyMigrations } from '../database/migrator.js';
import { openDatabase } from '../database/open-database.js';

// npm run db:migrate — applies pending migrations to DATABASE_URL, or to the embedded store.

async function main(): Promise<void> {
  const database = await openDatabase(loadConfig(), { forTool: true });
  try {
    const applied = await applyMigrations(database.url);
    console.log(applied.length ? `Applied: ${applied.join(', ')}` : 'No pending migrations.');
  } finally {
    await database.close();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
