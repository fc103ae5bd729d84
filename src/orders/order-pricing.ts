import { Decimal, roundToCurrency } from '../common/money/money.js';

// How a line's prices follow from what the client gave. A client gives a unit price either
// without VAT (base_price) or with it (final_price), plus the VAT rate in percent; the other
// price is computed and rounded to the currency, and vat_value is their difference, so that
// base_price + vat_value = final_price always holds exactly on the wire.

export type PriceGivenAs = 'base' | 'final';

export interface GivenPrice {
  givenAs: PriceGivenAs;
  amount: Decimal;
  vatRate: Decimal;
}

export interface UnitPrice {
  givenAs: PriceGivenAs;
  basePrice: Decimal;
  finalPrice: Decimal;
  vatRate: Decimal;
  vatValue: Decimal;
}

const HUNDRED = new Decimal(100);

export function unitPrice(given: GivenPrice, currencyDecimals: number): UnitPrice {
  const factor = HUNDRED.plus(given.vatRate).dividedBy(HUNDRED);
  const basePrice =
    given.givenAs === 'base' ? given.amount : roundToCurrency(given.amount.dividedBy(factor), currencyDecimals);
  const finalPrice =
    given.givenAs === 'final' ? given.amount : roundToCurrency(given.amount.times(factor), currencyDecimals);
  return {
    givenAs: given.givenAs,
    basePrice,
    finalPrice,
    vatRate: given.vatRate,
    vatValue: finalPrice.minus(basePrice),
  };
}
