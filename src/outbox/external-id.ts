import { type Sql, sql } from '../database/sql.js';

// The extOrderId an order gets in the back office: stable per order and unique. With the
// client's external ids it is `prefix/id` (each part percent-encoded, so that no two pairs
// give the same string); without them, `og-<order id>` (no slash, so it never looks like one).
// As SQL, because a new order's id is only known in the statement that inserts it.
export function backOfficeExternalId(
  order: { externalOrderPrefix: string | null; externalOrderId: string | null },
  orderId: Sql,
): Sql {
  if (order.externalOrderId === null) return sql`'og-' || ${orderId}`;
  return sql`${`${encodeURIComponent(order.externalOrderPrefix ?? '')}/${encodeURIComponent(order.externalOrderId)}`}::text`;
}
