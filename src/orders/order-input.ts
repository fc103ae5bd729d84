import { DomainError, type FieldError } from '../common/errors/domain-error.js';
import { type Decimal, currencyDecimals, decimalFromJson, hasAtMostDecimals } from '../common/money/money.js';
import type { ItemPriceInput, OrderItemPostRequest } from './dto/order-item.dto.js';
import { type GivenPrice, unitPrice } from './order-pricing.js';
import type { NewOrderItem } from './order.types.js';

// From wire DTOs (already checked field by field) to domain input, with the checks that need the
// order's currency: no amount may have more decimals than the currency has.

export class CurrencyRules {
  readonly decimals: number;

  constructor(readonly currency: string) {
    this.decimals = currencyDecimals(currency);
  }

  /** The amount, or a field error when it has more decimals than the currency. */
  amount(value: number, field: string, errors: FieldError[]): Decimal {
    const amount = decimalFromJson(value);
    if (!hasAtMostDecimals(amount, this.decimals)) {
      errors.push({ field, message: `${this.currency} amounts take at most ${this.decimals} decimals` });
    }
    return amount;
  }

  givenPrice(price: ItemPriceInput, field: string, errors: FieldError[]): GivenPrice {
    const givenAs = price.base_price != null ? 'base' : 'final';
    const value = givenAs === 'base' ? price.base_price : price.final_price;
    return {
      givenAs,
      amount: this.amount(value ?? 0, fieldPath(field, `${givenAs}_price`), errors),
      vatRate: decimalFromJson(price.vat),
    };
  }

  newItem(item: OrderItemPostRequest, field: string, errors: FieldError[]): NewOrderItem {
    const price = unitPrice(this.givenPrice(item.price, fieldPath(field, 'price'), errors), this.decimals);
    return {
      articleNumber: item.article_number ?? null,
      name: item.name,
      count: item.count,
      note: item.note ?? null,
      priceGivenAs: price.givenAs,
      basePrice: price.basePrice,
      finalPrice: price.finalPrice,
      vatRate: price.vatRate,
      vatValue: price.vatValue,
    };
  }
}

/** `items[0].price` under a prefix, or `price` at the top of the body (prefix ''). */
function fieldPath(prefix: string, name: string): string {
  return prefix ? `${prefix}.${name}` : name;
}

export function throwIfAny(errors: FieldError[]): void {
  if (errors.length > 0) throw DomainError.validation(errors);
}
