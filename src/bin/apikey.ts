import 'reflect-metadata';
import { parseArgs } from 'node:util';
import { ApiKeyRepository } from '../auth/api-key.repository.js';
import { ApiKeyCache } from '../auth/api-key-cache.js';
import { ApiKeysService } from '../auth/api-keys.service.js';
import { RIGHTS, isRight, type Right } from '../auth/rights.js';
import { loadConfig } from '../config/app-config.js';
import { applyMigrations } from '../database/migrator.js';
import { openDatabase } from '../database/open-database.js';
import { Database } from '../database/database.js';
import { IdempotencyRepository } from '../idempotency/idempotency.repository.js';

// npm run apikey -- create --name NAME --rights orders:read,orders:write [--expires 2027-01-01T00:00:00Z]
// npm run apikey -- list
// npm run apikey -- revoke ID
// npm run apikey -- expire ID 2027-01-01T00:00:00Z|now|never
//
// Works against DATABASE_URL, or the embedded store: through the running gateway when there is
// one, otherwise by opening the store itself. `create` prints the new key alone on the last line.

const USAGE = `usage:
  npm run apikey -- create --name NAME --rights RIGHT[,RIGHT...] [--expires ISO-DATE]
  npm run apikey -- list
  npm run apikey -- revoke ID
  npm run apikey -- expire ID ISO-DATE|now|never
rights: ${RIGHTS.join(', ')}`;

function fail(message: string): never {
  console.error(`${message}\n\n${USAGE}`);
  process.exit(2);
}

async function main(): Promise<void> {
  const { positionals, values } = parseArgs({
    allowPositionals: true,
    options: { name: { type: 'string' }, rights: { type: 'string' }, expires: { type: 'string' } },
  });
  const [command, argument, when] = positionals;
  if (!command || !['create', 'list', 'revoke', 'expire'].includes(command)) {
    fail('Say what to do: create, list, revoke or expire.');
  }

  let rights: Right[] = [];
  let expiresAt: Date | null = null;
  if (command === 'create') {
    if (!values.name?.trim()) fail('--name is required.');
    rights = (values.rights ?? '').split(',').map((right) => right.trim()) as Right[];
    const unknown = rights.filter((right) => !isRight(right));
    if (rights.length === 0 || unknown.length > 0) fail(`--rights must list rights from: ${RIGHTS.join(', ')}.`);
    if (values.expires) {
      expiresAt = new Date(values.expires);
      if (Number.isNaN(expiresAt.getTime())) fail('--expires must be an ISO 8601 date.');
    }
  }
  const keyId = command === 'revoke' || command === 'expire' ? Number(argument) : 0;
  if ((command === 'revoke' || command === 'expire') && !(Number.isInteger(keyId) && keyId > 0)) {
    fail(`${command} needs the key id (see list).`);
  }
  let newExpiry: Date | null = null;
  if (command === 'expire') {
    if (!when) fail('expire needs a date, now or never.');
    newExpiry = when === 'never' ? null : when === 'now' ? new Date() : new Date(when);
    if (newExpiry && Number.isNaN(newExpiry.getTime())) fail('expire needs an ISO 8601 date, now or never.');
  }

  const config = loadConfig();
  const store = await openDatabase(config, { forTool: true });
  const connection = { url: store.url, poolSize: 2, embedded: store.kind !== 'external' };
  const database = new Database(connection);
  try {
    await applyMigrations(store.url);
    const apiKeys = new ApiKeysService(
      new ApiKeyRepository(database),
      new IdempotencyRepository(database),
      // Not started, so it caches nothing: a command checks no keys.
      new ApiKeyCache(connection),
    );
    if (command === 'create') {
      const { record, key } = await apiKeys.create(values.name!.trim(), rights, expiresAt);
      console.log(
        `Created API key ${record.id} "${record.name}" with ${record.rights.join(', ')}` +
          `${record.expiresAt ? `, expiring ${record.expiresAt.toISOString()}` : ''}. It cannot be shown again:`,
      );
      console.log(key);
    } else if (command === 'list') {
      for (const key of await apiKeys.list()) {
        const state = key.revokedAt
          ? `revoked ${key.revokedAt.toISOString()}`
          : key.expiresAt
            ? `expires ${key.expiresAt.toISOString()}`
            : 'active';
        console.log(`${key.id}\t${key.prefix}…\t${key.name}\t${key.rights.join(',')}\t${state}`);
      }
    } else if (command === 'expire') {
      const key = await apiKeys.setExpiry(keyId, newExpiry);
      if (key) {
        console.log(`API key ${keyId} ${key.expiresAt ? `expires ${key.expiresAt.toISOString()}` : 'never expires'}.`);
      } else {
        console.error(`No API key ${keyId}.`);
        process.exitCode = 1;
      }
    } else if (await apiKeys.revoke(keyId)) {
      console.log(`Revoked API key ${keyId}.`);
    } else {
      console.error(`No active API key ${keyId}.`);
      process.exitCode = 1;
    }
  } finally {
    await database.onApplicationShutdown();
    await store.close();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
