import { applyMigrations } from '../../src/database/migrator.js';
import { databaseUrl, templateName, withServer } from './test-database.js';

// Run by global-setup.js before the tests: migrates the template database that every test file
// copies, and drops copies left behind by crashed runs.
async function prepareTemplate(): Promise<void> {
  const template = templateName();
  await withServer(async (client) => {
    // One Jest run at a time prepares the template.
    await client.query('SELECT pg_advisory_lock(7206990041002)');
    try {
      const leftovers = await client.query<{ datname: string }>(
        "SELECT datname FROM pg_database WHERE datname LIKE 'og\\_test\\_%' OR (datname LIKE 'og\\_template\\_%' AND datname <> $1)",
        [template],
      );
      for (const { datname } of leftovers.rows) {
        const pid = Number(/^og_test_(\d+)_/.exec(datname)?.[1]);
        if (pid && isAlive(pid)) continue;
        await client.query(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`);
      }
      const exists = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [template]);
      if (exists.rowCount === 0) {
        const building = `${template}_building`;
        await client.query(`DROP DATABASE IF EXISTS "${building}" WITH (FORCE)`);
        await client.query(`CREATE DATABASE "${building}"`);
        await applyMigrations(databaseUrl(building));
        // Renamed only once complete, so a template that exists is always fully migrated.
        await client.query(`ALTER DATABASE "${building}" RENAME TO "${template}"`);
      }
    } finally {
      await client.query('SELECT pg_advisory_unlock(7206990041002)');
    }
  });
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

prepareTemplate().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
