import Fastify from 'fastify';
import pg from 'pg';
import { allowedTransitions, lifecycleState } from '../src/orders/order-lifecycle.js';

// The floor the gateway is measured against, never part of the product: Fastify and `pg`, no
// framework, no ORM, no validation beyond what the SQL needs, answering get-one-order, a list
// page and a create with the same JSON as the gateway from the same tables, each with one round
// trip of hand-written SQL. The benchmark checks that its answers equal the gateway's.
//
//   node --import @swc-node/register/esm-register bench/baseline.ts   (DATABASE_URL, PORT)

const MONEY_LOCALE = 'en-US';

interface CreateBody {
  email: string;
  name: string;
  items: Array<{ article_number: string; name: string; count: number; price: { base_price: number; vat: number } }>;
}

const ORDER_JSON = `
  SELECT o.*,
    (SELECT coalesce(json_agg(i ORDER BY i.id), '[]') FROM order_items i WHERE i.order_id = o.id) AS items,
    (SELECT coalesce(json_agg(json_build_object('shipper_id', t.shipper_id, 'tracking_number', t.tracking_number,
                                                'template', s.tracking_url_template) ORDER BY t.id), '[]')
       FROM trackings t JOIN shippers s ON s.id = t.shipper_id WHERE t.order_id = o.id) AS trackings,
    (SELECT coalesce(json_agg(p ORDER BY p.id), '[]') FROM order_payments p WHERE p.order_id = o.id) AS payments,
    (SELECT coalesce(json_agg(r ORDER BY r.id), '[]') FROM order_refunds r WHERE r.order_id = o.id) AS refunds,
    greatest(o.money - o.paid, 0) AS balance_due,
    row_to_json(st) AS status, row_to_json(sy) AS sync,
    EXISTS (SELECT 1 FROM sync_events e WHERE e.order_id = o.id AND e.processed_at IS NULL) AS sync_pending
  FROM orders o
  LEFT JOIN order_statuses st ON st.id = o.status_id
  LEFT JOIN order_sync sy ON sy.order_id = o.id`;

interface Row {
  [column: string]: unknown;
  items: Array<Record<string, unknown>>;
  trackings: Array<{ shipper_id: number; tracking_number: string; template: string }>;
  payments: Array<Record<string, unknown>>;
  refunds: Array<Record<string, unknown> & { lines: Array<{ itemId: number; count: number }> }>;
  taxes: Array<{ rate: string; base: string; tax: string }>;
  status: Record<string, unknown> | null;
  sync: Record<string, unknown> | null;
  sync_pending: boolean;
}

const formats = new Map<string, Intl.NumberFormat>();
function word(amount: number, currency: string): string {
  let format = formats.get(currency);
  if (!format) {
    const decimals = new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions()
      .maximumFractionDigits!;
    format = new Intl.NumberFormat(MONEY_LOCALE, {
      style: 'currency',
      currency,
      minimumFractionDigits: decimals,
      maximumFractionDigits: decimals,
    });
    formats.set(currency, format);
  }
  return format.format(amount);
}

const atom = (value: unknown): string | null =>
  value === null || value === undefined ? null : new Date(value as string).toISOString().replace(/\.\d{3}Z$/, '+00:00');
const ref = (path: string, id: unknown) => (id === null ? null : { id, api_link: `${path}/${id as number}` });
const num = (value: unknown): number | null => (value === null ? null : Number(value));

function price(base: unknown, final: unknown, vat: unknown, vatValue: unknown, currency: string) {
  return {
    base_price: Number(base),
    base_price_word: word(Number(base), currency),
    final_price: Number(final),
    final_price_word: word(Number(final), currency),
    vat: Number(vat),
    vat_value: Number(vatValue),
    vat_value_word: word(Number(vatValue), currency),
    currency,
  };
}

type StoredPrice = { basePrice: string; finalPrice: string; vatRate: string; vatValue: string } | null;
const feePrice = (stored: unknown, currency: string) => {
  const fee = stored as StoredPrice;
  return fee && price(fee.basePrice, fee.finalPrice, fee.vatRate, fee.vatValue, currency);
};
const discount = (row: Record<string, unknown>) =>
  row.discount_kind === null
    ? null
    : {
        amount: row.discount_kind === 'amount' ? Number(row.discount_value) : null,
        percent: row.discount_kind === 'percent' ? Number(row.discount_value) : null,
      };

function toJson(o: Row, expanded: boolean) {
  const currency = o.order_currency_code as string;
  const flags = {
    sent: o.sent as boolean,
    delivered: o.delivered as boolean,
    done: o.done as boolean,
    canceled: o.canceled as boolean,
    archived: o.deleted_at !== null,
  };
  const sync = o.sync;
  const syncState = sync?.status as string | undefined;
  return {
    id: o.id,
    customer: ref('/System/People', o.customer_id),
    company: ref('/System/Companies', o.company_id),
    channel: ref('/System/Channels', o.channel_id),
    date_order: atom(o.date_order),
    date_maturity: atom(o.date_maturity),
    email: o.email,
    phone: o.phone,
    name: o.name,
    street: o.street,
    city: o.city,
    zip: o.zip,
    state_code: o.state_code,
    company_name: o.company_name,
    company_nr: o.company_nr,
    company_vat: o.company_vat,
    delivery_name: o.delivery_name,
    delivery_street: o.delivery_street,
    delivery_city: o.delivery_city,
    delivery_zip: o.delivery_zip,
    delivery_state_code: o.delivery_state_code,
    delivery_phone: o.delivery_phone,
    delivery_email: o.delivery_email,
    note: o.note,
    our_note: o.our_note,
    hash: o.hash,
    main_currency_code: o.main_currency_code,
    order_currency_code: currency,
    currency_rate: num(o.currency_rate),
    money: Number(o.money),
    paid: Number(o.paid),
    date_paid: atom(o.date_paid),
    amount_subtotal: Number(o.amount_subtotal),
    amount_discount: Number(o.amount_discount),
    amount_shipping: Number(o.amount_shipping),
    amount_payment_fee: Number(o.amount_payment_fee),
    amount_tax: Number(o.amount_tax),
    amount_total: Number(o.money),
    amount_paid: Number(o.paid),
    amount_refunded: Number(o.refunded),
    balance_due: Number(o.balance_due),
    taxes: o.taxes.map((tax) => ({ rate: Number(tax.rate), base: Number(tax.base), tax: Number(tax.tax) })),
    discount: o.discount_kind === null ? null : { ...discount(o), code: o.discount_code },
    shipping_price: feePrice(o.shipping_price, currency),
    payment_price: feePrice(o.payment_price, currency),
    payments: o.payments.map((p) => ({
      payment_id: p.external_payment_id,
      amount: Number(p.amount),
      method: p.method,
      status: p.status,
      url: p.url,
      date: atom(p.created_at),
      updated_at: atom(p.updated_at),
    })),
    refunds: o.refunds.map((r) => ({
      refund_id: r.refund_id,
      amount: Number(r.amount),
      reason: r.reason,
      items: r.lines.map((line) => ({ item_id: line.itemId, count: line.count })),
      date: atom(r.created_at),
    })),
    items: o.items.map((i) => ({
      id: i.id,
      article: i.article_number === null ? null : { id: Number(i.article_number), article_number: i.article_number },
      name: i.name,
      count: i.count,
      ordered: 0,
      waiting_count: 0,
      note: i.note,
      price: price(i.base_price, i.final_price, i.vat_rate, i.vat_value, currency),
      price_original: price(
        i.original_base_price,
        i.original_final_price,
        i.original_vat_rate,
        i.original_vat_value,
        currency,
      ),
      discount: discount(i),
      order_discount: Number(i.order_discount),
      total: Number(i.total),
      metadata: i.metadata,
    })),
    weight: null,
    shipping: ref('/System/Channels/Shippings', o.shipping_id),
    payment: ref('/System/Channels/Payments', o.payment_id),
    trackings: o.trackings.map((t) => ({
      shipper_id: t.shipper_id,
      tracking_number: t.tracking_number,
      tracking_url: t.template.replaceAll('{tracking_number}', encodeURIComponent(t.tracking_number)),
    })),
    sent: o.sent,
    delivered: o.delivered,
    done: o.done,
    canceled: o.canceled,
    order_url: null,
    invoice_url: null,
    ip: o.ip,
    domain: o.domain,
    external_order_prefix: o.external_order_prefix || null,
    external_order_id: o.external_order_id,
    external_payment_id: o.external_payment_id,
    external_payment_url: o.external_payment_url,
    status_id: o.status_id,
    status:
      o.status &&
      (expanded
        ? {
            id: o.status.id,
            name: o.status.name,
            icon: o.status.icon,
            color: o.status.color,
            sort: o.status.sort,
            complete_order: o.status.complete_order,
            cancel_order: o.status.cancel_order,
          }
        : { id: o.status.id, api_link: `/System/Orders/Statuses/${String(o.status.id)}` }),
    lifecycle_state: lifecycleState(flags),
    allowed_transitions: allowedTransitions(flags).filter(
      (action) => action !== 'refund' || Number(o.paid) > Number(o.refunded),
    ),
    version: o.version,
    sync: {
      status: syncState === 'failed' || syncState === 'retrying' ? syncState : o.sync_pending ? 'pending' : 'synced',
      attempts: sync?.attempts ?? 0,
      last_error: sync?.last_error ?? null,
      mplus_order_id: sync?.back_office_order_id ?? null,
      synced_at: atom(sync?.synced_at ?? null),
    },
    source: o.source,
    metadata: o.metadata,
    created_at: atom(o.created_at),
    updated_at: atom(o.updated_at),
    deleted_at: atom(o.deleted_at),
  };
}

async function main(): Promise<void> {
  const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 10 });
  const app = Fastify();

  app.get<{ Params: { id: string }; Querystring: { expanded?: string } }>(
    '/System/Orders/:id',
    async (request, reply) => {
      const { rows } = await pool.query<Row>(`${ORDER_JSON} WHERE o.id = $1`, [Number(request.params.id)]);
      if (!rows[0]) return reply.code(404).send({ message: 'Not found', detail: 'No such order.' });
      return toJson(rows[0], request.query.expanded === 'true');
    },
  );

  // The default list order, newest first; `status_id` as the filter the list benchmark uses.
  app.get<{ Querystring: { page?: string; per_page?: string; status_id?: string } }>(
    '/System/Orders',
    async (request) => {
      const page = Number(request.query.page ?? 1);
      const perPage = Number(request.query.per_page ?? 10);
      const statusId = request.query.status_id === undefined ? null : Number(request.query.status_id);
      const { rows } = await pool.query<Row & { total: string }>(
        `WITH page AS (
           SELECT id, count(*) OVER () AS total FROM orders
            WHERE ($1::int IS NULL OR status_id = $1)
            ORDER BY date_order DESC, id DESC LIMIT $2 OFFSET $3)
         ${ORDER_JSON.replace('FROM orders o', 'FROM page JOIN orders o ON o.id = page.id').replace(
           'SELECT o.*,',
           'SELECT o.*, page.total,',
         )}
         ORDER BY o.date_order DESC, o.id DESC`,
        [statusId, perPage, (page - 1) * perPage],
      );
      const total = rows[0] ? Number(rows[0].total) : 0;
      return {
        paginator: { total, page, per_page: perPage, pages: Math.ceil(total / perPage), total_exact: true },
        orders: rows.map((row) => toJson(row, false)),
      };
    },
  );

  // The rows a create writes (order, lines, sync state, outbox event, history): one statement,
  // so one round trip and one transaction.
  app.post<{ Body: CreateBody }>('/System/Orders', async (request, reply) => {
    const lines = request.body.items.map((item) => {
      const base = item.price.base_price;
      const vatValue = Math.round(base * item.price.vat) / 100;
      return { ...item, base, final: base + vatValue, vatValue };
    });
    const money = lines.reduce((sum, line) => sum + line.final * line.count, 0);
    // VAT per rate, as the gateway figures it (computed by Postgres from the lines' totals).
    const { rows } = await pool.query<{ id: number }>(
      `WITH l AS (SELECT * FROM unnest($4::text[], $5::text[], $6::int[], $7::numeric[], $8::numeric[], $9::numeric[],
                                       $10::numeric[]) AS l(a, n, c, b, f, v, vv)),
       rate AS (SELECT v, sum(f * c) AS amount, round(sum(f * c) * v / (100 + v), 2) AS tax FROM l GROUP BY v),
       o AS (
         INSERT INTO orders (hash, date_order, email, email_normalized, name, main_currency_code, order_currency_code, money,
                             amount_subtotal, amount_tax, taxes)
         SELECT md5(random()::text), now(), $1, lower($1), $2, 'EUR', 'EUR', $3, $3, coalesce(sum(tax), 0),
                coalesce(jsonb_agg(jsonb_build_object('rate', v::text, 'base', (amount - tax)::text, 'tax', tax::text)
                                   ORDER BY v), '[]')
           FROM rate RETURNING id),
       lines AS (
         INSERT INTO order_items (order_id, article_number, name, count, price_given_as, base_price, final_price, vat_rate,
                                  vat_value, original_base_price, original_final_price, original_vat_rate, original_vat_value,
                                  total)
         SELECT o.id, a, n, c, 'base', b, f, v, vv, b, f, v, vv, f * c FROM o, l),
       sync AS (INSERT INTO order_sync (order_id, external_id) SELECT id, 'og-' || id FROM o),
       event AS (INSERT INTO sync_events (order_id, kind) SELECT id, 'create' FROM o),
       history AS (INSERT INTO order_history (order_id, type, action) SELECT id, 'order', 'created' FROM o)
       SELECT id FROM o`,
      [
        request.body.email,
        request.body.name,
        money,
        lines.map((line) => line.article_number),
        lines.map((line) => line.name),
        lines.map((line) => line.count),
        lines.map((line) => line.base),
        lines.map((line) => line.final),
        lines.map((line) => line.price.vat),
        lines.map((line) => line.vatValue),
      ],
    );
    return reply.code(201).send({ id: rows[0]!.id });
  });

  // A successful payment: unless its id is recorded, the amount added, the payment, its event and its
  // history entry written in one statement; then the order read back and answered (two round trips,
  // as the gateway's read-then-write takes).
  app.patch<{ Params: { id: string }; Body: { paid: number; payment_id: string } }>(
    '/System/Orders/:id/paid',
    async (request, reply) => {
      const id = Number(request.params.id);
      await pool.query(
        `WITH upd AS (UPDATE orders SET paid = paid + $2, date_paid = now(), external_payment_id = $3, version = version + 1
                       WHERE id = $1 AND NOT EXISTS (SELECT 1 FROM order_payments WHERE order_id = $1 AND external_payment_id = $3)
                      RETURNING id),
              pay AS (INSERT INTO order_payments (order_id, external_payment_id, amount) SELECT id, $3, $2 FROM upd),
              event AS (INSERT INTO sync_events (order_id, kind, payload)
                        SELECT id, 'pay', json_build_object('reference', $3::text, 'amount', $2::text, 'final', false) FROM upd)
         INSERT INTO order_history (order_id, type, action) SELECT id, 'order', 'paid' FROM upd`,
        [id, request.body.paid, request.body.payment_id],
      );
      const { rows } = await pool.query<Row>(`${ORDER_JSON} WHERE o.id = $1`, [id]);
      if (!rows[0]) return reply.code(404).send({ message: 'Not found', detail: 'No such order.' });
      return toJson(rows[0], false);
    },
  );

  const address = await app.listen({ host: '127.0.0.1', port: Number(process.env.PORT ?? 0) });
  console.log(`Baseline listening on ${address}`);
  const stop = () =>
    void app
      .close()
      .then(() => pool.end())
      .then(() => process.exit(0));
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
