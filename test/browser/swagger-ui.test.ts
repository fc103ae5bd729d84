import type { AddressInfo } from 'node:net';
import { type Browser, type Page, chromium } from 'playwright-core';
import { getOrder } from '../support/factories.js';
import { startGateway, type TestGateway } from '../support/gateway.js';
import { syncedOrder } from '../support/sync.js';

// Swagger UI as a person first meets it, in Debian's Chromium (never a downloaded browser):
// authorize with a key, try the create example as offered, read the order it made, pay it with the
// payment example. Every step through the page's own buttons; what the page shows is what is
// checked, and then what the gateway holds.

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

let gateway: TestGateway;
let browser: Browser;
let page: Page;
let base: string;

beforeAll(async () => {
  gateway = await startGateway({ SYNC_WORKER: 'true', SYNC_POLL_INTERVAL_MS: '50', SYNC_PULL_INTERVAL_MS: '0' });
  const server = gateway.app.getHttpServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  try {
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu'],
    });
  } catch (error) {
    throw new Error(`Chromium did not start from ${CHROMIUM} (apt-get install chromium): ${(error as Error).message}`);
  }
  page = await browser.newPage();
}, 60_000);
afterAll(async () => {
  await browser?.close();
  const server = gateway.app.getHttpServer();
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  await gateway.close();
});

/** Opens an operation, presses "Try it out", fills the path parameters, executes: the status and body shown. */
async function tryOut(
  operation: string,
  parameters: Record<string, string> = {},
): Promise<{ status: number; body: string }> {
  const block = page.locator(`#operations-${operation}`);
  await block.locator('.opblock-summary').first().click();
  await block.locator('button.try-out__btn').click();
  for (const [name, value] of Object.entries(parameters)) {
    await block.locator(`tr[data-param-name="${name}"] input`).fill(value);
  }
  await block.locator('button.execute').click();
  const live = block.locator('.live-responses-table tbody tr.response');
  await live.first().waitFor({ timeout: 15_000 });
  const status = Number((await live.locator('td.response-col_status').first().innerText()).trim());
  const body = await block
    .locator('.live-responses-table .response-col_description pre.microlight')
    .first()
    .innerText();
  // Closed again, so that the next operation's buttons are the only ones of their kind in view.
  await block.locator('.opblock-summary').first().click();
  return { status, body };
}

it('authorizes, creates the example order, reads it and pays it, all from the page', async () => {
  await page.goto(`${base}/docs`);
  await page.locator('.swagger-ui .information-container').waitFor({ timeout: 20_000 });

  await page.locator('button.authorize').first().click();
  const dialog = page.locator('.modal-ux');
  const tokenScheme = dialog.locator('.auth-container').filter({ hasText: 'token' }).first();
  await tokenScheme.locator('input').fill(gateway.adminKey);
  await tokenScheme.locator('button.authorize').click();
  await dialog.locator('button.btn-done').first().click();

  const created = await tryOut('Orders-createOrder');
  expect(created.status).toBe(201);
  const { id } = JSON.parse(created.body) as { id: number };
  expect(id).toBeGreaterThan(0);

  const read = await tryOut('Orders-getOrder', { orderId: String(id) });
  expect(read.status).toBe(200);
  expect(JSON.parse(read.body)).toMatchObject({ id, order_currency_code: 'EUR', money: 24.2, balance_due: 24.2 });

  const paid = await tryOut('Order_lifecycle-markOrderPaid', { orderId: String(id) });
  expect(paid.status).toBe(200);
  expect(JSON.parse(paid.body)).toMatchObject({ id, amount_paid: 24.2, balance_due: 0 });

  expect(await getOrder(gateway, id)).toMatchObject({
    amount_paid: 24.2,
    payments: [expect.objectContaining({ payment_id: 'pay_8f2a1c' })],
  });
  await syncedOrder(gateway, id);
}, 90_000);
