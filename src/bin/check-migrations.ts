import { diffMigrationsToSchema } from '../database/migrator.js';
import { toolingServerUrl } from './tooling-server-url.js';

// npm run db:check — fails when prisma/schema.prisma describes something the migrations do not
// build (a schema change committed without its migration), printing the missing SQL.

async function main(): Promise<void> {
  const sql = await diffMigrationsToSchema(toolingServerUrl());
  if (sql !== null) {
    console.error('prisma/schema.prisma and prisma/migrations disagree. Missing migration:\n');
    console.error(sql);
    console.error('Create it with: npm run db:migration -- NAME');
    process.exit(1);
  }
  console.log('prisma/schema.prisma and prisma/migrations agree.');
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
