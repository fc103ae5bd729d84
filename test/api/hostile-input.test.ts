import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import fc from 'fast-check';
import pg from 'pg';
import type { Response } from 'supertest';
import { undocumented } from '../support/documented-answers.js';
import { createOrder, getOrder, itemBody, orderBody } from '../support/factories.js';
import { startGateway, type TestGateway } from '../support/gateway.js';
import { type RawAnswer, rawRequest } from '../support/raw-http.js';

// Generated garbage for every route: random and half-valid bodies, queries and path ids. Whatever
// arrives, the answer is never a 5xx, every error is a well-formed problem that gives nothing of
// the gateway's insides away, and the data stays whole (no half-written order).

let gateway: TestGateway;
let db: pg.Client;
let orderId: number;
let itemId: number;

beforeAll(async () => {
  gateway = await startGateway({
    MPLUS_SHIPPING_ARTICLE_NUMBER: '9001',
    MPLUS_PAYMENT_FEE_ARTICLE_NUMBER: '9003',
    // The slow-client case below waits this out.
    HTTP_REQUEST_TIMEOUT_MS: '2000',
  });
  db = new pg.Client({ connectionString: gateway.database.url });
  await db.connect();
  orderId = await createOrder(gateway);
  itemId = (await getOrder(gateway, orderId)).items[0].id as number;
});
afterAll(async () => {
  await db.end();
  await gateway.close();
});

const SQLISH = [
  "' OR '1'='1",
  '1; DROP TABLE orders; --',
  "1' UNION SELECT key_hash FROM api_keys --",
  '"; DELETE FROM orders WHERE "1"="1',
  "' OR 1=1 --",
  '%27%20OR%201=1',
  "\\'; SELECT pg_sleep(5); --",
  '$1',
  '${hash}',
];

const FIELDS = [
  'email',
  'name',
  'order_currency_code',
  'items',
  'article_number',
  'count',
  'price',
  'base_price',
  'final_price',
  'vat',
  'paid',
  'payment_id',
  'status',
  'url',
  'status_id',
  'shipper_id',
  'tracking_number',
  'type',
  'record',
  'id',
  'delivery_city',
  'delivery_name',
  'delivery_state_code',
  'external_order_id',
  'external_order_prefix',
  'note',
  'our_note',
  'expires_at',
  'rights',
  'channel',
  'customer',
  'date_order',
  '__proto__',
  'constructor',
];

const QUERY_KEYS = [
  'page',
  'per_page',
  'expanded',
  'hash',
  'channel_id',
  'company_id',
  'customer_id',
  'done',
  'canceled',
  'status_id',
  'from',
  'to',
  'tracking',
  'email',
  'external_order_id',
  'sync_status',
  'sort',
  'updated_since',
  'cursor',
];

const scalar = fc.oneof(
  fc.string(),
  fc.string({ unit: 'binary', maxLength: 20 }),
  fc.constantFrom(...SQLISH),
  fc.integer(),
  fc.double(),
  fc.constantFrom(0, -1, 1e308, -0, 2 ** 31, 2 ** 53 + 1, 0.00001),
  fc.boolean(),
  fc.constant(null),
  fc.constantFrom('2024-05-01T10:00:00Z', '2024-13-45T99:99:99Z', 'EUR', 'XXX', 'a@b.cz', '1001', 'success'),
);

const { value } = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    scalar,
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(fc.oneof(fc.constantFrom(...FIELDS), fc.string({ maxLength: 8 })), tie('value'), { maxKeys: 6 }),
  ),
}));

/** A body as sent: JSON of any shape, an object with fields the routes know, or not JSON at all. */
const body = fc.oneof(
  fc.dictionary(fc.constantFrom(...FIELDS), value, { maxKeys: 8 }).map((object) => JSON.stringify(object)),
  value.map((any) => JSON.stringify(any) ?? 'null'),
  fc.string({ maxLength: 40 }),
  fc.constantFrom('', '{', '{"email":', '[]', 'null', '{"__proto__":{"admin":true}}', '{"a":1,"a":2}', '\u0000'),
);

/** Values meant to break a field that was valid: wrong types, NUL, huge, deep, SQL. */
const hostile = fc.oneof(
  value,
  fc.constantFrom('\u0000', 'a\u0000b', 'x'.repeat(10_000), '', ' ', '\uD800', '👍🏽', '<script>', ...SQLISH),
  fc.constantFrom(1e21, -1e21, Number.MAX_SAFE_INTEGER + 2, 1.23456789, -0.0001, 2 ** 31),
  fc.constant(Array.from({ length: 300 }, () => ({ a: 1 }))),
  fc.constant(JSON.parse('{"a":'.repeat(50) + '1' + '}'.repeat(50)) as unknown),
);

/** A valid body of each write, so that mutations of one field get past the others. */
const VALID: Record<string, () => Record<string, unknown>> = {
  'POST /System/Orders': () =>
    orderBody({
      items: [itemBody({ discount: { amount: 1 } }), itemBody({ price: { final_price: 3, vat: 10 } })],
      discount: { percent: 5, code: 'WELCOME' },
      shipping_price: { final_price: 4.95, vat: 21 },
    }),
  'PUT /System/Orders': () => ({
    id: orderId,
    delivery_name: 'Jana',
    delivery_city: 'Brno',
    delivery_zip: '60200',
    discount: { amount: 1 },
    payment_price: { base_price: 0.5, vat: 21 },
  }),
  'POST /System/Orders/{id}/refunds': () => ({ amount: 1, reason: 'Damaged', refund_id: 'rf-1' }),
  'POST /System/Orders/{id}/item': () => itemBody({ note: 'gift' }),
  'PUT /System/Orders/{id}/item': () => ({ id: itemId, name: 'Cup', count: 3, price: { final_price: 2, vat: 21 } }),
  'PATCH /System/Orders/{id}/status': () => ({ status_id: 2 }),
  'POST /System/Orders/{id}/tracking': () => ({ shipper_id: 1, tracking_number: 'Z123' }),
  'POST /System/Orders/{id}/history': () => ({ type: 'email', record: { name: 'Sent the invoice', status: 'ok' } }),
  'PATCH /System/Orders/{id}/paid': () => ({
    paid: 1,
    payment_id: 'p-1',
    status: 'success',
    url: 'https://pay.example/1',
  }),
  'POST /System/ApiKeys': () => ({ name: 'fuzz', rights: ['orders:read'], expires_at: '2099-01-01T00:00:00Z' }),
  'PATCH /System/ApiKeys/{id}': () => ({ name: 'fuzz', expires_at: null }),
  'POST /System/Events': () => ({
    event: 'order-change-status',
    path: 'https://partner.example/hooks/orders',
    method: 'GET',
    parameters: [{ name: 'order', variable: 'o-%orderId%' }],
    condition: 'status_id in (2, 3)',
  }),
  'PUT /System/Events': () => ({ id: orderId, path: 'https://partner.example/hooks/v2', enabled: true }),
  'POST /System/Events/{id}/replay': () => ({ since_event_id: 'evt_1' }),
  'POST /System/Events/{id}/secret': () => ({ overlap_seconds: 60 }),
};

/** Every path to a value inside a JSON object: ['items', 0, 'price', 'vat']... */
function paths(object: unknown, prefix: Array<string | number> = []): Array<Array<string | number>> {
  if (object === null || typeof object !== 'object') return [prefix];
  const entries = Object.entries(object);
  return [
    prefix,
    ...entries.flatMap(([key, inner]) => paths(inner, [...prefix, Array.isArray(object) ? Number(key) : key])),
  ];
}

/** A valid body with one place replaced by a hostile value, removed, or given an unknown field. */
function mutated(template: () => Record<string, unknown>) {
  return fc.tuple(fc.nat(), hostile, fc.constantFrom('replace', 'delete', 'add')).map(([pick, replacement, how]) => {
    const body = template();
    const all = paths(body).filter((path) => path.length > 0);
    const path = all[pick % all.length]!;
    const parent = path.slice(0, -1).reduce<any>((at, key) => at[key], body); // eslint-disable-line @typescript-eslint/no-explicit-any
    const last = path[path.length - 1]!;
    if (how === 'delete') delete parent[last];
    else if (how === 'add' && typeof parent === 'object' && !Array.isArray(parent)) {
      parent[`x_${String(last)}`] = replacement;
    } else parent[last] = replacement;
    return JSON.stringify(body);
  });
}

const bodyFor = (route: string) => (VALID[route] ? fc.oneof(body, mutated(VALID[route]), mutated(VALID[route])) : body);

/** A path id: the real one, near misses, and anything at all. */
const pathId = (real: () => number) =>
  fc.oneof(
    fc.constant(null).map(() => String(real())),
    fc.integer({ min: -1e12, max: 1e12 }).map(String),
    fc.constantFrom('0', '-1', '1.5', '1e3', '0x1f', 'NaN', 'Infinity', '2147483648', '9'.repeat(30), '%00', '..'),
    fc.constantFrom(...SQLISH),
    fc.string({ maxLength: 20 }),
  );

const query = fc
  .dictionary(
    fc.oneof(fc.constantFrom(...QUERY_KEYS), fc.string({ maxLength: 6 })),
    fc.oneof(scalar.map(String), fc.constantFrom(...SQLISH)),
    {
      maxKeys: 5,
    },
  )
  .map((params) => new URLSearchParams(params).toString());

type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';
interface Route {
  name: string;
  method: Method;
  path: (order: string, item: string) => string;
  withBody: boolean;
}

/** A route from its name, `METHOD /path/{id}/...`: `{id}` takes the order id, `{itemId}` the item id. */
function route(name: string, withBody = false): Route {
  const [method, template] = name.split(' ') as [string, string];
  return {
    name,
    method: method.toLowerCase() as Method,
    path: (order, item) => template.replace('{id}', order).replace('{itemId}', item),
    withBody,
  };
}

const ROUTES: Route[] = [
  route('GET /System/Orders'),
  route('POST /System/Orders', true),
  route('PUT /System/Orders', true),
  route('POST /System/Orders/batch', true),
  route('PATCH /System/Orders/batch', true),
  route('GET /System/Orders/{id}'),
  route('DELETE /System/Orders/{id}'),
  route('POST /System/Orders/{id}/restore', true),
  route('POST /System/Orders/{id}/item', true),
  route('PUT /System/Orders/{id}/item', true),
  route('DELETE /System/Orders/{id}/item/{itemId}'),
  route('GET /System/Orders/Statuses'),
  route('GET /System/Orders/Statuses/{id}'),
  route('PATCH /System/Orders/{id}/status', true),
  route('POST /System/Orders/{id}/tracking', true),
  route('POST /System/Orders/{id}/history', true),
  route('GET /System/Orders/{id}/history'),
  route('PATCH /System/Orders/{id}/paid', true),
  route('POST /System/Orders/{id}/refunds', true),
  route('PATCH /System/Orders/{id}/done', true),
  route('PATCH /System/Orders/{id}/cancel', true),
  route('PATCH /System/Orders/{id}/sent', true),
  route('PATCH /System/Orders/{id}/delivered', true),
  route('POST /System/Orders/{id}/resync', true),
  route('GET /System/Lists/Shippers'),
  route('GET /System/Lists/Shippers/{id}'),
  route('GET /System/Lists/Articles'),
  route('GET /System/Lists/DeliveryMethods'),
  route('GET /System/Lists/OrderCategories'),
  route('GET /System/ApiKeys'),
  route('POST /System/ApiKeys', true),
  route('GET /System/ApiKeys/{id}'),
  route('PATCH /System/ApiKeys/{id}', true),
  route('DELETE /System/ApiKeys/{id}'),
  route('POST /System/Events', true),
  route('GET /System/Events'),
  route('PUT /System/Events', true),
  route('GET /System/Events/{id}'),
  route('DELETE /System/Events/{id}'),
  route('POST /System/Events/{id}/secret', true),
  route('GET /System/Events/{id}/deliveries'),
  route('GET /System/Events/{id}/deliveries/{id}'),
  route('POST /System/Events/{id}/deliveries/{id}/replay', true),
  route('POST /System/Events/{id}/replay', true),
];

/** What only the gateway's insides would say: stack frames, file names, the ORM or the database. */
const INSIDES = /\bat \S+ \(|\.[jt]s:\d+|node_modules|prisma|invocation|relation "|violates|stack/i;

/** A problem answer, as supertest or rawRequest received it. */
type Received = Pick<Response, 'status' | 'text'> & { headers: Record<string, string | string[] | undefined> };

function expectWellFormed(response: Received, what: string): void {
  if (response.status >= 500) throw new Error(`${what} → ${response.status} ${response.text.slice(0, 300)}`);
  if (response.status < 400) return;
  expect(response.headers['content-type']).toContain('application/problem+json');
  expect(JSON.parse(response.text)).toMatchObject({
    message: expect.any(String),
    detail: expect.any(String),
    code: expect.any(String),
    type: expect.stringMatching(/^urn:orders-gateway:problem:/),
    status: response.status,
    request_id: response.headers['x-request-id'],
  });
  if (INSIDES.test(response.text)) throw new Error(`${what} → answer shows insides: ${response.text}`);
}

// Before the fuzzing below, which may revoke the key these use.
describe('inputs that once made a 500', () => {
  const deep = (levels: number) => {
    let value: unknown = 1;
    for (let level = 0; level < levels; level += 1) value = [value];
    return value;
  };

  it.each([
    ['a body nested 2 000 deep', () => ({ ...orderBody(), note: deep(2000) }), 'MALFORMED_BODY', 'body'],
    ['an unknown field nested 2 000 deep', () => ({ ...orderBody(), extra: deep(2000) }), 'MALFORMED_BODY', 'body'],
    [
      'a price of 0.0000001 (1e-7)',
      () => orderBody({ items: [itemBody({ price: { base_price: 0.0000001, vat: 21 } })] }),
      'VALIDATION_FAILED',
      'items[0].price.base_price',
    ],
    [
      'a VAT rate of 1e-7',
      () => orderBody({ items: [itemBody({ price: { base_price: 1, vat: 1e-7 } })] }),
      'VALIDATION_FAILED',
      'items[0].price.vat',
    ],
    ['a line that is an array', () => orderBody({ items: [[]] }), 'VALIDATION_FAILED', 'items'],
    [
      'count × price past what the database holds',
      () => orderBody({ items: [itemBody({ count: 1_000_000, price: { base_price: 999_999_999, vat: 100 } })] }),
      'VALIDATION_FAILED',
      'items',
    ],
  ])('answers %s with a 400 naming it', async (_case, body, code, field) => {
    const response = await gateway.post('/System/Orders', body());
    expect(response.status).toBe(400);
    expect(response.body.code).toBe(code);
    if (code === 'VALIDATION_FAILED') expect(response.body.errors[0].field).toBe(field);
  });

  it('answers a payment of 1e-7 with a 400 naming paid', async () => {
    const response = await gateway.patch(`/System/Orders/${orderId}/paid`, {
      paid: 1e-7,
      payment_id: 'tiny',
      status: 'success',
    });
    expect(response.status).toBe(400);
    expect(response.body.errors[0].field).toBe('paid');
  });

  it('reads brackets inside strings as text, not as nesting', async () => {
    const response = await gateway.post('/System/Orders', orderBody({ note: '['.repeat(3000) + '\\"{' }));
    expect(response.status).toBe(201);
  });
});

describe('the routes tried', () => {
  it('are every operation of the OpenAPI document that takes input', () => {
    const document = JSON.parse(readFileSync(new URL('../../openapi/openapi.json', import.meta.url), 'utf8')) as {
      paths: Record<string, Record<string, unknown>>;
    };
    const operations = Object.entries(document.paths)
      .filter(([path]) => !path.startsWith('/health'))
      .flatMap(([path, methods]) =>
        Object.keys(methods).map((method) => `${method.toUpperCase()} ${path.replace(/\{(?!itemId)\w+\}/g, '{id}')}`),
      );
    expect(ROUTES.map((tried) => tried.name).sort()).toEqual(operations.sort());
  });
});

describe.each(ROUTES)('$name', (route) => {
  it('answers anything with a well-formed answer, never a 5xx', async () => {
    await fc.assert(
      fc.asyncProperty(
        pathId(() => orderId),
        pathId(() => itemId),
        query,
        bodyFor(route.name),
        async (order, item, search, payload) => {
          const url = `${route.path(encodeURIComponent(order), encodeURIComponent(item))}${search ? `?${search}` : ''}`;
          let test = gateway[route.method === 'get' ? 'get' : route.method](url);
          if (route.withBody || route.method !== 'get') {
            test = test.set('Content-Type', 'application/json').send(payload);
          }
          const response = await test;
          expectWellFormed(response, `${route.method.toUpperCase()} ${url} ${payload.slice(0, 200)}`);
        },
      ),
      { numRuns: Number(process.env.HOSTILE_RUNS ?? 25) },
    );
  }, 60_000);
});

describe('SQL in every filter', () => {
  it('finds nothing and harms nothing', async () => {
    const orders = Number((await db.query<{ n: string }>('SELECT count(*) AS n FROM orders')).rows[0]!.n);
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...QUERY_KEYS), fc.constantFrom(...SQLISH), async (key, injection) => {
        const response = await gateway.get(`/System/Orders?${new URLSearchParams({ [key]: injection }).toString()}`);
        expectWellFormed(response, `${key}=${injection}`);
        if (response.status === 200 && ['tracking', 'external_order_id', 'email'].includes(key)) {
          expect(response.body.paginator.total).toBe(0);
        }
      }),
      { numRuns: 150 },
    );
    const still = Number((await db.query<{ n: string }>('SELECT count(*) AS n FROM orders')).rows[0]!.n);
    expect(still).toBe(orders);
  });
});

// Requests no HTTP client would send, written by hand: what Node's parser and Fastify's router
// refuse before any route runs must come back in the same problem shape as everything else.
describe('header and URL abuse, over a raw socket', () => {
  let port: number;
  let key: string;
  beforeAll(async () => {
    // A key of its own: the fuzzing above may have revoked the admin key.
    key = await gateway.keyWith('admin');
    const server = gateway.app.getHttpServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(async () => {
    // Listening was started here, not by the application: it is stopped here too.
    const server = gateway.app.getHttpServer();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  function expectProblemShaped(answer: RawAnswer | null, method: string, path: string, what: string): void {
    if (!answer) throw new Error(`${what} → no answer`);
    if (answer.status >= 500) throw new Error(`${what} → ${answer.status} ${answer.text.slice(0, 300)}`);
    const departures = undocumented(method, path, answer);
    if (departures.length > 0) throw new Error(`${what} → outside the document: ${departures.join('; ')}`);
    expectWellFormed(answer, what);
  }

  const TEMPLATES = ROUTES.map((route) => ({
    method: route.method.toUpperCase(),
    template: route.name.split(' ')[1]!,
  }));
  const segment = fc.oneof(
    fc.constant('ORDER'),
    fc.integer({ min: 90, max: 400 }).map((length) => '9'.repeat(length)),
    fc.constantFrom('%ff', '%', '%zz', '%c3%28', '%00', '%2e%2e', '..', '%C5%99', 'ř', '%ed%a0%80', '1%20OR%201'),
    fc.string({ maxLength: 12 }).map(encodeURIComponent),
  );
  const queryValue = fc.oneof(
    fc.string({ maxLength: 20 }).map(encodeURIComponent),
    fc.constantFrom('%ff', '%', 'true', '1', '%00', '[]', 'a%26b'),
    fc.integer({ min: 4_000, max: 24_000 }).map((length) => 'q'.repeat(length)),
  );
  const queryKey = fc.oneof(
    fc.constantFrom(...QUERY_KEYS, 'dry_run', 'token', 'api_key', 'h%61sh', 'hash[]', 'metadata[a]', '%ff', ''),
    fc.string({ maxLength: 8 }).map(encodeURIComponent),
  );
  const query = fc.array(fc.tuple(queryKey, queryValue), { maxLength: 3 });
  /** Headers beside Host and the key: each an abuse, or none. */
  const abuse = fc.constantFrom(
    'X-Pad: ' + 'a'.repeat(20_000),
    'X-Control: a\u0001b',
    'Content-Length: abc',
    'Content-Length: -1',
    'Content-Length: 2\r\nContent-Length: 3',
    'Transfer-Encoding: chunked\r\nContent-Length: 2',
    'Transfer-Encoding: gzip',
    'Content-Type: text/plain',
    'Content-Type: application/json; charset=utf-7',
    'If-Match: not a tag',
    'If-None-Match: W/',
    'Idempotency-Key: ' + 'k'.repeat(300),
    'X-Request-Id: <script>alert(1)</script>',
    'Bad Header: x',
    'token: ',
    'Authorization: Bearer ' + 'b'.repeat(5_000),
    '',
  );
  const body = fc.oneof(fc.constant(''), fc.constantFrom('{}', '{"email":', '[[[[', JSON.stringify(orderBody())));

  it('answers every one in the problem shape, documented, never a 5xx', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...TEMPLATES),
        segment,
        query,
        fc.array(abuse, { minLength: 1, maxLength: 2 }),
        body,
        fc.boolean(),
        async ({ method, template }, id, pairs, extra, payload, withKey) => {
          const path = template.replace(/\{[^}]+\}/g, () => (id === 'ORDER' ? String(orderId) : id));
          const search = pairs.map(([name, value]) => `${name}=${value}`).join('&');
          const target = search ? `${path}?${search}` : path;
          const headers = [
            'Host: gateway.test',
            ...(withKey ? [`token: ${key}`] : []),
            ...extra.filter(Boolean),
            ...(payload && !extra.some((line) => /content-length|transfer-encoding/i.test(line))
              ? [`Content-Type: application/json`, `Content-Length: ${Buffer.byteLength(payload)}`]
              : []),
            'Connection: close',
          ];
          const request = `${method} ${target} HTTP/1.1\r\n${headers.join('\r\n')}\r\n\r\n${payload}`;
          const answer = await rawRequest(port, request, 4000);
          const what = `${method} ${target.slice(0, 160)} [${extra.map((line) => line.slice(0, 40)).join(' | ')}]`;
          expectProblemShaped(answer, method, path, what);
        },
      ),
      { numRuns: Number(process.env.HOSTILE_RUNS ?? 25) * 8 },
    );
  }, 120_000);

  it.each([
    [
      'headers past 16 KB',
      `GET /System/Orders HTTP/1.1\r\nHost: x\r\nX-Pad: ${'a'.repeat(20_000)}\r\n\r\n`,
      431,
      'HEADERS_TOO_LARGE',
    ],
    [
      'a query string past 16 KB',
      `GET /System/Orders?email=${'a'.repeat(20_000)} HTTP/1.1\r\nHost: x\r\n\r\n`,
      431,
      'HEADERS_TOO_LARGE',
    ],
    [
      'a path segment of 101 characters',
      `GET /System/Orders/${'1'.repeat(101)} HTTP/1.1\r\nHost: x\r\n\r\n`,
      414,
      'URL_TOO_LONG',
    ],
    ['an undecodable path', 'GET /System/Orders/%ff HTTP/1.1\r\nHost: x\r\n\r\n', 400, 'MALFORMED_URL'],
    [
      'a Content-Length that is no number',
      'POST /System/Orders HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n',
      400,
      'MALFORMED_REQUEST',
    ],
    [
      'two Content-Lengths',
      'POST /System/Orders HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n{}',
      400,
      'MALFORMED_REQUEST',
    ],
    ['no request line at all', '\u0000\u0001 hello\r\n\r\n', 400, 'MALFORMED_REQUEST'],
    [
      'a body that never comes',
      'POST /System/Orders HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 50\r\n\r\n{"em',
      408,
      'REQUEST_TIMEOUT',
    ],
  ])(
    'answers %s in the problem shape',
    async (_case, request, status, code) => {
      const answer = await rawRequest(port, request, 6000);
      expect(answer).not.toBeNull();
      expect(answer!.status).toBe(status);
      expect(answer!.headers['content-type']).toBe('application/problem+json; charset=utf-8');
      const problem = JSON.parse(answer!.text) as Record<string, unknown>;
      expect(problem).toMatchObject({ code, status, request_id: answer!.headers['x-request-id'] });
      expect(problem.request_id).toEqual(expect.any(String));
    },
    15_000,
  );
});

describe('after all that', () => {
  it('every order is whole: its total is its lines and fees, it has its sync row and its created entry', async () => {
    const broken = await db.query(`
      SELECT o.id FROM orders o
       WHERE o.money <> coalesce((SELECT sum(i.total) FROM order_items i WHERE i.order_id = o.id), 0)
                        + o.amount_shipping + o.amount_payment_fee
          OR EXISTS (SELECT 1 FROM order_items i WHERE i.order_id = o.id
                        AND i.total <> i.final_price * i.count - i.order_discount)
          OR o.money <> o.amount_subtotal - o.amount_discount + o.amount_shipping + o.amount_payment_fee
          OR o.money <> coalesce((SELECT sum((t->>'base')::numeric + (t->>'tax')::numeric)
                                    FROM jsonb_array_elements(o.taxes) t), 0)
          OR NOT EXISTS (SELECT 1 FROM order_sync s WHERE s.order_id = o.id)
          OR NOT EXISTS (SELECT 1 FROM order_history h WHERE h.order_id = o.id AND h.action = 'created')`);
    expect(broken.rows).toEqual([]);
  });
});
