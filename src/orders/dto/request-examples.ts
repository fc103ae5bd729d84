import type { Type } from '@nestjs/common';
import { ApiBody } from '@nestjs/swagger';

// The request bodies Swagger UI offers with "Try it out". Each is accepted as it stands on the
// two-command default (the embedded store and the simulator, a small Dutch shop in EUR), in the
// order a person would try them: create an order (order 1, line 1 on a fresh installation), read
// it, add and change a line, pay what it owes, and so on; the order reaches MplusKASSA
// (`sync.status: synced`). No external id: a second try must create a second order, not answer
// the first. The property examples of the schemas stay for the reference; these are what is sent.
// test/api/request-examples.test.ts sends every one of them as Swagger UI would.

/** A line of the simulator's catalogue: 2 coffee mugs at 10.00 + 21 % VAT, 24.20 in all. */
const MUGS = { article_number: '1001', name: 'Coffee mug', count: 2, price: { base_price: 10, vat: 21 } };

export const REQUEST_EXAMPLES = {
  createOrder: {
    email: 'jan.devries@example.nl',
    name: 'Jan de Vries',
    street: 'Kerkstraat 12',
    city: 'Amsterdam',
    zip: '1017 GC',
    state_code: 'NL',
    order_currency_code: 'EUR',
    note: 'Please ring twice',
    items: [MUGS],
  },
  updateOrder: {
    id: 1,
    delivery_name: 'Jan de Vries',
    delivery_street: 'Prinsengracht 263',
    delivery_city: 'Amsterdam',
    delivery_zip: '1016 GV',
    delivery_state_code: 'NL',
  },
  addItem: { article_number: '1003', name: 'Tea pot', count: 1, price: { base_price: 24.75, vat: 21 } },
  changeItem: { id: 1, count: 3 },
  /** What order 1 owes as the create example makes it: 2 × 12.10. */
  pay: { status: 'success', payment_id: 'pay_8f2a1c', paid: 24.2, method: 'ideal' },
  refund: { amount: 12.1, reason: 'One mug arrived broken', refund_id: 'rf_0001' },
  tracking: { shipper_id: 5, tracking_number: '3SABCD1234567' },
  status: { status_id: 3 },
  history: { type: 'email', record: { name: 'Confirmation e-mail sent', status: 'ok' } },
  createOrders: {
    records: [{ email: 'anna@example.nl', name: 'Anna Bakker', order_currency_code: 'EUR', items: [MUGS] }],
  },
  updateOrders: { records: [{ id: 1, delivery_phone: '+31612345678' }] },
} as const;

/** The body `type`, with `example` as the one Swagger UI offers. */
export function ApiBodyExample(type: Type<unknown>, summary: string, example: object): MethodDecorator {
  return ApiBody({ type, examples: { example: { summary, value: example } } });
}
