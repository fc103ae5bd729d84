import http from 'node:http';
import pg from 'pg';
import { allowedTransitions, lifecycleState } from '../src/orders/order-lifecycle.js';

// The second floor the gateway is measured against, never part of the product: Node's own
// `http` and `pg`, one statement per request, and Postgres building every answer as JSON text
// that is sent as it comes (no JSON in Node but the body of a write). What is left is the cost
// of Node, the wire and Postgres themselves. It answers get-one-order, a list page, a create and
// a payment with the same JSON as the gateway (the benchmark checks the reads), for EUR prices
// in en-US words, which is what the benchmark uses.
//
//   node --import @swc-node/register/esm-register bench/floor.ts   (DATABASE_URL, PORT)

const atom = (column: string) => `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"+00:00"')`;
const word = (column: string) => `'€' || to_char(${column}, 'FM999,999,999,990.00')`;
const price = (prefix: string) => `json_build_object(
  'base_price', i.${prefix}base_price, 'base_price_word', ${word(`i.${prefix}base_price`)},
  'final_price', i.${prefix}final_price, 'final_price_word', ${word(`i.${prefix}final_price`)},
  'vat', i.${prefix}vat_rate, 'vat_value', i.${prefix}vat_value, 'vat_value_word', ${word(`i.${prefix}vat_value`)},
  'currency', o.order_currency_code)`;
/** A fee's price, from its jsonb column ({givenAs, basePrice, finalPrice, vatRate, vatValue} as text). */
const fee = (column: string) => {
  const field = (name: string) => `(${column}->>'${name}')::numeric`;
  return `CASE WHEN ${column} IS NULL THEN NULL ELSE json_build_object(
    'base_price', ${field('basePrice')}, 'base_price_word', ${word(field('basePrice'))},
    'final_price', ${field('finalPrice')}, 'final_price_word', ${word(field('finalPrice'))},
    'vat', ${field('vatRate')}, 'vat_value', ${field('vatValue')}, 'vat_value_word', ${word(field('vatValue'))},
    'currency', o.order_currency_code) END`;
};
/** A discount as given: one of amount and percent, the other null. */
const discount = (
  table: string,
  code: boolean,
) => `CASE WHEN ${table}.discount_kind IS NULL THEN NULL ELSE json_build_object(
    'amount', CASE WHEN ${table}.discount_kind = 'amount' THEN ${table}.discount_value END,
    'percent', CASE WHEN ${table}.discount_kind = 'percent' THEN ${table}.discount_value END${code ? `, 'code', ${table}.discount_code` : ''}) END`;

/** The lifecycle table of the gateway (src/orders/order-lifecycle.ts) as SQL, for every set of flags. */
function lifecycleSql(): { state: string; transitions: string } {
  const states: string[] = [];
  const transitions: string[] = [];
  for (let bits = 0; bits < 16; bits += 1) {
    // The bench archives no order: an archived one would be told apart by deleted_at.
    const flags = {
      sent: !!(bits & 1),
      delivered: !!(bits & 2),
      done: !!(bits & 4),
      canceled: !!(bits & 8),
      archived: false,
    };
    const when = `WHEN o.sent = ${flags.sent} AND o.delivered = ${flags.delivered} AND o.done = ${flags.done} AND o.canceled = ${flags.canceled}`;
    states.push(`${when} THEN '${lifecycleState(flags)}'`);
    // The gateway lists a refund only while something paid is not refunded.
    const allowed = allowedTransitions(flags);
    const unpaid = allowed.filter((action) => action !== 'refund');
    transitions.push(
      `${when} THEN CASE WHEN o.paid > o.refunded THEN '${JSON.stringify(allowed)}'::json ELSE '${JSON.stringify(unpaid)}'::json END`,
    );
  }
  return { state: `CASE ${states.join(' ')} END`, transitions: `CASE ${transitions.join(' ')} END` };
}
const lifecycle = lifecycleSql();

const ref = (path: string, column: string) =>
  `CASE WHEN ${column} IS NULL THEN NULL ELSE json_build_object('id', ${column}, 'api_link', '${path}/' || ${column}) END`;

/**
 * The order `o` (a row of orders) as the gateway answers it, as a row whose columns are its fields
 * in order (row_to_json keeps them so, and takes any number); `pending` says whether it has
 * events to send.
 */
function orderRow(expanded: boolean, pending: string): string {
  return `SELECT
    o.id, ${ref('/System/People', 'o.customer_id')} AS customer, ${ref('/System/Companies', 'o.company_id')} AS company,
    ${ref('/System/Channels', 'o.channel_id')} AS channel, ${atom('o.date_order')} AS date_order,
    ${atom('o.date_maturity')} AS date_maturity, o.email, o.phone, o.name, o.street, o.city, o.zip, o.state_code,
    o.company_name, o.company_nr, o.company_vat, o.delivery_name, o.delivery_street, o.delivery_city, o.delivery_zip,
    o.delivery_state_code, o.delivery_phone, o.delivery_email, o.note, o.our_note, o.hash, o.main_currency_code,
    o.order_currency_code, o.currency_rate, o.money, o.paid, ${atom('o.date_paid')} AS date_paid,
    o.amount_subtotal, o.amount_discount, o.amount_shipping, o.amount_payment_fee, o.amount_tax,
    o.money AS amount_total, o.paid AS amount_paid, o.refunded AS amount_refunded,
    greatest(o.money - o.paid, 0) AS balance_due,
    (SELECT coalesce(json_agg(json_build_object('rate', (t->>'rate')::numeric, 'base', (t->>'base')::numeric,
                                                'tax', (t->>'tax')::numeric) ORDER BY n), '[]')
       FROM jsonb_array_elements(o.taxes) WITH ORDINALITY AS tax(t, n)) AS taxes,
    ${discount('o', true)} AS discount, ${fee('o.shipping_price')} AS shipping_price,
    ${fee('o.payment_price')} AS payment_price,
    (SELECT coalesce(json_agg(json_build_object('payment_id', p.external_payment_id, 'amount', p.amount, 'method', p.method,
        'status', p.status, 'url', p.url, 'date', ${atom('p.created_at')}, 'updated_at', ${atom('p.updated_at')})
        ORDER BY p.id), '[]') FROM order_payments p WHERE p.order_id = o.id) AS payments,
    (SELECT coalesce(json_agg(json_build_object('refund_id', r.refund_id, 'amount', r.amount, 'reason', r.reason,
        'items', (SELECT coalesce(json_agg(json_build_object('item_id', (l->>'itemId')::int, 'count', (l->>'count')::int)
                                           ORDER BY n), '[]')
                    FROM jsonb_array_elements(r.lines) WITH ORDINALITY AS line(l, n)),
        'date', ${atom('r.created_at')}) ORDER BY r.id), '[]') FROM order_refunds r WHERE r.order_id = o.id) AS refunds,
    (SELECT coalesce(json_agg(json_build_object(
        'id', i.id, 'article', CASE WHEN i.article_number IS NULL THEN NULL
                               ELSE json_build_object('id', i.article_number::bigint, 'article_number', i.article_number) END,
        'name', i.name, 'count', i.count, 'ordered', 0, 'waiting_count', 0, 'note', i.note,
        'price', ${price('')}, 'price_original', ${price('original_')}, 'discount', ${discount('i', false)},
        'order_discount', i.order_discount, 'total', i.total, 'metadata', i.metadata) ORDER BY i.id), '[]')
        FROM order_items i WHERE i.order_id = o.id) AS items,
    NULL AS weight, ${ref('/System/Channels/Shippings', 'o.shipping_id')} AS shipping,
    ${ref('/System/Channels/Payments', 'o.payment_id')} AS payment,
    (SELECT coalesce(json_agg(json_build_object('shipper_id', t.shipper_id, 'tracking_number', t.tracking_number,
        'tracking_url', replace(s.tracking_url_template, '{tracking_number}',
                                replace(replace(t.tracking_number, ' ', '%20'), '/', '%2F'))) ORDER BY t.id), '[]')
        FROM trackings t JOIN shippers s ON s.id = t.shipper_id WHERE t.order_id = o.id) AS trackings,
    o.sent, o.delivered, o.done, o.canceled, NULL AS order_url, NULL AS invoice_url, o.ip, o.domain,
    nullif(o.external_order_prefix, '') AS external_order_prefix, o.external_order_id, o.external_payment_id,
    o.external_payment_url, o.status_id,
    (SELECT ${
      expanded
        ? `json_build_object('id', st.id, 'name', st.name, 'icon', st.icon, 'color', st.color, 'sort', st.sort,
                             'complete_order', st.complete_order, 'cancel_order', st.cancel_order)`
        : `json_build_object('id', st.id, 'api_link', '/System/Orders/Statuses/' || st.id)`
    } FROM order_statuses st WHERE st.id = o.status_id) AS status,
    ${lifecycle.state} AS lifecycle_state, ${lifecycle.transitions} AS allowed_transitions, o.version,
    (SELECT json_build_object(
        'status', CASE WHEN sy.status IN ('failed', 'retrying') THEN sy.status WHEN ${pending} THEN 'pending' ELSE 'synced' END,
        'attempts', coalesce(sy.attempts, 0), 'last_error', sy.last_error, 'mplus_order_id', sy.back_office_order_id,
        'synced_at', ${atom('sy.synced_at')})
        FROM (SELECT 1) one LEFT JOIN order_sync sy ON sy.order_id = o.id) AS sync,
    o.source, o.metadata, ${atom('o.created_at')} AS created_at, ${atom('o.updated_at')} AS updated_at,
    ${atom('o.deleted_at')} AS deleted_at`;
}

/** The order `o` as JSON. */
const orderJson = (expanded: boolean, pending: string) =>
  `(SELECT row_to_json(answer) FROM (${orderRow(expanded, pending)}) answer)`;

const PENDING = 'EXISTS (SELECT 1 FROM sync_events e WHERE e.order_id = o.id AND e.processed_at IS NULL)';

const GET = (expanded: boolean) => `SELECT ${orderJson(expanded, PENDING)}::text AS body FROM orders o WHERE o.id = $1`;

const LIST = `
  WITH page AS (SELECT id, count(*) OVER () AS total FROM orders
                 WHERE ($1::int IS NULL OR status_id = $1) ORDER BY date_order DESC, id DESC LIMIT $2 OFFSET $3)
  SELECT json_build_object(
    'paginator', json_build_object('page', $4::int, 'per_page', $2::int,
                                   'pages', ceil(coalesce(max(page.total), 0) / $2::numeric)::int,
                                   'total', coalesce(max(page.total), 0), 'total_exact', true),
    'orders', coalesce(json_agg(${orderJson(false, PENDING)} ORDER BY o.date_order DESC, o.id DESC) FILTER (WHERE o.id IS NOT NULL), '[]'),
    'next_cursor', NULL)::text AS body
    FROM page LEFT JOIN orders o ON o.id = page.id`;

/** The writes of a create, prices computed by Postgres (rounded half away from zero, as the gateway does). */
const CREATE = `
  WITH line AS (
         SELECT a, n, c, b, round(b * (100 + v) / 100, 2) AS f, v FROM unnest($4::text[], $5::text[], $6::int[], $7::numeric[], $8::numeric[])
                                                             WITH ORDINALITY AS l(a, n, c, b, v, k)),
       rate AS (SELECT v, sum(f * c) AS amount, round(sum(f * c) * v / (100 + v), 2) AS tax FROM line GROUP BY v),
       o AS (INSERT INTO orders (hash, date_order, email, email_normalized, name, main_currency_code, order_currency_code,
                                 currency_rate, money, amount_subtotal, amount_tax, taxes)
             SELECT md5(random()::text), now(), $1, lower($1), $2, 'EUR', $3, 1, total, total, tax, taxes
               FROM (SELECT coalesce(sum(amount), 0) AS total, coalesce(sum(tax), 0) AS tax,
                            coalesce(jsonb_agg(jsonb_build_object('rate', v::text, 'base', (amount - tax)::text, 'tax', tax::text)
                                               ORDER BY v), '[]') AS taxes FROM rate) figures
             RETURNING id),
       lines AS (INSERT INTO order_items (order_id, article_number, name, count, price_given_as, base_price, final_price,
                                          vat_rate, vat_value, original_base_price, original_final_price, original_vat_rate,
                                          original_vat_value, total)
                 SELECT o.id, a, n, c, 'base', b, f, v, f - b, b, f, v, f - b, f * c FROM o, line),
       sync AS (INSERT INTO order_sync (order_id, external_id) SELECT id, 'og-' || id FROM o),
       event AS (INSERT INTO sync_events (order_id, kind) SELECT id, 'create' FROM o),
       history AS (INSERT INTO order_history (order_id, type, action) SELECT id, 'order', 'created' FROM o)
  SELECT '{"id":' || id || '}' AS body FROM o`;

/**
 * A successful payment: unless its id is recorded, the amount added, the payment, its event and
 * its history entry written, and the order as it leaves it answered. The answer is built from the
 * updated row (a statement's subqueries see the order as it was before it).
 */
const PAID = `
  WITH upd AS (UPDATE orders SET paid = paid + $2, date_paid = now(), external_payment_id = $3, version = version + 1
                WHERE id = $1 AND NOT EXISTS (SELECT 1 FROM order_payments WHERE order_id = $1 AND external_payment_id = $3)
               RETURNING *),
       pay AS (INSERT INTO order_payments (order_id, external_payment_id, amount) SELECT id, $3, $2 FROM upd),
       event AS (INSERT INTO sync_events (order_id, kind, payload)
                 SELECT id, 'pay', json_build_object('reference', $3::text, 'amount', $2::text, 'final', false) FROM upd),
       history AS (INSERT INTO order_history (order_id, type, action) SELECT id, 'order', 'paid' FROM upd)
  SELECT coalesce((SELECT ${orderJson(false, 'true')} FROM upd o),
                  (SELECT ${orderJson(false, PENDING)} FROM orders o WHERE o.id = $1))::text AS body`;

function reply(response: http.ServerResponse, status: number, body: string): void {
  response.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(body),
  });
  response.end(body);
}

function readBody(request: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}

interface CreateBody {
  email: string;
  name: string;
  order_currency_code: string;
  items: Array<{ article_number: string; name: string; count: number; price: { base_price: number; vat: number } }>;
}

function main(): void {
  const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 10 });
  const one = async (name: string, text: string, values: unknown[]): Promise<string | null> =>
    (await pool.query<{ body: string | null }>({ name, text, values })).rows[0]?.body ?? null;

  const server = http.createServer((request, response) => {
    void (async () => {
      const url = new URL(request.url ?? '/', 'http://floor');
      const order = /^\/System\/Orders\/(\d+)(\/paid)?$/.exec(url.pathname);
      if (request.method === 'GET' && order && !order[2]) {
        const expanded = url.searchParams.get('expanded') === 'true';
        const body = await one(expanded ? 'get-expanded' : 'get', GET(expanded), [Number(order[1])]);
        return body ? reply(response, 200, body) : reply(response, 404, '{"message":"Not found"}');
      }
      if (request.method === 'GET' && url.pathname === '/System/Orders') {
        const page = Number(url.searchParams.get('page') ?? 1);
        const perPage = Number(url.searchParams.get('per_page') ?? 10);
        const status = url.searchParams.get('status_id');
        const values = [status === null ? null : Number(status), perPage, (page - 1) * perPage, page];
        return reply(response, 200, (await one('list', LIST, values))!);
      }
      if (request.method === 'POST' && url.pathname === '/System/Orders') {
        const body = JSON.parse(await readBody(request)) as CreateBody;
        const items = body.items;
        const values = [
          body.email,
          body.name,
          body.order_currency_code,
          items.map((item) => item.article_number),
          items.map((item) => item.name),
          items.map((item) => item.count),
          items.map((item) => item.price.base_price),
          items.map((item) => item.price.vat),
        ];
        return reply(response, 201, (await one('create', CREATE, values))!);
      }
      if (request.method === 'PATCH' && order?.[2]) {
        const body = JSON.parse(await readBody(request)) as { paid: number; payment_id: string };
        const answer = await one('paid', PAID, [Number(order[1]), body.paid, body.payment_id]);
        return answer ? reply(response, 200, answer) : reply(response, 404, '{"message":"Not found"}');
      }
      reply(response, 404, '{"message":"No route"}');
    })().catch((error: unknown) => reply(response, 500, JSON.stringify({ message: (error as Error).message })));
  });
  server.keepAliveTimeout = 72_000;
  server.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
    const address = server.address() as { port: number };
    console.log(`Floor listening on http://127.0.0.1:${address.port}`);
  });
  const stop = () => server.close(() => void pool.end().then(() => process.exit(0)));
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

main();
