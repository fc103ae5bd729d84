import { type Sql, sql } from '../database/sql.js';

// The extOrderId an order gets in the back office: stable per order and unique. With the
// client's external ids it is `prefix/id` (each part percent-encoded, so that no two pairs
// give the same string): the client's own ids, the same order whichever gateway sends it.
// Without them, `og-<installation>-<order id>-<6 characters of the order's random hash>`: the
// installation id keeps two installations on one administration apart, the hash a restored
// backup that hands out an order id again (no slash, so it never looks like a client's pair).
// As SQL, because a new order's id is only known in the statement that inserts it.
export function backOfficeExternalId(order: ExternalIdSource, orderId: Sql): Sql {
  const clients = clientsExternalId(order);
  return clients === null ? gatewayExternalId(orderId, sql`${order.hash.slice(0, 6)}::text`) : sql`${clients}::text`;
}

export interface ExternalIdSource {
  externalOrderPrefix: string | null;
  externalOrderId: string | null;
  hash: string;
}

/** The extOrderId made of the client's external ids; null for an order without them. */
export function clientsExternalId(order: ExternalIdSource): string | null {
  if (order.externalOrderId === null) return null;
  return `${encodeURIComponent(order.externalOrderPrefix ?? '')}/${encodeURIComponent(order.externalOrderId)}`;
}

/** The extOrderId of an order without the client's ids, from its id and the first 6 characters of its hash (SQL). */
export function gatewayExternalId(orderId: Sql, hashStart: Sql): Sql {
  return sql`'og-' || (SELECT id FROM installation) || '-' || ${orderId} || '-' || ${hashStart}`;
}

/** Whether an extOrderId has the form the gateway makes for orders without the client's ids. */
export function looksLikeOurs(extOrderId: string): boolean {
  return extOrderId.startsWith('og-');
}
