import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { MIGRATIONS_DIR, diffMigrationsToSchema } from '../database/migrator.js';
import { toolingServerUrl } from './tooling-server-url.js';

// npm run db:migration -- NAME
// Writes prisma/migrations/<timestamp>_NAME/migration.sql with the SQL that takes the database
// the existing migrations build to what prisma/schema.prisma describes. Review it before committing:
// data migrations, triggers and seeds are added by hand.

async function main(): Promise<void> {
  const name = process.argv[2];
  if (!name || !/^[a-z0-9_]+$/.test(name)) {
    console.error('usage: npm run db:migration -- NAME   (NAME in lower case letters, digits and _)');
    process.exit(2);
  }
  const sql = await diffMigrationsToSchema(toolingServerUrl());
  if (sql === null) {
    console.log('prisma/schema.prisma and the migrations agree: no migration needed.');
    return;
  }
  const stamp = new Date().toISOString().replace(/\D/g, '').slice(0, 14);
  const folder = path.join(MIGRATIONS_DIR, `${stamp}_${name}`);
  mkdirSync(folder, { recursive: true });
  writeFileSync(path.join(folder, 'migration.sql'), sql);
  console.log(`Created ${path.relative(process.cwd(), folder)}/migration.sql`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
