import { Decimal, decimalFromText } from '../common/money/money.js';
import { type Sql, assignments, empty, join, raw, sql } from '../database/sql.js';
import type { SyncState, SyncStatus } from '../outbox/order-sync.repository.js';
import type {
  ItemPatch,
  NewOrder,
  NewOrderItem,
  OrderItemRecord,
  OrderListFilter,
  OrderPatch,
  OrderRecord,
  OrderSortKey,
  PaymentRecord,
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
  (SELECT coalesce(json_agg(json_build_object(
            'id', i.id, 'articleNumber', i.article_number, 'name', i.name, 'count', i.count, 'note', i.note,
            'priceGivenAs', i.price_given_as, 'basePrice', i.base_price::text, 'finalPrice', i.final_price::text,
            'vatRate', i.vat_rate::text, 'vatValue', i.vat_value::text,
            'originalBasePrice', i.original_base_price::text, 'originalFinalPrice', i.original_final_price::text,
            'originalVatRate', i.original_vat_rate::text, 'originalVatValue', i.original_vat_value::text)
          ORDER BY i.id), '[]')
     FROM order_items i WHERE i.order_id = o.id) AS items,
  (SELECT coalesce(json_agg(json_build_object(
            'id', t.id, 'shipperId', t.shipper_id, 'trackingNumber', t.tracking_number,
            'trackingUrlTemplate', s.tracking_url_template) ORDER BY t.id), '[]')
     FROM trackings t JOIN shippers s ON s.id = t.shipper_id WHERE t.order_id = o.id) AS trackings,
  (SELECT coalesce(json_agg(json_build_object(
            'id', p.id, 'externalPaymentId', p.external_payment_id, 'amount', p.amount::text, 'url', p.url,
            'createdAt', p.created_at) ORDER BY p.id), '[]')
     FROM order_payments p WHERE p.order_id = o.id) AS payments,
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
 * whole read (total, horizon): an empty page still answers them, in one row of nulls.
 */
function underMeta(meta: Sql, page: Sql, outerOrder: Sql): Sql {
  return sql`
    WITH meta AS (${meta}), page AS (${page})
    SELECT meta.*, ord.* FROM meta LEFT JOIN (
      SELECT ${ORDER_COLUMNS} FROM page JOIN orders o ON o.id = page.id ${ORDER_JOINS}
    ) ord ON true
    ORDER BY ${outerOrder}`;
}

/** How many orders match, counted up to `limit` (the count stops there: see OrdersRepository.page). */
export function countUpTo(where: Sql, limit: number): Sql {
  return sql`SELECT count(*)::int AS counted FROM (SELECT 1 FROM orders o WHERE ${where} LIMIT ${limit}) matching`;
}

/** A page of orders by offset, with how many match (up to `countLimit`). */
export function orderPage(
  where: Sql,
  sort: { key: OrderSortKey; descending: boolean },
  offset: number,
  limit: number,
  countLimit: number,
): Sql {
  return underMeta(
    countUpTo(where, countLimit),
    sql`SELECT o.id FROM orders o WHERE ${where}
               ORDER BY ${orderBy(sort, (key) => `o.${SORT_COLUMNS[key as OrderSortKey]}`)}
               LIMIT ${limit} OFFSET ${offset}`,
    orderBy(sort, (key) => `ord.${SORT_FIELDS[key as OrderSortKey]}`),
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
    sql`SELECT ${horizon}::text AS horizon, (${countUpTo(remaining, countLimit)}) AS counted`,
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
export function estimatedCount(where: Sql): Sql {
  return sql`EXPLAIN (FORMAT JSON) SELECT 1 FROM orders o WHERE ${where}`;
}

/** The list filters as a WHERE condition on `orders o`; `true` when there are none. */
export function orderWhere(filter: OrderListFilter): Sql {
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

/** The column of each field of a new order, and of every field a change may set. */
const ORDER_COLUMNS_BY_FIELD: Record<Exclude<keyof NewOrder, 'items'> | keyof OrderPatch, string> = {
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
};

/** Amounts go to Postgres as text: exact, and typed by the column they fill. */
const parameter = (value: unknown): unknown => (value instanceof Decimal ? value.toString() : value);

/**
 * The anchor of a new order's unit of work (see UnitOfWork): the order row, unless an order with
 * its external id exists (then nothing is written, and the statement answers no row). Its lines
 * are the part `linesOf` adds.
 */
export function insertOrder(order: Omit<NewOrder, 'items'>): Sql {
  const given = Object.entries({
    ...order,
    externalOrderPrefix: order.externalOrderPrefix ?? '',
  }).filter(([, value]) => value !== undefined);
  const columns = given.map(([field]) => ORDER_COLUMNS_BY_FIELD[field as keyof typeof ORDER_COLUMNS_BY_FIELD]);
  return sql`
    INSERT INTO orders (email_normalized, ${raw(columns.join(', '))})
    VALUES (${order.email?.toLowerCase() ?? null}, ${join(given.map(([, value]) => parameter(value)))})
    ON CONFLICT (external_order_prefix, external_order_id) DO NOTHING
    RETURNING id, version, updated_at`;
}

/**
 * A part inserting lines into the anchor's order (one statement for any number of lines). A line's
 * original prices start as its prices.
 */
export function insertLines(items: NewOrderItem[]): Sql {
  const lines = (pick: (item: NewOrderItem) => unknown) => items.map((item) => parameter(pick(item)));
  return sql`
    INSERT INTO order_items (order_id, article_number, name, count, note, price_given_as, base_price, final_price,
                             vat_rate, vat_value, original_base_price, original_final_price, original_vat_rate,
                             original_vat_value)
    SELECT anchor.id, line.article_number, line.name, line.count, line.note, line.given_as, line.base, line.final,
           line.vat_rate, line.vat_value, line.base, line.final, line.vat_rate, line.vat_value
      FROM anchor, unnest(${lines((item) => item.articleNumber)}::text[], ${lines((item) => item.name)}::text[],
                     ${lines((item) => item.count)}::int[], ${lines((item) => item.note)}::text[],
                     ${lines((item) => item.priceGivenAs)}::text[], ${lines((item) => item.basePrice)}::numeric[],
                     ${lines((item) => item.finalPrice)}::numeric[], ${lines((item) => item.vatRate)}::numeric[],
                     ${lines((item) => item.vatValue)}::numeric[])
           WITH ORDINALITY AS line(article_number, name, count, note, given_as, base, final, vat_rate, vat_value, n)
     ORDER BY line.n
    RETURNING id`;
}

/**
 * The anchor of a change to an order: the patch and the next version, written only while the
 * order is still at `version` (the version the change was decided on). The UPDATE takes the row
 * lock; a concurrent change that got there first makes it write nothing.
 */
export function updateOrder(id: number, version: number, patch: OrderPatch): Sql {
  const sets = assignments(patch, ORDER_COLUMNS_BY_FIELD, parameter);
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

const ITEM_PATCH_COLUMNS: Record<keyof ItemPatch, string> = {
  articleNumber: 'article_number',
  name: 'name',
  count: 'count',
  note: 'note',
  priceGivenAs: 'price_given_as',
  basePrice: 'base_price',
  finalPrice: 'final_price',
  vatRate: 'vat_rate',
  vatValue: 'vat_value',
};

/** A part changing one line of the anchor's order. */
export function updateLine(itemId: number, patch: ItemPatch): Sql {
  const sets = assignments(patch, ITEM_PATCH_COLUMNS, parameter);
  return sql`UPDATE order_items i SET ${join(sets, ', ')} FROM anchor WHERE i.id = ${itemId} AND i.order_id = anchor.id`;
}

/** A part deleting one line of the anchor's order. */
export function deleteLine(itemId: number): Sql {
  return sql`DELETE FROM order_items i USING anchor WHERE i.id = ${itemId} AND i.order_id = anchor.id`;
}

/** A part adding a parcel to the anchor's order, answering its id. */
export function insertTracking(shipperId: number, trackingNumber: string): Sql {
  return sql`
    INSERT INTO trackings (order_id, shipper_id, tracking_number)
    SELECT anchor.id, ${shipperId}, ${trackingNumber} FROM anchor RETURNING id`;
}

/** A part recording payments of the anchor's order. */
export function insertPayments(payments: Array<Omit<PaymentRecord, 'id' | 'createdAt'>>): Sql {
  return sql`
    INSERT INTO order_payments (order_id, external_payment_id, amount, url)
    SELECT anchor.id, payment.reference, payment.amount, payment.url
      FROM anchor, unnest(${payments.map((payment) => payment.externalPaymentId)}::text[],
                          ${payments.map((payment) => payment.amount.toString())}::numeric[],
                          ${payments.map((payment) => payment.url)}::text[])
           AS payment(reference, amount, url)`;
}

/** An order row as the statements above return it. */
export interface OrderRow extends Omit<
  OrderRecord,
  | 'currencyRate'
  | 'money'
  | 'paid'
  | 'externalOrderPrefix'
  | 'source'
  | 'sync'
  | 'status'
  | 'items'
  | 'trackings'
  | 'payments'
> {
  currencyRate: string | null;
  money: string;
  paid: string;
  externalOrderPrefix: string;
  source: string;
  changeSeq: string;
  /** The lines, amounts as text. */
  items: Array<{
    [K in Exclude<keyof OrderItemRecord, 'orderId'>]: OrderItemRecord[K] extends Decimal ? string : OrderItemRecord[K];
  }>;
  trackings: TrackingRecord[];
  payments: Array<{ id: number; externalPaymentId: string; amount: string; url: string | null; createdAt: string }>;
  status: OrderRecord['status'];
  sync:
    | (Omit<NonNullable<OrderRecord['sync']>, 'syncedAt' | 'status'> & { status: string; syncedAt: string | null })
    | null;
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
    paid: decimalFromText(row.paid),
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
    })),
    payments: row.payments.map((payment) => ({
      id: payment.id,
      externalPaymentId: payment.externalPaymentId,
      amount: decimalFromText(payment.amount),
      url: payment.url,
      createdAt: new Date(payment.createdAt),
    })),
  };
}
