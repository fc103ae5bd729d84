import 'reflect-metadata';
import { plainToInstance } from 'class-transformer';
import { type ValidatorOptions, validate } from 'class-validator';
import fc from 'fast-check';
import { passesAllRules } from '../../src/common/validation/rule-check.js';
import { createValidationPipe } from '../../src/common/validation/validation.pipe.js';
import { ApiKeyPatchRequest, ApiKeyPostRequest } from '../../src/auth/dto/api-key.dto.js';
import { EventPostRequest, EventPutRequest, EventsQuery } from '../../src/events/dto/event.dto.js';
import { OrderBatchPatchRequest, OrderBatchPostRequest } from '../../src/orders/batch/order-batch.dto.js';
import { REQUEST_EXAMPLES } from '../../src/orders/dto/request-examples.js';
import { OrderListQuery } from '../../src/orders/dto/order-list.query.js';
import { OrderPostRequest } from '../../src/orders/dto/order-post.dto.js';
import { OrderPutRequest } from '../../src/orders/dto/order-put.dto.js';
import { OrderItemPostRequest, OrderItemPutRequest } from '../../src/orders/dto/order-item.dto.js';
import { OrderPaidPatchRequest } from '../../src/orders/dto/order-paid.dto.js';
import { OrderRefundPostRequest } from '../../src/orders/refunds/order-refund.dto.js';
import { itemBody, orderBody } from '../support/factories.js';

// The validation pipe lets a body through on passesAllRules' word, without class-validator's own
// run (see rule-check.ts). That is right only while the two agree: generated bodies, most of them
// a valid body with a few fields changed to anything JSON can say, must get the same verdict
// from both, with the pipe's options of either e-mail setting.

type Dto = new () => object;

const SAMPLES: Array<[Dto, object[]]> = [
  [
    OrderPostRequest,
    [
      orderBody(),
      REQUEST_EXAMPLES.createOrder,
      orderBody({
        items: [itemBody({ discount: { percent: 10 } }), itemBody({ price: { final_price: 12.1, vat: 21 } })],
        discount: { amount: 2, code: 'SPRING' },
        shipping_price: { final_price: 4.95, vat: 21 },
        metadata: { partner: 'p-1' },
        external_order_id: 'ext-1',
        date_order: '2024-05-02T10:15:00+02:00',
      }),
    ],
  ],
  [OrderPutRequest, [REQUEST_EXAMPLES.updateOrder, { id: 3, delivery_email: 'a@example.nl', metadata: { a: 'b' } }]],
  [OrderBatchPostRequest, [REQUEST_EXAMPLES.createOrders, { records: [orderBody(), orderBody()] }]],
  [
    OrderBatchPatchRequest,
    [REQUEST_EXAMPLES.updateOrders, { records: [{ id: 1, delivery_name: null, metadata: { a: '' } }] }],
  ],
  [OrderItemPostRequest, [REQUEST_EXAMPLES.addItem, itemBody({ note: 'gift', metadata: { k: 'v' } })]],
  [OrderItemPutRequest, [REQUEST_EXAMPLES.changeItem, { id: 2, price: { base_price: 3, vat: 9 } }]],
  [OrderPaidPatchRequest, [REQUEST_EXAMPLES.pay, { paid: 0.01, status: 'success', payment_id: 'p-1' }]],
  [OrderRefundPostRequest, [REQUEST_EXAMPLES.refund, { items: [{ item_id: 1, count: 1 }], reason: 'broken' }]],
  [EventPostRequest, [{ event: 'order-new', path: 'https://example.com/hooks', method: 'POST' }]],
  [EventPutRequest, [{ id: 1, path: 'https://example.com/hooks', method: 'GET' }]],
  [ApiKeyPostRequest, [{ name: 'shop', rights: ['orders:read'] }]],
  [ApiKeyPatchRequest, [{ name: 'shop 2' }]],
  [OrderListQuery, [{ page: '2', per_page: '50', status_id: '3', done: '0', email: 'a@example.nl' }]],
  [EventsQuery, [{ page: '1' }]],
];

/** What JSON (or a query string) can put in a field, with the edges the rules are about. */
const anyValue: fc.Arbitrary<unknown> = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    fc.constantFrom(null, true, false, 0, 1, -1, 0.0000001, 1e21, 1.23456, 2147483648, 100, 21, '', '1', '0', 'true'),
    fc.double(),
    fc.integer(),
    fc.string({ maxLength: 60 }),
    fc.constantFrom('a@example.nl', 'x'.repeat(501), '2024-05-02T10:15:00+02:00', 'EUR', 'CZK', 'success', '1001'),
    fc.array(tie('value'), { maxLength: 3 }),
    fc.dictionary(fc.constantFrom('id', 'count', 'price', 'vat', 'base_price', 'percent', 'x'), tie('value'), {
      maxKeys: 3,
    }),
  ),
})).value;

/** A copy of `body` with the value at `path` replaced (or removed, for undefined); paths may reach past what exists. */
function withChange(body: unknown, path: Array<string | number>, value: unknown): unknown {
  if (path.length === 0) return value;
  const [key, ...rest] = path as [string | number, ...Array<string | number>];
  if (Array.isArray(body) && typeof key === 'number' && body.length > 0) {
    const copy = [...body];
    copy[key % body.length] = withChange(copy[key % body.length], rest, value);
    return copy;
  }
  const object = body !== null && typeof body === 'object' && !Array.isArray(body) ? { ...body } : {};
  const name = String(key);
  const changed = withChange((object as Record<string, unknown>)[name], rest, value);
  if (changed === undefined) delete (object as Record<string, unknown>)[name];
  else (object as Record<string, unknown>)[name] = changed;
  return object;
}

/** The field names of a sample, at any depth, and some it does not have. */
function keysOf(
  value: unknown,
  into = new Set<string>(['id', 'unknown_field', 'items', 'price', 'records']),
): string[] {
  if (value !== null && typeof value === 'object') {
    for (const [key, inner] of Object.entries(value)) {
      if (!Array.isArray(value)) into.add(key);
      keysOf(inner, into);
    }
  }
  return [...into];
}

const OPTIONS: ValidatorOptions[] = [false, true].map(
  (defaultDebtor) =>
    (createValidationPipe({ defaultDebtor }) as unknown as { validatorOptions: ValidatorOptions }).validatorOptions,
);

async function verdicts(dto: Dto, body: unknown, options: ValidatorOptions): Promise<[boolean, boolean]> {
  const instance: object = plainToInstance(dto, body);
  const errors = await validate(instance, options);
  return [passesAllRules(instance, options), errors.length === 0];
}

describe('passesAllRules', () => {
  it.each(SAMPLES.map(([dto, samples]) => [dto.name, dto, samples] as const))(
    'lets the valid %s samples through, as class-validator does',
    async (_name, dto, samples) => {
      for (const options of OPTIONS) {
        for (const sample of samples) expect(await verdicts(dto, sample, options)).toEqual([true, true]);
      }
    },
  );

  it.each(SAMPLES.map(([dto, samples]) => [dto.name, dto, samples] as const))(
    'gives a changed %s the verdict class-validator gives it',
    async (_name, dto, samples) => {
      const keys = keysOf(samples);
      const path = fc.array(fc.oneof(fc.constantFrom(...keys), fc.nat({ max: 3 })), { minLength: 1, maxLength: 4 });
      const change = fc.tuple(path, fc.oneof(anyValue, fc.constant(undefined)));
      let passed = 0;
      let failed = 0;
      await fc.assert(
        fc.asyncProperty(
          fc.constantFrom(...samples),
          fc.array(change, { minLength: 1, maxLength: 3 }),
          fc.constantFrom(...OPTIONS),
          async (sample, changes, options) => {
            const body = changes.reduce<unknown>((current, [at, value]) => withChange(current, at, value), sample);
            const [fast, full] = await verdicts(dto, body, options);
            if (full) passed += 1;
            else failed += 1;
            expect({ body, fast }).toEqual({ body, fast: full });
          },
        ),
        { numRuns: 1000 },
      );
      // Both verdicts were given often enough for the comparison to mean something.
      expect(failed).toBeGreaterThan(30);
      expect(passed).toBeGreaterThan(5);
    },
  );

  it('refuses what class-validator cannot check from JSON: a Set, a promise', () => {
    const [options] = OPTIONS;
    const batch = plainToInstance(OrderBatchPostRequest, { records: [orderBody()] });
    (batch as unknown as { records: unknown }).records = new Set((batch as unknown as { records: unknown[] }).records);
    expect(passesAllRules(batch, options!)).toBe(false);
    const order = plainToInstance(OrderPostRequest, orderBody());
    (order as unknown as { email: unknown }).email = Promise.resolve('a@example.nl');
    expect(passesAllRules(order, options!)).toBe(false);
  });
});
