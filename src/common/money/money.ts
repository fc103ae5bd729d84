import { code as currencyByCode } from 'currency-codes';
import * as decimalJs from 'decimal.js';

// decimal.js ships one CommonJS-style .d.ts for both of its builds: under ESM resolution
// TypeScript takes its default export for the module object, while at run time it is the class.
export const Decimal = decimalJs.default as unknown as typeof decimalJs.Decimal;
export type Decimal = decimalJs.Decimal;

// Amounts are decimal.js values from the edge to the database and back: never floats. An amount
// has at most as many decimals as its currency (ISO 4217 minor units); computed amounts are
// rounded half away from zero to that many.

export const ZERO = new Decimal(0);

/** ISO 4217 minor units: 2 for EUR, 0 for JPY, 3 for KWD. Unknown codes are refused at the edge. */
export function currencyDecimals(currencyCode: string): number {
  const currency = currencyByCode(currencyCode);
  if (!currency) throw new Error(`unknown currency ${currencyCode}`);
  return currency.digits;
}

export function isKnownCurrency(currencyCode: string): boolean {
  return currencyByCode(currencyCode) !== undefined;
}

/** A JSON number as the exact decimal it was written as (JSON numbers print shortest-exact). */
export function decimalFromJson(value: number): Decimal {
  return new Decimal(String(value));
}

export function roundToCurrency(amount: Decimal, decimals: number): Decimal {
  return amount.toDecimalPlaces(decimals, Decimal.ROUND_HALF_UP);
}

export function hasAtMostDecimals(amount: Decimal, decimals: number): boolean {
  return amount.decimalPlaces() <= decimals;
}

// The read path turns thousands of amounts a page from database text into JSON numbers and their
// formatted words; most of them are the same few figures (prices, VAT rates). decimal.js values
// are immutable, so one value serves every place a text stands for, and what it converts to is
// kept with it. Each cache is bounded, and emptied when full.

const CACHE_ENTRIES = 10_000;

function remember<K, V>(cache: Map<K, V>, key: K, value: V): V {
  if (cache.size >= CACHE_ENTRIES) cache.clear();
  cache.set(key, value);
  return value;
}

const parsed = new Map<string, Decimal>();

/** The amount a database text (numeric as text) stands for. */
export function decimalFromText(text: string): Decimal {
  return parsed.get(text) ?? remember(parsed, text, new Decimal(text));
}

const numbers = new WeakMap<Decimal, number>();

/**
 * The JSON number for an amount. Amounts are bounded at the edge (at most 1e9 per unit, 1e6 units
 * per line), so every stored amount is exact as a double and prints as written.
 */
export function toJsonNumber(amount: Decimal): number {
  let number = numbers.get(amount);
  if (number === undefined) {
    number = amount.toNumber();
    numbers.set(amount, number);
  }
  return number;
}

const formats = new Map<string, Intl.NumberFormat>();
const words = new Map<string, string>();

/**
 * "€12.10" (en-US) or "12,10 €" (cs-CZ): the *_word fields of a price. Takes the amount's JSON
 * number too (see toJsonNumber), which a caller that prints both has already made.
 */
export function formatMoney(amount: Decimal | number, currencyCode: string, locale: string): string {
  const number = typeof amount === 'number' ? amount : toJsonNumber(amount);
  const key = `${locale}|${currencyCode}`;
  const wordKey = `${key}|${number}`;
  return words.get(wordKey) ?? remember(words, wordKey, formatter(key, currencyCode, locale).format(number));
}

function formatter(key: string, currencyCode: string, locale: string): Intl.NumberFormat {
  let format = formats.get(key);
  if (!format) {
    const decimals = currencyDecimals(currencyCode);
    format = new Intl.NumberFormat(locale, {
      style: 'currency',
      currency: currencyCode,
      minimumFractionDigits: decimals,
      maximumFractionDigits: decimals,
    });
    formats.set(key, format);
  }
  return format;
}
