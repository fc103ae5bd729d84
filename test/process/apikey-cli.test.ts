import { environment, run } from '../support/processes.js';
import { startGateway, type TestGateway } from '../support/gateway.js';

let gateway: TestGateway;
beforeAll(async () => {
  gateway = await startGateway();
});
afterAll(() => gateway.close());

const cli = (...args: string[]) => run('src/bin/apikey.ts', args, environment({ DATABASE_URL: gateway.database.url }));

describe('npm run apikey', () => {
  it('creates a key, printed alone on the last line, that works with exactly its rights', async () => {
    const created = await cli('create', '--name', 'payment gateway', '--rights', 'orders:read,orders:pay');
    expect(created.code).toBe(0);
    const lines = created.stdout.trim().split('\n');
    const key = lines.at(-1)!;
    expect(key).toMatch(/^og_[A-Za-z0-9_-]{43}$/);
    expect(lines.slice(0, -1).join('\n')).not.toContain(key);
    expect((await gateway.get('/System/Orders', key)).status).toBe(200);
    expect((await gateway.post('/System/Orders', {}, key)).status).toBe(403);

    const listed = await cli('list');
    expect(listed.stdout).toMatch(/\tpayment gateway\torders:read,orders:pay\tactive/);
    expect(listed.stdout).not.toContain(key);

    const id = /^(\d+)\t\S+\tpayment gateway/m.exec(listed.stdout)?.[1];
    const revoked = await cli('revoke', id!);
    expect(revoked.code).toBe(0);
    expect((await gateway.get('/System/Orders', key)).status).toBe(401);
    expect((await cli('revoke', id!)).code).toBe(1);
    // Four runs of the tool, each compiling itself and checking migrations (about 12 s apiece on
    // an idle machine; more while the rest of the suite runs).
  }, 150_000);

  it('refuses unknown rights and missing names with usage', async () => {
    const bad = await cli('create', '--name', 'x', '--rights', 'orders:everything');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--rights must list rights from: orders:read, orders:write, orders:pay, admin');
    expect((await cli('create', '--rights', 'admin')).code).toBe(2);
    expect((await cli('frobnicate')).code).toBe(2);
  }, 60_000);

  it('creates keys that expire', async () => {
    const created = await cli(
      'create',
      '--name',
      'short',
      '--rights',
      'orders:read',
      '--expires',
      '2000-01-01T00:00:00Z',
    );
    const key = created.stdout.trim().split('\n').at(-1)!;
    expect((await gateway.get('/System/Orders', key)).status).toBe(401);
  }, 60_000);
});
