import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { environment, run, startGatewayProcess } from '../support/processes.js';

// The README's first command: no DATABASE_URL, so the gateway runs on the embedded Postgres and
// keeps its data across restarts.

const dataDir = mkdtempSync(path.join(os.tmpdir(), 'og-embedded-'));
const env = environment({ DATA_DIR: dataDir, PORT: '0' });
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

async function http(url: string, key: string, init: RequestInit = {}) {
  const response = await fetch(url, {
    ...init,
    headers: { token: key, 'content-type': 'application/json', ...init.headers },
  });
  return { status: response.status, body: (await response.json()) as Record<string, any> }; // eslint-disable-line @typescript-eslint/no-explicit-any
}

it('keeps orders and keys across a restart, refuses a second gateway on the same data, and serves tools meanwhile', async () => {
  const first = await startGatewayProcess(env);
  let firstStopped = false;
  try {
    expect(first.output()).toContain('Using the embedded Postgres (PGlite)');
    expect(first.adminKey).toBeDefined();
    const key = first.adminKey!;
    const created = await http(`${first.url}/System/Orders`, key, {
      method: 'POST',
      body: JSON.stringify({
        email: 'embedded@example.cz',
        name: 'E',
        order_currency_code: 'EUR',
        items: [{ article_number: '1001', name: 'Mug', count: 1, price: { base_price: 10, vat: 21 } }],
      }),
    });
    expect(created.status).toBe(201);
    const before = await http(`${first.url}/System/Orders/${created.body.id}`, key);
    expect(before.body.money).toBe(12.1);
    // Forwarded to the simulated MplusKASSA inside the gateway within moments.
    let synced = before.body;
    for (let i = 0; i < 50 && synced.sync.status !== 'synced'; i += 1) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      synced = (await http(`${first.url}/System/Orders/${created.body.id}`, key)).body;
    }
    expect(synced.sync).toMatchObject({ status: 'synced', attempts: 0, last_error: null });

    // Dry runs on the one session of the embedded store: the route's own lookups (the status)
    // must not wait on the rehearsal's transaction, nor it on them.
    const orderUrl = `${first.url}/System/Orders/${created.body.id}`;
    const statusSet = await http(`${orderUrl}/status?dry_run=true`, key, {
      method: 'PATCH',
      body: JSON.stringify({ status_id: 3 }),
    });
    expect(statusSet).toMatchObject({ status: 200, body: { status_id: 3, version: synced.version + 1 } });
    const canceled = await http(`${orderUrl}/cancel?dry_run=1`, key, { method: 'PATCH' });
    expect(canceled).toMatchObject({ status: 200, body: { canceled: true } });
    const rehearsedCreate = await http(`${first.url}/System/Orders?dry_run=true`, key, {
      method: 'POST',
      body: JSON.stringify({ email: 'dry@example.cz', name: 'D', order_currency_code: 'EUR', items: [] }),
    });
    expect(rehearsedCreate).toMatchObject({ status: 200, body: { email: 'dry@example.cz', money: 0 } });
    expect((await http(orderUrl, key)).body).toEqual(synced);

    // A batch of creates is one statement of JSON rows; the embedded Postgres takes it as the server does.
    const batch = await http(`${first.url}/System/Orders/batch`, key, {
      method: 'POST',
      body: JSON.stringify({
        records: [
          { email: 'b1@example.cz', name: 'B', order_currency_code: 'EUR', items: [], external_order_id: 'emb-1' },
          {
            email: 'b2@example.cz',
            name: 'B',
            order_currency_code: 'EUR',
            metadata: { from: 'batch' },
            items: [{ article_number: '1001', name: 'Mug', count: 2, price: { base_price: 10, vat: 21 } }],
          },
        ],
      }),
    });
    expect(batch).toMatchObject({
      status: 201,
      body: { status: true, results: [{ created: true }, { created: true }] },
    });
    const batched = await http(`${first.url}/System/Orders/${batch.body.results[1].id}`, key);
    expect(batched.body).toMatchObject({ money: 24.2, metadata: { from: 'batch' }, items: [{ count: 2 }] });

    // A second gateway must not open the same files.
    const second = await run('src/main.ts', [], env);
    expect(second.code).toBe(1);
    expect(second.stdout + second.stderr).toContain('is in use by the gateway with pid');

    // The key tool reaches the store through the running gateway.
    const tool = await run('src/bin/apikey.ts', ['create', '--name', 'reader', '--rights', 'orders:read'], env);
    expect(tool.code).toBe(0);
    const readerKey = tool.stdout.trim().split('\n').at(-1)!;
    expect(readerKey).toMatch(/^og_/);
    expect((await http(`${first.url}/System/Orders/${created.body.id}`, readerKey)).status).toBe(200);
    expect(
      (await http(`${first.url}/System/Orders/${created.body.id}/sent`, readerKey, { method: 'PATCH' })).status,
    ).toBe(403);

    expect(await first.stop()).toBe(0);
    firstStopped = true;
    expect(existsSync(path.join(dataDir, 'embedded-postgres.json'))).toBe(false);

    const restarted = await startGatewayProcess(env);
    try {
      expect(restarted.adminKey).toBeUndefined(); // the store has keys: no new admin key
      expect(restarted.output()).toContain('No pending migrations');
      const after = await http(`${restarted.url}/System/Orders/${created.body.id}`, key);
      expect(after.status).toBe(200);
      // The order is the same; only its sync moves on (the simulated MplusKASSA kept its state too).
      const { sync: _before, ...orderBefore } = before.body;
      const { sync: syncAfter, ...orderAfter } = after.body;
      expect(orderAfter).toEqual(orderBefore);
      expect(syncAfter.status).toBe('synced');
      expect(syncAfter.mplus_order_id).toMatch(/^[0-9a-f]{32}$/);
      expect((await http(`${restarted.url}/System/Orders/${created.body.id}`, readerKey)).status).toBe(200);

      // Paid on iDEAL (the default method), which takes no negative amounts in MplusKASSA: the
      // refund of a deposit is booked on the simulator's bank transfer, so it is accepted and synced.
      const orderAgain = `${restarted.url}/System/Orders/${created.body.id}`;
      const paid = { paid: 12.1, payment_id: 'pay_embedded', status: 'success' };
      expect((await http(`${orderAgain}/paid`, key, { method: 'PATCH', body: JSON.stringify(paid) })).status).toBe(200);
      const refund = { amount: 5, refund_id: 'rf_embedded' };
      expect((await http(`${orderAgain}/refunds`, key, { method: 'POST', body: JSON.stringify(refund) })).status).toBe(
        201,
      );
      let refunded = (await http(orderAgain, key)).body;
      for (let i = 0; i < 50 && refunded.sync.status !== 'synced'; i += 1) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        refunded = (await http(orderAgain, key)).body;
      }
      expect(refunded).toMatchObject({ amount_refunded: 5, sync: { status: 'synced', last_error: null } });
    } finally {
      expect(await restarted.stop()).toBe(0);
    }
  } finally {
    if (!firstStopped) await first.stop();
  }
}, 120_000);
