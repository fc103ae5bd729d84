import type { FieldError } from '../common/errors/domain-error.js';
import { Decimal, ZERO, roundToCurrency } from '../common/money/money.js';
import { type GivenPrice, type UnitPrice, unitPrice } from './order-pricing.js';

// An order's money, computed from what the client gave, in one place and in one pass: the lines
// with their discounts, the order's discount spread over the lines, the fees, the VAT per rate and
// the totals. Everything is a decimal.js Decimal; nothing passes through a float.
//
// The rules (the README's "Money" section says the same to clients):
// - Every amount includes VAT, as MplusKASSA's orders do (VAT-METHOD-INCLUSIVE): a line costs
//   its unit price with VAT times its count, and the order total is the sum of what it costs.
//   amount_tax is the VAT contained in the total, not added to it.
// - A line's discount is per unit, taken off the price as the client gave it (with or without
//   VAT); a percentage is rounded to the currency once, per unit. The discounted price's other half
//   follows as for any price (order-pricing.ts).
// - The order's discount (an amount with VAT, or a percentage of the lines after their own
//   discounts, rounded once) is spread over the lines in proportion to what each costs. Each line's
//   share is rounded down to the currency's smallest unit and the units left over go, one each, to
//   the lines with the largest remainders, the earlier line first on a tie: the shares always add
//   up to the discount, and the same order always spreads the same way.
// - VAT per rate is computed once per rate from what the order's lines and fees at that rate cost
//   in all, rounded half away from zero: the way MplusKASSA computes the VAT groups of an order.

/** The largest total an order may reach: well inside the database's Decimal(19, 4). */
export const MAX_ORDER_TOTAL = new Decimal('99999999999');

const HUNDRED = new Decimal(100);

export type DiscountKind = 'amount' | 'percent';

/** A discount as the client gave it. */
export interface GivenDiscount {
  kind: DiscountKind;
  value: Decimal;
}

export interface OrderDiscount extends GivenDiscount {
  /** The voucher's code, if the discount came from one. */
  code: string | null;
}

export interface LineInput {
  given: GivenPrice;
  count: number;
  discount: GivenDiscount | null;
}

export interface PricedLine {
  /** The unit price before the line's discount (price_original on the wire). */
  original: UnitPrice;
  /** The unit price after it (price on the wire). */
  price: UnitPrice;
  /** The line's share of the order's discount, with VAT. */
  orderDiscount: Decimal;
  /** What the line costs: price with VAT times count, less its share of the order's discount. */
  total: Decimal;
}

export interface TaxLine {
  rate: Decimal;
  /** What the order's lines and fees at this rate cost without VAT. */
  base: Decimal;
  tax: Decimal;
}

/** The order's figures; every one includes VAT but amount_tax itself. */
export interface OrderFigures {
  /** The lines at their prices before any discount. */
  subtotal: Decimal;
  /** Every discount: the lines' own and the order's. */
  discount: Decimal;
  shipping: Decimal;
  paymentFee: Decimal;
  /** The VAT the total contains. */
  tax: Decimal;
  /** subtotal − discount + shipping + paymentFee: the order's `money`. */
  total: Decimal;
  taxes: TaxLine[];
}

export interface MoneyInput {
  lines: LineInput[];
  discount: OrderDiscount | null;
  shipping: GivenPrice | null;
  paymentFee: GivenPrice | null;
}

export interface PricedOrder {
  lines: PricedLine[];
  shipping: UnitPrice | null;
  paymentFee: UnitPrice | null;
  figures: OrderFigures;
}

/** Where the errors about each part of the input are reported (field paths of the request). */
export interface MoneyFields {
  /** The field of the i-th line, e.g. `items[2]` (or `''` for the one line of an item route). */
  line: (index: number) => string;
  /** The field of the order's discount, e.g. `discount`. */
  discount: string;
  /** The field an order too large is reported on. */
  total: string;
}

export const ORDER_MONEY_FIELDS: MoneyFields = {
  line: (index) => `items[${index}]`,
  discount: 'discount',
  total: 'items',
};

/**
 * The order's money, or the field errors that make it impossible (a discount above its price, a
 * total past MAX_ORDER_TOTAL). `decimals` is the currency's.
 */
export function priceOrder(
  input: MoneyInput,
  decimals: number,
  fields: MoneyFields,
  errors: FieldError[],
): PricedOrder {
  const unit = new Decimal(1).dividedBy(new Decimal(10).pow(decimals));
  const lines = input.lines.map((line, index) => {
    const original = unitPrice(line.given, decimals);
    const off = line.discount ? discountOn(line.given.amount, line.discount, decimals) : ZERO;
    if (off.gt(line.given.amount)) {
      errors.push({
        field: fieldPath(fields.line(index), `discount.${line.discount!.kind}`),
        message: `the discount (${off.toString()}) is more than the unit price (${line.given.amount.toString()})`,
      });
    }
    const price = off.isZero()
      ? original
      : unitPrice({ ...line.given, amount: Decimal.max(ZERO, line.given.amount.minus(off)) }, decimals);
    return { original, price, gross: price.finalPrice.times(line.count) };
  });

  const linesTotal = lines.reduce((sum, line) => sum.plus(line.gross), ZERO);
  let orderDiscount = ZERO;
  if (input.discount) {
    orderDiscount = discountOn(linesTotal, input.discount, decimals);
    if (orderDiscount.gt(linesTotal)) {
      errors.push({
        field: fieldPath(fields.discount, input.discount.kind),
        message: `the discount (${orderDiscount.toString()}) is more than the lines cost (${linesTotal.toString()})`,
      });
      orderDiscount = linesTotal;
    }
  }
  const shares = spread(
    orderDiscount,
    lines.map((line) => line.gross),
    unit,
  );

  const priced: PricedLine[] = lines.map((line, index) => ({
    original: line.original,
    price: line.price,
    orderDiscount: shares[index]!,
    total: line.gross.minus(shares[index]!),
  }));
  const shipping = input.shipping ? unitPrice(input.shipping, decimals) : null;
  const paymentFee = input.paymentFee ? unitPrice(input.paymentFee, decimals) : null;

  const subtotal = input.lines.reduce(
    (sum, line, index) => sum.plus(priced[index]!.original.finalPrice.times(line.count)),
    ZERO,
  );
  const total = priced
    .reduce((sum, line) => sum.plus(line.total), ZERO)
    .plus(shipping?.finalPrice ?? ZERO)
    .plus(paymentFee?.finalPrice ?? ZERO);
  if (total.gt(MAX_ORDER_TOTAL)) {
    errors.push({ field: fields.total, message: `the order would cost more than ${MAX_ORDER_TOTAL.toString()}` });
  }
  const taxes = taxesOf(
    [
      ...priced.map((line) => ({ rate: line.price.vatRate, amount: line.total })),
      ...[shipping, paymentFee]
        .filter((fee): fee is UnitPrice => fee !== null)
        .map((fee) => ({ rate: fee.vatRate, amount: fee.finalPrice })),
    ],
    decimals,
  );
  const figures: OrderFigures = {
    subtotal,
    discount: subtotal.minus(linesTotal).plus(orderDiscount),
    shipping: shipping?.finalPrice ?? ZERO,
    paymentFee: paymentFee?.finalPrice ?? ZERO,
    tax: taxes.reduce((sum, line) => sum.plus(line.tax), ZERO),
    total,
    taxes,
  };
  return { lines: priced, shipping, paymentFee, figures };
}

/** What a discount takes off `amount`: its amount, or its percentage of `amount` rounded to the currency. */
function discountOn(amount: Decimal, discount: GivenDiscount, decimals: number): Decimal {
  return discount.kind === 'amount'
    ? discount.value
    : roundToCurrency(amount.times(discount.value).dividedBy(HUNDRED), decimals);
}

/** What the order still owes: its total less what was paid, never below zero (refunds aside). */
export function balanceDue(order: { money: Decimal; paid: Decimal }): Decimal {
  return Decimal.max(ZERO, order.money.minus(order.paid));
}

/** What may still be refunded: what was paid and not refunded yet. */
export function refundable(order: { paid: Decimal; refunded: Decimal }): Decimal {
  return Decimal.max(ZERO, order.paid.minus(order.refunded));
}

/**
 * `amount` spread over `weights` in proportion, in whole `unit`s: each share rounded down, the
 * units left over one each to the largest remainders, the earlier weight first on a tie. The
 * shares add up to `amount` (a whole number of units) and none exceeds its weight while `amount`
 * does not exceed their sum.
 */
export function spread(amount: Decimal, weights: Decimal[], unit: Decimal): Decimal[] {
  const sum = weights.reduce((total, weight) => total.plus(weight), ZERO);
  if (amount.isZero() || sum.isZero()) return weights.map(() => ZERO);
  const exact = weights.map((weight) => amount.times(weight).dividedBy(sum).dividedBy(unit));
  const units = exact.map((share) => share.floor());
  let left = amount
    .dividedBy(unit)
    .minus(units.reduce((total, share) => total.plus(share), ZERO))
    .toNumber();
  const byRemainder = exact
    .map((share, index) => ({ index, remainder: share.minus(units[index]!) }))
    .sort((a, b) => b.remainder.comparedTo(a.remainder) || a.index - b.index);
  for (const { index } of byRemainder) {
    if (left <= 0) break;
    units[index] = units[index]!.plus(1);
    left -= 1;
  }
  return units.map((share) => share.times(unit));
}

/** VAT per rate, from what costs what at each rate (see the top of this file), lowest rate first. */
export function taxesOf(amounts: Array<{ rate: Decimal; amount: Decimal }>, decimals: number): TaxLine[] {
  const byRate = new Map<string, { rate: Decimal; amount: Decimal }>();
  for (const { rate, amount } of amounts) {
    const key = rate.toString();
    const group = byRate.get(key);
    if (group) group.amount = group.amount.plus(amount);
    else byRate.set(key, { rate, amount });
  }
  return [...byRate.values()]
    .sort((a, b) => a.rate.comparedTo(b.rate))
    .map(({ rate, amount }) => {
      const tax = roundToCurrency(amount.times(rate).dividedBy(HUNDRED.plus(rate)), decimals);
      return { rate, base: amount.minus(tax), tax };
    });
}

/** `items[0].price` under a prefix, or `price` at the top of the body (prefix ''). */
export function fieldPath(prefix: string, name: string): string {
  return prefix ? `${prefix}.${name}` : name;
}
