import fc from 'fast-check';
import { Decimal } from '../../src/common/money/money.js';
import type { FieldError } from '../../src/common/errors/domain-error.js';
import {
  type LineInput,
  ORDER_MONEY_FIELDS,
  type MoneyInput,
  priceOrder,
  spread,
} from '../../src/orders/order-money.js';

// The pricing rules of order-money.ts: exact identities that must hold for any order, and the
// figures of one worked example checked by hand.

const d = (value: string | number) => new Decimal(value);
const cents = (min: number, max: number) => fc.integer({ min, max }).map((value) => d(value).dividedBy(100));
const rate = fc.constantFrom(0, 9, 10, 12, 15, 21).map(d);

const line: fc.Arbitrary<LineInput> = fc.record({
  given: fc.record({
    givenAs: fc.constantFrom('base' as const, 'final' as const),
    amount: cents(0, 500_00),
    vatRate: rate,
  }),
  count: fc.integer({ min: 1, max: 50 }),
  discount: fc.option(
    fc.oneof(
      fc.record({ kind: fc.constant('percent' as const), value: fc.integer({ min: 0, max: 100 }).map(d) }),
      fc.record({ kind: fc.constant('amount' as const), value: cents(0, 5_00) }),
    ),
    { nil: null },
  ),
});

const order: fc.Arbitrary<MoneyInput> = fc.record({
  lines: fc.array(line, { minLength: 1, maxLength: 8 }),
  discount: fc.option(
    fc.oneof(
      fc.record({
        kind: fc.constant('percent' as const),
        value: fc.integer({ min: 0, max: 100 }).map(d),
        code: fc.constant(null),
      }),
      fc.record({ kind: fc.constant('amount' as const), value: cents(0, 20_00), code: fc.constant('V') }),
    ),
    { nil: null },
  ),
  shipping: fc.option(fc.record({ givenAs: fc.constant('final' as const), amount: cents(0, 20_00), vatRate: rate }), {
    nil: null,
  }),
  paymentFee: fc.option(fc.record({ givenAs: fc.constant('base' as const), amount: cents(0, 5_00), vatRate: rate }), {
    nil: null,
  }),
});

const sum = (values: Decimal[]) => values.reduce((total, value) => total.plus(value), d(0));

describe('an order priced', () => {
  it('adds up exactly, in whole cents, whatever the lines, discounts and fees', () => {
    fc.assert(
      fc.property(order, (input) => {
        const errors: FieldError[] = [];
        const priced = priceOrder(input, 2, ORDER_MONEY_FIELDS, errors);
        const { figures } = priced;
        // A discount above what it applies to is an error, never a negative line.
        if (errors.length > 0) {
          expect(errors.every((error) => /discount/.test(error.field))).toBe(true);
          return;
        }
        for (const one of priced.lines) {
          expect(one.total.gte(0)).toBe(true);
          expect(one.orderDiscount.gte(0)).toBe(true);
          expect(one.total.decimalPlaces()).toBeLessThanOrEqual(2);
          expect(one.price.basePrice.plus(one.price.vatValue).equals(one.price.finalPrice)).toBe(true);
        }
        const fees = sum([priced.shipping?.finalPrice ?? d(0), priced.paymentFee?.finalPrice ?? d(0)]);
        expect(figures.total.equals(sum(priced.lines.map((one) => one.total)).plus(fees))).toBe(true);
        expect(
          figures.total.equals(
            figures.subtotal.minus(figures.discount).plus(figures.shipping).plus(figures.paymentFee),
          ),
        ).toBe(true);
        // The order's discount is spread to the cent: the lines' shares are the discount.
        const linesBefore = sum(
          priced.lines.map((one, index) => one.price.finalPrice.times(input.lines[index]!.count)),
        );
        const shares = sum(priced.lines.map((one) => one.orderDiscount));
        if (input.discount?.kind === 'amount') expect(shares.equals(input.discount.value)).toBe(true);
        expect(linesBefore.minus(shares).plus(fees).equals(figures.total)).toBe(true);
        // VAT per rate: base + tax is what the rate's lines and fees cost, the tax the total's VAT.
        expect(sum(figures.taxes.map((tax) => tax.base.plus(tax.tax))).equals(figures.total)).toBe(true);
        expect(sum(figures.taxes.map((tax) => tax.tax)).equals(figures.tax)).toBe(true);
        for (const tax of figures.taxes) {
          const exact = tax.base.plus(tax.tax).times(tax.rate).dividedBy(d(100).plus(tax.rate));
          expect(tax.tax.minus(exact).abs().lte(d('0.005'))).toBe(true);
        }
      }),
      { numRuns: 500 },
    );
  });

  it('spreads a remainder to the largest remainders, the earlier line first on a tie', () => {
    expect(spread(d('0.10'), [d(1), d(1), d(1)], d('0.01')).map(String)).toEqual(['0.04', '0.03', '0.03']);
    expect(spread(d('1'), [d(3), d(1)], d('0.01')).map(String)).toEqual(['0.75', '0.25']);
    expect(spread(d('0.05'), [d('0.01'), d('9.99')], d('0.01')).map(String)).toEqual(['0', '0.05']);
    expect(spread(d(5), [d(0), d(0)], d('0.01')).map(String)).toEqual(['0', '0']);
  });

  it('prices a worked example to the cent', () => {
    // 2 mugs at 12.10 with 10 % off each, 3 boxes of tea at 5.49 (9 %), a voucher of 5.00,
    // shipping 4.95 with VAT 21 %, a payment fee of 0.50 without VAT.
    const errors: FieldError[] = [];
    const priced = priceOrder(
      {
        lines: [
          {
            given: { givenAs: 'final', amount: d('12.10'), vatRate: d(21) },
            count: 2,
            discount: { kind: 'percent', value: d(10) },
          },
          { given: { givenAs: 'final', amount: d('5.49'), vatRate: d(9) }, count: 3, discount: null },
        ],
        discount: { kind: 'amount', value: d(5), code: 'WELCOME5' },
        shipping: { givenAs: 'final', amount: d('4.95'), vatRate: d(21) },
        paymentFee: { givenAs: 'base', amount: d('0.50'), vatRate: d(21) },
      },
      2,
      ORDER_MONEY_FIELDS,
      errors,
    );
    expect(errors).toEqual([]);
    // The mug: 12.10 − 1.21 = 10.89 a unit, 21.78 the line; the tea 16.47. The voucher of 5.00
    // over 38.25: 21.78 / 38.25 × 5 = 2.847… → 2.84 + 1 cent (largest remainder) = 2.85; 2.15.
    expect(
      priced.lines.map((one) => [one.price.finalPrice.toString(), one.orderDiscount.toString(), one.total.toString()]),
    ).toEqual([
      ['10.89', '2.85', '18.93'],
      ['5.49', '2.15', '14.32'],
    ]);
    expect(priced.paymentFee?.finalPrice.toString()).toBe('0.61');
    const { figures } = priced;
    expect({
      subtotal: figures.subtotal.toString(),
      discount: figures.discount.toString(),
      shipping: figures.shipping.toString(),
      paymentFee: figures.paymentFee.toString(),
      total: figures.total.toString(),
      taxes: figures.taxes.map((tax) => [tax.rate.toString(), tax.base.toString(), tax.tax.toString()]),
    }).toEqual({
      subtotal: '40.67',
      discount: '7.42',
      shipping: '4.95',
      paymentFee: '0.61',
      total: '38.81',
      // 9 %: 14.32 × 9/109 = 1.1823 → 1.18; 21 %: 18.93 + 4.95 + 0.61 = 24.49 × 21/121 = 4.2503 → 4.25.
      taxes: [
        ['9', '13.14', '1.18'],
        ['21', '20.24', '4.25'],
      ],
    });
    expect(figures.tax.toString()).toBe('5.43');
  });

  it('refuses a discount above the price, and a voucher above what the lines cost', () => {
    const errors: FieldError[] = [];
    priceOrder(
      {
        lines: [
          {
            given: { givenAs: 'base', amount: d(10), vatRate: d(21) },
            count: 1,
            discount: { kind: 'amount', value: d(11) },
          },
        ],
        discount: { kind: 'amount', value: d(50), code: null },
        shipping: null,
        paymentFee: null,
      },
      2,
      ORDER_MONEY_FIELDS,
      errors,
    );
    expect(errors.map((error) => error.field)).toEqual(['items[0].discount.amount', 'discount.amount']);
  });
});
