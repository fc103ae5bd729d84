import {
  Decimal,
  currencyDecimals,
  decimalFromJson,
  decimalFromText,
  formatMoney,
  hasAtMostDecimals,
  roundToCurrency,
  toJsonNumber,
} from '../../src/common/money/money.js';
import { ORDER_MONEY_FIELDS, priceOrder } from '../../src/orders/order-money.js';
import { unitPrice } from '../../src/orders/order-pricing.js';
import { decodeCursor, encodeCursor } from '../../src/orders/order-cursor.js';

const d = (value: string) => new Decimal(value);

describe('money', () => {
  it('knows the ISO 4217 minor units', () => {
    expect([
      currencyDecimals('EUR'),
      currencyDecimals('CZK'),
      currencyDecimals('JPY'),
      currencyDecimals('KWD'),
      currencyDecimals('CLF'),
    ]).toEqual([2, 2, 0, 3, 4]);
    expect(() => currencyDecimals('XYZ')).toThrow();
  });

  it('reads JSON numbers as the decimals they were written as', () => {
    expect(decimalFromJson(0.1).plus(decimalFromJson(0.2)).toString()).toBe('0.3');
    expect(decimalFromJson(12.1).toString()).toBe('12.1');
  });

  it('reads database text once per figure, and converts and words it as it would afresh', () => {
    expect(decimalFromText('12.1000')).toBe(decimalFromText('12.1000'));
    expect(decimalFromText('12.1000').equals(d('12.1'))).toBe(true);
    for (const text of ['0.0000', '12.1000', '1000000000.0000', '0.0001', '3.3333']) {
      const fresh = new Decimal(text);
      expect(toJsonNumber(decimalFromText(text))).toBe(fresh.toNumber());
      expect(toJsonNumber(decimalFromText(text))).toBe(fresh.toNumber());
      expect(formatMoney(decimalFromText(text), 'EUR', 'cs-CZ')).toBe(
        new Intl.NumberFormat('cs-CZ', {
          style: 'currency',
          currency: 'EUR',
          minimumFractionDigits: 2,
          maximumFractionDigits: 2,
        }).format(fresh.toNumber()),
      );
    }
    // One figure in two currencies or locales is two words.
    expect(formatMoney(12.1, 'EUR', 'en-US')).toBe('€12.10');
    expect(formatMoney(12.1, 'CZK', 'en-US')).not.toBe(formatMoney(12.1, 'EUR', 'en-US'));
    expect(formatMoney(12.1, 'EUR', 'cs-CZ')).not.toBe(formatMoney(12.1, 'EUR', 'en-US'));
  });

  it('rounds half away from zero', () => {
    expect(roundToCurrency(d('2.345'), 2).toString()).toBe('2.35');
    expect(roundToCurrency(d('2.344999'), 2).toString()).toBe('2.34');
    expect(roundToCurrency(d('0.5'), 0).toString()).toBe('1');
  });

  it('counts decimals', () => {
    expect(hasAtMostDecimals(d('1.10'), 1)).toBe(true);
    expect(hasAtMostDecimals(d('1.005'), 2)).toBe(false);
  });

  it('writes amounts as exact JSON numbers and formats them for people', () => {
    expect(toJsonNumber(d('999999999.9999'))).toBe(999999999.9999);
    expect(formatMoney(d('1000'), 'CZK', 'cs-CZ')).toMatch(/^1\s000,00\sKč$/);
    expect(formatMoney(d('1000'), 'JPY', 'en-US')).toBe('¥1,000');
  });
});

describe('pricing', () => {
  it('computes the price with VAT from the one without, and the other way round', () => {
    expect(unitPrice({ givenAs: 'base', amount: d('10'), vatRate: d('21') }, 2)).toMatchObject({
      basePrice: d('10'),
      finalPrice: d('12.1'),
      vatValue: d('2.1'),
    });
    const fromFinal = unitPrice({ givenAs: 'final', amount: d('100'), vatRate: d('21') }, 2);
    expect(fromFinal.basePrice.toString()).toBe('82.64');
    expect(fromFinal.vatValue.toString()).toBe('17.36');
  });

  it('keeps base + vat_value = final exactly, whatever the rounding', () => {
    for (const amount of ['0.01', '0.05', '9.99', '19.95', '1234.56']) {
      for (const rate of ['0', '9', '10', '12', '21', '25']) {
        for (const givenAs of ['base', 'final'] as const) {
          const price = unitPrice({ givenAs, amount: d(amount), vatRate: d(rate) }, 2);
          expect(price.basePrice.plus(price.vatValue).equals(price.finalPrice)).toBe(true);
          expect(price.basePrice.decimalPlaces()).toBeLessThanOrEqual(2);
          expect(price.finalPrice.decimalPlaces()).toBeLessThanOrEqual(2);
        }
      }
    }
  });

  it('rounds to the currency: none for JPY', () => {
    expect(unitPrice({ givenAs: 'base', amount: d('999'), vatRate: d('10') }, 0).finalPrice.toString()).toBe('1099');
  });

  it('totals unit price times count', () => {
    const line = (amount: string, count: number) => ({
      given: { givenAs: 'final' as const, amount: d(amount), vatRate: d('21') },
      count,
      discount: null,
    });
    const total = (lines: ReturnType<typeof line>[]) =>
      priceOrder({ lines, discount: null, shipping: null, paymentFee: null }, 2, ORDER_MONEY_FIELDS, []).figures.total;
    expect(total([line('12.1', 2), line('0.01', 3)]).toString()).toBe('24.23');
    expect(total([]).toString()).toBe('0');
  });
});

describe('changes cursor', () => {
  it('round-trips and refuses anything it did not make', () => {
    const position = { changeSeq: 9007199254740993n, id: 42 };
    expect(decodeCursor(encodeCursor(position))).toEqual(position);
    for (const bad of [
      '',
      'abc',
      Buffer.from('v2.1.2').toString('base64url'),
      Buffer.from('v1.x.2').toString('base64url'),
    ]) {
      expect(() => decodeCursor(bad)).toThrow();
    }
  });
});
