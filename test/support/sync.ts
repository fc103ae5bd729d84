import { getOrder } from './factories.js';
import type { TestGateway } from './gateway.js';
import { waitFor } from './wait.js';

/** A gateway whose sync workers run, quickly: polling, retries and back-off in milliseconds. */
export const FAST_SYNC: NodeJS.ProcessEnv = {
  SYNC_WORKER: 'true',
  SYNC_POLL_INTERVAL_MS: '50',
  SYNC_RETRY_BASE_MS: '50',
  SYNC_RETRY_MAX_MS: '400',
  SYNC_PULL_INTERVAL_MS: '0',
  // No catalogue mirror: these tests see what MplusKASSA itself says of a line (test/sync/catalogue.test.ts has the mirror).
  CATALOGUE_PULL_INTERVAL_MS: '0',
  MPLUS_READ_TIMEOUT_MS: '1500',
  MPLUS_CONNECT_TIMEOUT_MS: '500',
  MPLUS_DELIVERY_METHODS: '4=POSTNL',
  MPLUS_PAYMENT_METHODS: '3=PIN',
  MPLUS_ORDER_CATEGORY: '1',
};

/** The order once its sync has the wanted status (synced by default). */
export function syncedOrder(gateway: TestGateway, id: number, status = 'synced', timeoutMs = 15_000) {
  return waitFor(
    `order ${id} to be ${status}`,
    async () => {
      const order = await getOrder(gateway, id);
      return order.sync.status === status ? order : false;
    },
    timeoutMs,
  );
}

/** The simulator's order for a gateway order (by the extOrderId the gateway gave it). */
export function simulatorOrder(gateway: TestGateway, extOrderId: string) {
  return gateway.simulator.store.allOrders().filter((order) => order.extOrderId === extOrderId);
}

/** The extOrderIds the gateway makes for its order `id` without external ids: og-<installation>-<id>-<hash>. */
export const OUR_EXT_ORDER_ID = (id: number) => new RegExp(`^og-[a-z0-9]{1,16}-${id}-[0-9a-f]{6}$`);

/** The simulator's orders for a gateway order made without external ids. */
export function simulatorOrdersOf(gateway: TestGateway, id: number) {
  return gateway.simulator.store.allOrders().filter((order) => OUR_EXT_ORDER_ID(id).test(order.extOrderId ?? ''));
}

export function calls(gateway: TestGateway, operation: string): number {
  return gateway.simulator.calls.filter((call) => call.operation === operation).length;
}
