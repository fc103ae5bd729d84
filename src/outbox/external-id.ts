// The extOrderId an order gets in the back office: stable per order and unique. With the
// client's external ids it is `prefix/id` (each part percent-encoded, so that no two pairs
// give the same string); without them, `og-<order id>` (no slash, so it never looks like one).
export function backOfficeExternalId(order: {
  id: number;
  externalOrderPrefix: string | null;
  externalOrderId: string | null;
}): string {
  if (order.externalOrderId === null) return `og-${order.id}`;
  return `${encodeURIComponent(order.externalOrderPrefix ?? '')}/${encodeURIComponent(order.externalOrderId)}`;
}
