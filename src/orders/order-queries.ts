import { Decimal, decimalFromText } from '../common/money/money.js';
import { Sql, empty, join, raw, sql } from '../database/sql.js';
import { unitRows } from '../database/table-work.js';
import type { SyncState, SyncStatus } from '../outbox/order-sync.repository.js';
import type { DiscountKind, OrderFigures, TaxLine } from './order-money.js';
import type { PriceGivenAs, UnitPrice } from './order-pricing.js';
import type {
  FulfillmentState,
  ChangedLine,
  NewOrder,
  NewOrderItem,
  OrderItemRecord,
  OrderListFilter,
  OrderPatch,
  OrderRecord,
  OrderSortKey,
  PaymentRecord,
  RefundRecord,
  TrackingRecord,
} from './order.types.js';

// The SQL of the order reads, and of the insert of a new order. Every read of orders is one
// statement: the order rows with their lines, parcels, status and sync state aggregated by
// Postgres into JSON. Prisma's `include` sent a query per relation (seven for one order, eight
// with the count for a page), and the reads are the gateway's hot path: each round trip is a wait
// on a Postgres that shares the machine. Columns come back under the names of order.types.ts;
// amounts as text, so that no amount passes through a float.

const ORDER_COLUMNS = sql`
  o.id, o.hash, o.customer_id AS "customerId", o.company_id AS "companyId", o.channel_id AS "channelId",
  o.shipping_id AS "shippingId", o.payment_id AS "paymentId", o.date_order AS "dateOrder",
  o.date_maturity AS "dateMaturity", o.email, o.phone, o.name, o.street, o.city, o.zip,
  o.state_code AS "stateCode", o.company_name AS "companyName", o.company_nr AS "companyNr",
  o.company_vat AS "companyVat", o.delivery_name AS "deliveryName", o.delivery_street AS "deliveryStreet",
  o.delivery_city AS "deliveryCity", o.delivery_zip AS "deliveryZip",
  o.delivery_state_code AS "deliveryStateCode", o.delivery_phone AS "deliveryPhone",
  o.delivery_email AS "deliveryEmail", o.note, o.our_note AS "ourNote", o.ip, o.domain,
  o.main_currency_code AS "mainCurrencyCode", o.order_currency_code AS "orderCurrencyCode",
  o.currency_rate::text AS "currencyRate", o.money::text AS money, o.paid::text AS paid,
  o.date_paid AS "datePaid", o.status_id AS "statusId", o.sent, o.delivered, o.done, o.canceled,
  o.external_order_prefix AS "externalOrderPrefix", o.external_order_id AS "externalOrderId",
  o.external_payment_id AS "externalPaymentId", o.external_payment_url AS "externalPaymentUrl",
  o.source, o.version, o.created_at AS "createdAt", o.updated_at AS "updatedAt",
  o.change_seq::text AS "changeSeq",
  o.discount_kind AS "discountKind", o.discount_value::text AS "discountValue", o.discount_code AS "discountCode",
  o.shipping_price AS "shippingPrice", o.payment_price AS "paymentPrice",
  o.amount_subtotal::text AS "amountSubtotal", o.amount_discount::text AS "amountDiscount",
  o.amount_shipping::text AS "amountShipping", o.amount_payment_fee::text AS "amountPaymentFee",
  o.amount_tax::text AS "amountTax", o.taxes, o.refunded::text AS refunded, o.invoiced,
  o.metadata, o.deleted_at AS "deletedAt",
  (SELECT coalesce(json_agg(json_build_object(
            'id', i.id, 'articleNumber', i.article_number, 'name', i.name, 'count', i.count, 'note', i.note,
            'priceGivenAs', i.price_given_as, 'basePrice', i.base_price::text, 'finalPrice', i.final_price::text,
            'vatRate', i.vat_rate::text, 'vatValue', i.vat_value::text,
            'originalBasePrice', i.original_base_price::text, 'originalFinalPrice', i.original_final_price::text,
            'originalVatRate', i.original_vat_rate::text, 'originalVatValue', i.original_vat_value::text,
            'discountKind', i.discount_kind, 'discountValue', i.discount_value::text,
            'orderDiscount', i.order_discount::text, 'total', i.total::text, 'metadata', i.metadata)
          ORDER BY i.id), '[]')
     FROM order_items i WHERE i.order_id = o.id) AS items,
  (SELECT coalesce(json_agg(json_build_object(
            'id', t.id, 'shipperId', t.shipper_id, 'trackingNumber', t.tracking_number,
            'trackingUrlTemplate', s.tracking_url_template) ORDER BY t.id), '[]')
     FROM trackings t JOIN shippers s ON s.id = t.shipper_id WHERE t.order_id = o.id) AS trackings,
  (SELECT coalesce(json_agg(json_build_object(
            'id', p.id, 'externalPaymentId', p.external_payment_id, 'amount', p.amount::text, 'url', p.url,
            'status', p.status, 'method', p.method, 'createdAt', p.created_at, 'updatedAt', p.updated_at)
          ORDER BY p.id), '[]')
     FROM order_payments p WHERE p.order_id = o.id) AS payments,
  (SELECT coalesce(json_agg(json_build_object(
            'id', r.id, 'refundId', r.refund_id, 'amount', r.amount::text, 'reason', r.reason, 'lines', r.lines,
            'createdAt', r.created_at) ORDER BY r.id), '[]')
     FROM order_refunds r WHERE r.order_id = o.id) AS refunds,
  CASE WHEN st.id IS NOT NULL THEN json_build_object(
    'id', st.id, 'name', st.name, 'icon', st.icon, 'color', st.color, 'sort', st.sort,
    'completeOrder', st.complete_order, 'cancelOrder', st.cancel_order) END AS status,
  CASE WHEN sy.order_id IS NOT NULL THEN json_build_object(
    'status', sy.status, 'attempts', sy.attempts, 'lastError', sy.last_error,
    'backOfficeOrderId', sy.back_office_order_id, 'externalId', sy.external_id,
    'syncedAt', sy.synced_at) END AS sync,
  EXISTS (SELECT 1 FROM sync_events e WHERE e.order_id = o.id AND e.processed_at IS NULL) AS "syncPending"`;

const ORDER_JOINS = sql`
  LEFT JOIN order_statuses st ON st.id = o.status_id
  LEFT JOIN order_sync sy ON sy.order_id = o.id`;

/** One order by id. */
export function orderById(id: number): Sql {
  return sql`SELECT ${ORDER_COLUMNS} FROM orders o ${ORDER_JOINS} WHERE o.id = ${id}`;
}

/** The orders of `ids` (in no particular order). */
export function ordersByIds(ids: number[]): Sql {
  return sql`SELECT ${ORDER_COLUMNS} FROM orders o ${ORDER_JOINS} WHERE o.id = ANY(${ids}::int[])`;
}

const SORT_COLUMNS: Record<OrderSortKey, string> = { dateOrder: 'date_order', id: 'id', updatedAt: 'updated_at' };
const SORT_FIELDS: Record<OrderSortKey, string> = { dateOrder: '"dateOrder"', id: 'id', updatedAt: '"updatedAt"' };

/** `ORDER BY` of a page: the sort key, then the id, both one way (the index's order). */
function orderBy(sort: { key: OrderSortKey; descending: boolean }, column: (name: string) => string): Sql {
  const direction = sort.descending ? 'DESC' : 'ASC';
  const keys = sort.key === 'id' ? ['id'] : [sort.key, 'id'];
  return raw(keys.map((key) => `${column(key)} ${direction}`).join(', '));
}

/**
 * The rows of a page in the page's order, under one `meta` row that carries the figures of the
 * whole read (total, horizon): an empty page still answers them, in one row of nulls. `before`
 * is a common table expression that `meta` and `page` both read.
 */
function underMeta(meta: Sql, page: Sql, outerOrder: Sql, before: Sql = empty): Sql {
  return sql`
    WITH ${before}meta AS (${meta}), page AS (${page})
    SELECT meta.*, ord.* FROM meta LEFT JOIN (
      SELECT ${ORDER_COLUMNS} FROM page JOIN orders o ON o.id = page.id ${ORDER_JOINS}
    ) ord ON true
    ORDER BY ${outerOrder}`;
}

/**
 * The orders a list reads: `FROM ${from} WHERE ${where}`, the relation named `o`. `readOnce`: the
 * count and the page read one set of matches, found once; else each reads the index that serves
 * it best and stops at its limit.
 */
export interface ListedOrders {
  from: Sql;
  where: Sql;
  readOnce: boolean;
}

/** The orders that match `where`, a condition on `orders o`. */
export function ordersWhere(where: Sql): ListedOrders {
  return { from: sql`orders o`, where, readOnce: false };
}

/**
 * order_notes under the names of orders' columns: what a search of the notes reads when nothing
 * else it filters or sorts on needs an order's own row.
 */
const ORDER_NOTES = sql`(SELECT order_id AS id, note_lower, date_order, deleted_at FROM order_notes) o`;

/** The filters order_notes answers besides the note: the order date, the id, the archive mark. */
const ANSWERED_BY_NOTES = new Set<keyof OrderListFilter>([
  'noteContains',
  'dateStart',
  'dateEnd',
  'timeZone',
  'from',
  'to',
  'orderId',
  'withArchived',
]);

/**
 * The orders a list's filters match. A search of the notes (`description`) matches orders spread
 * over the whole table, and a trigram index must recheck every candidate on its row: on
 * order_notes those rows are narrow, on orders they are not. So when nothing but dates, the id or
 * the archive mark filters it besides, and it is sorted by date or id, the list reads order_notes
 * alone, its count and page from one scan of the matches. Beside any other filter it reads orders
 * (their own trigram index on the note), where the planner can start from whichever condition
 * matches least and stop counting at the limit.
 */
export function listedOrders(filter: OrderListFilter, sortKey: OrderSortKey): ListedOrders {
  const given = (Object.keys(filter) as Array<keyof OrderListFilter>).filter((key) => filter[key] !== undefined);
  if (
    filter.noteContains !== undefined &&
    sortKey !== 'updatedAt' &&
    given.every((key) => ANSWERED_BY_NOTES.has(key))
  ) {
    return { from: ORDER_NOTES, where: orderWhere(filter, 'notes'), readOnce: true };
  }
  return ordersWhere(orderWhere(filter));
}

/** How many orders match, counted up to `limit` (the count stops there: see OrdersRepository.page). */
export function countUpTo(listed: ListedOrders, limit: number): Sql {
  return sql`SELECT count(*)::int AS counted FROM (SELECT 1 FROM ${listed.from} WHERE ${listed.where} LIMIT ${limit}) matching`;
}

/** A page of orders by offset, with how many match (up to `countLimit`). */
export function orderPage(
  listed: ListedOrders,
  sort: { key: OrderSortKey; descending: boolean },
  offset: number,
  limit: number,
  countLimit: number,
): Sql {
  const outerOrder = orderBy(sort, (key) => `ord.${SORT_FIELDS[key as OrderSortKey]}`);
  const pageOf = ({ from, where }: ListedOrders) =>
    sql`SELECT o.id FROM ${from} WHERE ${where}
               ORDER BY ${orderBy(sort, (key) => `o.${SORT_COLUMNS[key as OrderSortKey]}`)}
               LIMIT ${limit} OFFSET ${offset}`;
  if (!listed.readOnce) return underMeta(countUpTo(listed, countLimit), pageOf(listed), outerOrder);
  // The matches with what a page of them is sorted on.
  const matched = { from: sql`matched o`, where: sql`true`, readOnce: false };
  const sortColumn = sort.key === 'id' ? empty : raw(`, o.${SORT_COLUMNS[sort.key]}`);
  return underMeta(
    countUpTo(matched, countLimit),
    pageOf(matched),
    outerOrder,
    sql`matched AS MATERIALIZED (SELECT o.id${sortColumn} FROM ${listed.from} WHERE ${listed.where}), `,
  );
}

/**
 * Orders changed after `after` and before the horizon (the oldest transaction still running, read
 * in the same statement), oldest change first, with how many remain (up to `countLimit`).
 */
export function orderChanges(
  where: Sql,
  after: { changeSeq: bigint; id: number } | null,
  limit: number,
  countLimit: number,
): Sql {
  const horizon = sql`pg_snapshot_xmin(pg_current_snapshot())::text::bigint`;
  const remaining = remainingChanges(where, after, horizon);
  return underMeta(
    sql`SELECT ${horizon}::text AS horizon, (${countUpTo(ordersWhere(remaining), countLimit)}) AS counted`,
    sql`SELECT o.id FROM orders o WHERE ${remaining} ORDER BY o.change_seq, o.id LIMIT ${limit}`,
    sql`ord."changeSeq"::bigint, ord.id`,
  );
}

/** The orders that match `where` changed after `after` and before `horizon`. */
export function remainingChanges(
  where: Sql,
  after: { changeSeq: bigint; id: number } | null,
  horizon: Sql | bigint,
): Sql {
  const position = after ? sql` AND (o.change_seq, o.id) > (${after.changeSeq}, ${after.id})` : empty;
  return sql`${where} AND o.change_seq < ${horizon}${position}`;
}

/** The planner's estimate of how many orders match: what a count past its limit answers. */
export function estimatedCount(listed: ListedOrders): Sql {
  return sql`EXPLAIN (FORMAT JSON) SELECT 1 FROM ${listed.from} WHERE ${listed.where}`;
}

/**
 * Orders in `state` as lifecycleState reads the flags, the later ones first: canceled, then done,
 * then delivered, then sent, else open.
 */
function inLifecycleState(state: FulfillmentState): Sql {
  switch (state) {
    case 'canceled':
      return sql`o.canceled`;
    case 'done':
      return sql`(o.done AND NOT o.canceled)`;
    case 'delivered':
      return sql`(o.delivered AND NOT o.done AND NOT o.canceled)`;
    case 'sent':
      return sql`(o.sent AND NOT o.delivered AND NOT o.done AND NOT o.canceled)`;
    case 'open':
      return sql`NOT (o.sent OR o.delivered OR o.done OR o.canceled)`;
  }
}

/**
 * The list filters as a WHERE condition on `orders o`, or on order_notes under the same names
 * (`notes`: see listedOrders); `true` when there are none.
 */
export function orderWhere(filter: OrderListFilter, reading: 'orders' | 'notes' = 'orders'): Sql {
  const conditions: Sql[] = [];
  const equal = (column: string, value: unknown) => {
    if (value !== undefined) conditions.push(sql`${raw(`o.${column}`)} = ${value}`);
  };
  equal('channel_id', filter.channelId);
  equal('company_id', filter.companyId);
  equal('customer_id', filter.customerId);
  equal('done', filter.done);
  equal('canceled', filter.canceled);
  equal('status_id', filter.statusId);
  equal('email_normalized', filter.emailNormalized);
  equal('external_order_id', filter.externalOrderId);
  equal('external_order_id', filter.orderReference);
  equal('status_id', filter.orderStatusId);
  equal('id', filter.orderId);
  if (filter.lifecycleState !== undefined) conditions.push(inLifecycleState(filter.lifecycleState));
  if (filter.amountTotal !== undefined) conditions.push(sql`o.money = ${filter.amountTotal.toString()}::numeric`);
  if (filter.metadata !== undefined) conditions.push(sql`o.metadata @> ${JSON.stringify(filter.metadata)}::jsonb`);
  if (filter.noteContains !== undefined) conditions.push(noteContains(filter.noteContains, reading));
  // Whole days in the zone: from its midnight, to the next day's.
  if (filter.dateStart !== undefined) {
    conditions.push(
      sql`o.date_order >= (${filter.dateStart}::date::timestamp AT TIME ZONE ${filter.timeZone ?? 'UTC'})`,
    );
  }
  if (filter.dateEnd !== undefined) {
    conditions.push(
      sql`o.date_order < ((${filter.dateEnd}::date + 1)::timestamp AT TIME ZONE ${filter.timeZone ?? 'UTC'})`,
    );
  }
  if (!filter.withArchived) conditions.push(sql`o.deleted_at IS NULL`);
  if (filter.from) conditions.push(sql`o.date_order >= ${filter.from}`);
  if (filter.to) conditions.push(sql`o.date_order <= ${filter.to}`);
  if (filter.updatedSince) conditions.push(sql`o.updated_at >= ${filter.updatedSince}`);
  if (filter.trackingNumber !== undefined) {
    conditions.push(
      sql`EXISTS (SELECT 1 FROM trackings t WHERE t.order_id = o.id AND t.tracking_number = ${filter.trackingNumber})`,
    );
  }
  const syncCondition = syncStatusCondition(filter.syncStatus);
  if (syncCondition) conditions.push(syncCondition);
  return conditions.length === 0 ? sql`true` : join(conditions, ' AND ');
}

/**
 * The note contains `text`, case-insensitively, on a trigram index: orders' own (`note ILIKE`),
 * or order_notes' lower-cased copy LIKE the lower-cased text, which is what ILIKE itself does in
 * a multi-byte encoding. The text's own % _ and \ match themselves.
 */
function noteContains(text: string, reading: 'orders' | 'notes'): Sql {
  const pattern = `%${text.replace(/[\\%_]/g, '\\$&')}%`;
  return reading === 'notes' ? sql`o.note_lower LIKE lower(${pattern}::text)` : sql`o.note ILIKE ${pattern}`;
}

/** The sync status filter: failed and retrying are stored; pending and synced follow from the outbox. */
function syncStatusCondition(status: SyncStatus | undefined): Sql | null {
  const pending = sql`EXISTS (SELECT 1 FROM sync_events e WHERE e.order_id = o.id AND e.processed_at IS NULL)`;
  const state = (value: SyncState) =>
    sql`EXISTS (SELECT 1 FROM order_sync s WHERE s.order_id = o.id AND s.status = ${value})`;
  switch (status) {
    case 'failed':
    case 'retrying':
      return state(status);
    case 'pending':
      return sql`${state('ok')} AND ${pending}`;
    case 'synced':
      return sql`${state('ok')} AND NOT ${pending}`;
    case undefined:
      return null;
  }
}

type ComposedField = 'figures' | 'discount' | 'shippingPrice' | 'paymentPrice';

/** The column of each field of a new order, and of every field a change may set (but the composed ones). */
const ORDER_COLUMNS_BY_FIELD: Record<Exclude<keyof NewOrder | keyof OrderPatch, 'items' | ComposedField>, string> = {
  hash: 'hash',
  source: 'source',
  customerId: 'customer_id',
  companyId: 'company_id',
  channelId: 'channel_id',
  shippingId: 'shipping_id',
  paymentId: 'payment_id',
  dateOrder: 'date_order',
  dateMaturity: 'date_maturity',
  email: 'email',
  phone: 'phone',
  name: 'name',
  street: 'street',
  city: 'city',
  zip: 'zip',
  stateCode: 'state_code',
  companyName: 'company_name',
  companyNr: 'company_nr',
  companyVat: 'company_vat',
  deliveryName: 'delivery_name',
  deliveryStreet: 'delivery_street',
  deliveryCity: 'delivery_city',
  deliveryZip: 'delivery_zip',
  deliveryStateCode: 'delivery_state_code',
  deliveryPhone: 'delivery_phone',
  deliveryEmail: 'delivery_email',
  note: 'note',
  ourNote: 'our_note',
  ip: 'ip',
  domain: 'domain',
  mainCurrencyCode: 'main_currency_code',
  orderCurrencyCode: 'order_currency_code',
  currencyRate: 'currency_rate',
  externalOrderPrefix: 'external_order_prefix',
  externalOrderId: 'external_order_id',
  money: 'money',
  paid: 'paid',
  datePaid: 'date_paid',
  sent: 'sent',
  delivered: 'delivered',
  done: 'done',
  canceled: 'canceled',
  statusId: 'status_id',
  externalPaymentId: 'external_payment_id',
  externalPaymentUrl: 'external_payment_url',
  refunded: 'refunded',
  invoiced: 'invoiced',
  metadata: 'metadata',
  archived: 'deleted_at',
};

/** Amounts go to Postgres as text: exact, and typed by the column they fill. */
const parameter = (value: unknown): unknown => (value instanceof Decimal ? value.toString() : value);

/**
 * A jsonb column's value as JSON text: a parameter of its own (node-postgres sends what
 * toPostgres answers), or a value inside a row of JSON (insertOrders), where it is written as it is.
 */
class JsonText {
  constructor(readonly text: string) {}

  toPostgres(): string {
    return this.text;
  }
}

/** A fee's price as its jsonb column keeps it: amounts as text. */
function storedPrice(price: UnitPrice | null): JsonText | null {
  return price === null
    ? null
    : jsonText({
        givenAs: price.givenAs,
        basePrice: price.basePrice.toString(),
        finalPrice: price.finalPrice.toString(),
        vatRate: price.vatRate.toString(),
        vatValue: price.vatValue.toString(),
      });
}

function jsonText(value: unknown): JsonText {
  return new JsonText(JSON.stringify(value));
}

/** The columns and parameters of the given fields of an order, the composed ones taken apart. */
function orderColumns(fields: Partial<Omit<NewOrder, 'items'>>): Array<[string, unknown]> {
  const columns: Array<[string, unknown]> = [];
  for (const [field, value] of Object.entries(fields)) {
    if (value === undefined) continue;
    if (field === 'figures') {
      const figures = value as OrderFigures;
      const taxes = figures.taxes.map((tax) => ({
        rate: tax.rate.toString(),
        base: tax.base.toString(),
        tax: tax.tax.toString(),
      }));
      columns.push(
        ['amount_subtotal', figures.subtotal.toString()],
        ['amount_discount', figures.discount.toString()],
        ['amount_shipping', figures.shipping.toString()],
        ['amount_payment_fee', figures.paymentFee.toString()],
        ['amount_tax', figures.tax.toString()],
        ['taxes', jsonText(taxes)],
      );
    } else if (field === 'discount') {
      const discount = value as NewOrder['discount'];
      columns.push(
        ['discount_kind', discount?.kind ?? null],
        ['discount_value', discount?.value.toString() ?? null],
        ['discount_code', discount?.code ?? null],
      );
    } else if (field === 'archived') {
      // Archived now, by the database's clock (like updated_at), or restored.
      columns.push(['deleted_at', value ? sql`now()` : null]);
    } else if (field === 'metadata') {
      columns.push(['metadata', jsonText(value)]);
    } else if (field === 'shippingPrice' || field === 'paymentPrice') {
      columns.push([
        field === 'shippingPrice' ? 'shipping_price' : 'payment_price',
        storedPrice(value as UnitPrice | null),
      ]);
    } else {
      columns.push([ORDER_COLUMNS_BY_FIELD[field as keyof typeof ORDER_COLUMNS_BY_FIELD], parameter(value)]);
    }
  }
  return columns;
}

/** A new order's columns and their values: the given fields, and the e-mail as the customer look-ups compare it. */
function newOrderColumns(order: Omit<NewOrder, 'items'>): Array<[string, unknown]> {
  return [
    ['email_normalized', order.email?.toLowerCase() ?? null],
    ...orderColumns({ ...order, externalOrderPrefix: order.externalOrderPrefix ?? '' }),
  ];
}

/**
 * The anchor of a new order's unit of work (see UnitOfWork): the order row, unless an order with
 * its external id exists (then nothing is written, and the statement answers no row). Its lines
 * are the part `insertLines` adds.
 */
export function insertOrder(order: Omit<NewOrder, 'items'>): Sql {
  const given = newOrderColumns(order);
  return sql`
    INSERT INTO orders (${raw(given.map(([column]) => column).join(', '))})
    VALUES (${join(given.map(([, value]) => value))})
    ON CONFLICT (external_order_prefix, external_order_id) DO NOTHING
    RETURNING id, version, updated_at`;
}

/**
 * New orders as one INSERT (a TableWork's, see OrdersRepository.creations), in the order given,
 * each unless an order with its external id exists; answers their id, version and hash. Their
 * rows are one JSON parameter that Postgres reads as rows of the table itself
 * (json_populate_recordset), so every column keeps the type it has there.
 */
export function insertOrders(orders: Array<Omit<NewOrder, 'items'>>): Sql {
  const rows = orders.map(newOrderColumns);
  const columns = rows[0]!.map(([column]) => column);
  const json = rows.map((row) => {
    if (row.length !== columns.length || row.some(([column], index) => column !== columns[index])) {
      throw new Error('New orders written together must set the same columns');
    }
    return `{${row.map(([column, value]) => `"${column}":${jsonOf(value)}`).join(',')}}`;
  });
  return sql`
    INSERT INTO orders (${raw(columns.join(', '))})
    SELECT ${raw(columns.map((column) => `given.${column}`).join(', '))}
      FROM json_populate_recordset(NULL::orders, ${`[${json.join(',')}]`}::json) WITH ORDINALITY AS given
     ORDER BY given.ordinality
    ON CONFLICT (external_order_prefix, external_order_id) DO NOTHING
    RETURNING id, version, hash`;
}

/** A column's value inside a row of JSON: JSON text as it is, dates as ISO 8601, decimals as text. */
function jsonOf(value: unknown): string {
  if (value instanceof JsonText) return value.text;
  if (value instanceof Sql) throw new Error('A value computed by Postgres cannot be written inside a row of JSON');
  return JSON.stringify(value);
}

/** The columns of a line a write sets, with each line's value as an array parameter of its type. */
const LINE_COLUMNS: Array<[string, string, (item: NewOrderItem) => unknown]> = [
  ['article_number', 'text', (item) => item.articleNumber],
  ['name', 'text', (item) => item.name],
  ['count', 'int', (item) => item.count],
  ['note', 'text', (item) => item.note],
  ['price_given_as', 'text', (item) => item.priceGivenAs],
  ['base_price', 'numeric', (item) => item.basePrice],
  ['final_price', 'numeric', (item) => item.finalPrice],
  ['vat_rate', 'numeric', (item) => item.vatRate],
  ['vat_value', 'numeric', (item) => item.vatValue],
  ['original_base_price', 'numeric', (item) => item.originalBasePrice],
  ['original_final_price', 'numeric', (item) => item.originalFinalPrice],
  ['original_vat_rate', 'numeric', (item) => item.originalVatRate],
  ['original_vat_value', 'numeric', (item) => item.originalVatValue],
  ['discount_kind', 'text', (item) => item.discount?.kind ?? null],
  ['discount_value', 'numeric', (item) => item.discount?.value ?? null],
  ['order_discount', 'numeric', (item) => item.orderDiscount],
  ['total', 'numeric', (item) => item.total],
  ['metadata', 'jsonb', (item) => item.metadata],
];

/** A line's value of a column as a parameter, or in a row of JSON: decimals as text, jsonb as JSON. */
function lineValue(type: string, value: unknown): unknown {
  return type === 'jsonb' ? JSON.stringify(value) : parameter(value);
}

/** `unnest` of the lines' values, one array per column, as `line(<columns>, n)`. */
function lineValues(items: NewOrderItem[]): Sql {
  const arrays = LINE_COLUMNS.map(
    ([, type, pick]) => sql`${items.map((item) => lineValue(type, pick(item)))}::${raw(type)}[]`,
  );
  return sql`unnest(${join(arrays)}) WITH ORDINALITY AS line(${raw(LINE_COLUMNS.map(([column]) => column).join(', '))}, n)`;
}

const LINE_COLUMN_NAMES = raw(LINE_COLUMNS.map(([column]) => column).join(', '));
/** The columns of the lines given as `line` (lineValues, insertLinesOfAll), in LINE_COLUMN_NAMES's order. */
const GIVEN_LINE_VALUES = raw(LINE_COLUMNS.map(([column]) => `line.${column}`).join(', '));

/** A part inserting lines into the anchor's order (one statement for any number of lines). */
export function insertLines(items: NewOrderItem[]): Sql {
  return sql`
    INSERT INTO order_items (order_id, ${LINE_COLUMN_NAMES})
    SELECT anchor.id, ${GIVEN_LINE_VALUES}
      FROM anchor, ${lineValues(items)}
     ORDER BY line.n
    RETURNING id`;
}

/**
 * A TableWork's part inserting the lines of its orders (see OrdersRepository.creations):
 * `itemsOf[u]` those of unit u's, written in the order of the units and of their lines.
 */
export function insertLinesOfAll(itemsOf: NewOrderItem[][]): Sql {
  const rows = itemsOf.flatMap((items, u) =>
    items.map((item, n) => {
      const row: { u: number } & Record<string, unknown> = { u, n };
      for (const [column, type, pick] of LINE_COLUMNS) {
        row[column] = type === 'jsonb' ? pick(item) : parameter(pick(item));
      }
      return row;
    }),
  );
  const types = LINE_COLUMNS.map(([column, type]) => `${column} ${type}`).join(', ');
  return sql`
    INSERT INTO order_items (order_id, ${LINE_COLUMN_NAMES})
    SELECT anchor.id, ${GIVEN_LINE_VALUES}
      FROM anchor JOIN ${unitRows(rows, 'line', `n int, ${types}`)} USING (u)
     ORDER BY line.u, line.n`;
}

/** A part writing the lines of the anchor's order whole (one statement for any number of lines). */
export function rewriteLines(lines: ChangedLine[]): Sql {
  const ids = lines.map((line) => line.id);
  return sql`
    UPDATE order_items i SET ${raw(LINE_COLUMNS.map(([column]) => `${column} = line.${column}`).join(', '))}
      FROM anchor, ${lineValues(lines)}, unnest(${ids}::int[]) WITH ORDINALITY AS line_id(id, n)
     WHERE line_id.n = line.n AND i.id = line_id.id AND i.order_id = anchor.id`;
}

/**
 * The anchor of a change to an order: the patch and the next version, written only while the
 * order is still at `version` (the version the change was decided on). The UPDATE takes the row
 * lock; a concurrent change that got there first makes it write nothing.
 */
export function updateOrder(id: number, version: number, patch: OrderPatch): Sql {
  const sets = orderColumns(patch).map(([column, value]) => sql`${raw(column)} = ${value}`);
  return sql`
    UPDATE orders SET ${join([...sets, sql`version = version + 1`], ', ')}
     WHERE id = ${id} AND version = ${version}
    RETURNING id, version, updated_at`;
}

/**
 * The anchor of a write that leaves the order row as it is (a history note, a resync): the order,
 * while it is still at `version`.
 */
export function orderAtVersion(id: number, version: number): Sql {
  return sql`SELECT id, version, updated_at FROM orders WHERE id = ${id} AND version = ${version}`;
}

/** A part deleting lines of the anchor's order. */
export function deleteLines(itemIds: number[]): Sql {
  return sql`DELETE FROM order_items i USING anchor WHERE i.id = ANY(${itemIds}::int[]) AND i.order_id = anchor.id`;
}

/** A part adding a parcel to the anchor's order, answering its id. */
export function insertTracking(shipperId: number, trackingNumber: string): Sql {
  return sql`
    INSERT INTO trackings (order_id, shipper_id, tracking_number)
    SELECT anchor.id, ${shipperId}, ${trackingNumber} FROM anchor RETURNING id`;
}

/** A payment as a write records it: new, or the latest report of one with its payment_id. */
export type PaymentReport = Omit<PaymentRecord, 'id' | 'createdAt' | 'updatedAt'>;

/** A part recording payments of the anchor's order, each new or its latest report. */
export function upsertPayments(payments: PaymentReport[]): Sql {
  return sql`
    INSERT INTO order_payments (order_id, external_payment_id, amount, url, status, method)
    SELECT anchor.id, payment.reference, payment.amount, payment.url, payment.status, payment.method
      FROM anchor, unnest(${payments.map((payment) => payment.externalPaymentId)}::text[],
                          ${payments.map((payment) => payment.amount.toString())}::numeric[],
                          ${payments.map((payment) => payment.url)}::text[],
                          ${payments.map((payment) => payment.status)}::text[],
                          ${payments.map((payment) => payment.method)}::text[])
           AS payment(reference, amount, url, status, method)
    ON CONFLICT (order_id, external_payment_id) DO UPDATE
       SET amount = excluded.amount, url = coalesce(excluded.url, order_payments.url), status = excluded.status,
           method = coalesce(excluded.method, order_payments.method), updated_at = now()`;
}

/** A part recording a refund of the anchor's order, answering its id. */
export function insertRefund(refund: Omit<RefundRecord, 'id' | 'createdAt'>): Sql {
  return sql`
    INSERT INTO order_refunds (order_id, refund_id, amount, reason, lines)
    SELECT anchor.id, ${refund.refundId}, ${refund.amount.toString()}, ${refund.reason},
           ${JSON.stringify(refund.lines)}::jsonb
      FROM anchor RETURNING id, created_at`;
}

/** An order row as the statements above return it. */
type StoredPrice = { givenAs: PriceGivenAs; basePrice: string; finalPrice: string; vatRate: string; vatValue: string };
type Text<T> = { [K in keyof T]: T[K] extends Decimal ? string : T[K] extends Decimal | null ? string | null : T[K] };

/** An order row as the statements above return it. */
export interface OrderRow extends Omit<
  OrderRecord,
  | 'currencyRate'
  | 'money'
  | 'paid'
  | 'refunded'
  | 'externalOrderPrefix'
  | 'source'
  | 'sync'
  | 'status'
  | 'items'
  | 'trackings'
  | 'payments'
  | 'refunds'
  | 'figures'
  | 'discount'
  | 'shippingPrice'
  | 'paymentPrice'
  | 'archived'
> {
  currencyRate: string | null;
  money: string;
  paid: string;
  refunded: string;
  externalOrderPrefix: string;
  source: string;
  changeSeq: string;
  discountKind: DiscountKind | null;
  discountValue: string | null;
  discountCode: string | null;
  shippingPrice: StoredPrice | null;
  paymentPrice: StoredPrice | null;
  amountSubtotal: string;
  amountDiscount: string;
  amountShipping: string;
  amountPaymentFee: string;
  amountTax: string;
  taxes: Array<Text<TaxLine>>;
  /** The lines, amounts as text. */
  items: Array<
    Text<Omit<OrderItemRecord, 'orderId' | 'discount'>> & {
      discountKind: DiscountKind | null;
      discountValue: string | null;
    }
  >;
  trackings: TrackingRecord[];
  payments: Array<Text<Omit<PaymentRecord, 'createdAt' | 'updatedAt'>> & { createdAt: string; updatedAt: string }>;
  refunds: Array<Text<Omit<RefundRecord, 'createdAt'>> & { createdAt: string }>;
  status: OrderRecord['status'];
  sync:
    | (Omit<NonNullable<OrderRecord['sync']>, 'syncedAt' | 'status'> & { status: string; syncedAt: string | null })
    | null;
}

function priceOf(stored: StoredPrice | null): UnitPrice | null {
  return (
    stored && {
      givenAs: stored.givenAs,
      basePrice: decimalFromText(stored.basePrice),
      finalPrice: decimalFromText(stored.finalPrice),
      vatRate: decimalFromText(stored.vatRate),
      vatValue: decimalFromText(stored.vatValue),
    }
  );
}

export function toOrderRecord(row: OrderRow): OrderRecord {
  const { sync } = row;
  // Field by field rather than by spreading the row: a page maps thousands of these, and a
  // literal of one shape is what V8 builds fastest.
  return {
    id: row.id,
    hash: row.hash,
    customerId: row.customerId,
    companyId: row.companyId,
    channelId: row.channelId,
    shippingId: row.shippingId,
    paymentId: row.paymentId,
    dateOrder: row.dateOrder,
    dateMaturity: row.dateMaturity,
    email: row.email,
    phone: row.phone,
    name: row.name,
    street: row.street,
    city: row.city,
    zip: row.zip,
    stateCode: row.stateCode,
    companyName: row.companyName,
    companyNr: row.companyNr,
    companyVat: row.companyVat,
    deliveryName: row.deliveryName,
    deliveryStreet: row.deliveryStreet,
    deliveryCity: row.deliveryCity,
    deliveryZip: row.deliveryZip,
    deliveryStateCode: row.deliveryStateCode,
    deliveryPhone: row.deliveryPhone,
    deliveryEmail: row.deliveryEmail,
    note: row.note,
    ourNote: row.ourNote,
    ip: row.ip,
    domain: row.domain,
    mainCurrencyCode: row.mainCurrencyCode,
    orderCurrencyCode: row.orderCurrencyCode,
    currencyRate: row.currencyRate === null ? null : decimalFromText(row.currencyRate),
    money: decimalFromText(row.money),
    figures: {
      subtotal: decimalFromText(row.amountSubtotal),
      discount: decimalFromText(row.amountDiscount),
      shipping: decimalFromText(row.amountShipping),
      paymentFee: decimalFromText(row.amountPaymentFee),
      tax: decimalFromText(row.amountTax),
      total: decimalFromText(row.money),
      taxes: row.taxes.map((tax) => ({
        rate: decimalFromText(tax.rate),
        base: decimalFromText(tax.base),
        tax: decimalFromText(tax.tax),
      })),
    },
    discount:
      row.discountKind === null
        ? null
        : { kind: row.discountKind, value: decimalFromText(row.discountValue!), code: row.discountCode },
    shippingPrice: priceOf(row.shippingPrice),
    paymentPrice: priceOf(row.paymentPrice),
    paid: decimalFromText(row.paid),
    refunded: decimalFromText(row.refunded),
    invoiced: row.invoiced,
    metadata: row.metadata,
    archived: row.deletedAt !== null,
    deletedAt: row.deletedAt,
    datePaid: row.datePaid,
    statusId: row.statusId,
    status: row.status,
    sent: row.sent,
    delivered: row.delivered,
    done: row.done,
    canceled: row.canceled,
    externalOrderPrefix: row.externalOrderPrefix || null,
    externalOrderId: row.externalOrderId,
    externalPaymentId: row.externalPaymentId,
    externalPaymentUrl: row.externalPaymentUrl,
    source: row.source as OrderRecord['source'],
    sync: sync && {
      status: sync.status as SyncState,
      attempts: sync.attempts,
      lastError: sync.lastError,
      backOfficeOrderId: sync.backOfficeOrderId,
      externalId: sync.externalId,
      syncedAt: sync.syncedAt ? new Date(sync.syncedAt) : null,
    },
    syncPending: row.syncPending,
    version: row.version,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
    trackings: row.trackings,
    items: row.items.map((item) => ({
      id: item.id,
      orderId: row.id,
      articleNumber: item.articleNumber,
      name: item.name,
      count: item.count,
      note: item.note,
      priceGivenAs: item.priceGivenAs,
      basePrice: decimalFromText(item.basePrice),
      finalPrice: decimalFromText(item.finalPrice),
      vatRate: decimalFromText(item.vatRate),
      vatValue: decimalFromText(item.vatValue),
      originalBasePrice: decimalFromText(item.originalBasePrice),
      originalFinalPrice: decimalFromText(item.originalFinalPrice),
      originalVatRate: decimalFromText(item.originalVatRate),
      originalVatValue: decimalFromText(item.originalVatValue),
      discount:
        item.discountKind === null ? null : { kind: item.discountKind, value: decimalFromText(item.discountValue!) },
      orderDiscount: decimalFromText(item.orderDiscount),
      total: decimalFromText(item.total),
      metadata: item.metadata,
    })),
    payments: row.payments.map((payment) => ({
      id: payment.id,
      externalPaymentId: payment.externalPaymentId,
      amount: decimalFromText(payment.amount),
      url: payment.url,
      status: payment.status,
      method: payment.method,
      createdAt: new Date(payment.createdAt),
      updatedAt: new Date(payment.updatedAt),
    })),
    refunds: row.refunds.map((refund) => ({
      id: refund.id,
      refundId: refund.refundId,
      amount: decimalFromText(refund.amount),
      reason: refund.reason,
      lines: refund.lines,
      createdAt: new Date(refund.createdAt),
    })),
  };
}
