import { DomainError, type FieldError } from '../common/errors/domain-error.js';
import { type Decimal, currencyDecimals, decimalFromJson, hasAtMostDecimals } from '../common/money/money.js';
import type {
  DiscountInput,
  FeePriceInput,
  ItemPriceInput,
  OrderDiscountInput,
  OrderItemPostRequest,
} from './dto/order-item.dto.js';
import {
  type GivenDiscount,
  type LineInput,
  type MoneyFields,
  type MoneyInput,
  type OrderDiscount,
  type OrderFigures,
  fieldPath,
  priceOrder,
} from './order-money.js';
import { mergeMetadata } from './order-metadata.js';
import type { GivenPrice, UnitPrice } from './order-pricing.js';
import type { NewOrderItem, OrderItemRecord, OrderMoneyFields } from './order.types.js';

// From wire DTOs (already checked field by field) to domain input, with the checks that need the
// order's currency: no amount may have more decimals than the currency has.

/** A line as the client describes it, before the order's money is computed. */
export interface LineDraft
  extends LineInput, Pick<OrderItemRecord, 'articleNumber' | 'name' | 'count' | 'note' | 'metadata'> {
  /** The line's id when it exists already. */
  id?: number;
}

/** What the order's money is computed from: its lines as described, and the rest of MoneyInput. */
export interface MoneyDraft extends MoneyInput {
  lines: LineDraft[];
}

/** A line's name or VAT rate, left out where the catalogue mirror cannot give it. */
const MISSING_FROM_CATALOGUE = (what: 'name' | 'vat') =>
  `${what} is required: the catalogue mirror has no ${what === 'vat' ? 'VAT rate' : 'name'} for the line's article_number`;

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

  /** A price as given; a line's VAT rate left out is the catalogue's, filled in before (CatalogueMirror.complete). */
  givenPrice(price: ItemPriceInput | FeePriceInput, field: string, errors: FieldError[]): GivenPrice {
    const givenAs = price.base_price != null ? 'base' : 'final';
    const value = givenAs === 'base' ? price.base_price : price.final_price;
    if (price.vat == null) errors.push({ field: fieldPath(field, 'vat'), message: MISSING_FROM_CATALOGUE('vat') });
    return {
      givenAs,
      amount: this.amount(value ?? 0, fieldPath(field, `${givenAs}_price`), errors),
      vatRate: decimalFromJson(price.vat ?? 0),
    };
  }

  discount(discount: DiscountInput, field: string, errors: FieldError[]): GivenDiscount {
    if (discount.percent != null) return { kind: 'percent', value: decimalFromJson(discount.percent) };
    return { kind: 'amount', value: this.amount(discount.amount ?? 0, fieldPath(field, 'amount'), errors) };
  }

  orderDiscount(discount: OrderDiscountInput, field: string, errors: FieldError[]): OrderDiscount {
    return { ...this.discount(discount, field, errors), code: discount.code ?? null };
  }

  lineDraft(item: OrderItemPostRequest, field: string, errors: FieldError[]): LineDraft {
    if (item.name == null) errors.push({ field: fieldPath(field, 'name'), message: MISSING_FROM_CATALOGUE('name') });
    return {
      articleNumber: item.article_number ?? null,
      name: item.name ?? '',
      count: item.count,
      note: item.note ?? null,
      metadata: mergeMetadata({}, item.metadata ?? undefined, fieldPath(field, 'metadata')),
      given: this.givenPrice(item.price, fieldPath(field, 'price'), errors),
      discount: item.discount ? this.discount(item.discount, fieldPath(field, 'discount'), errors) : null,
    };
  }
}

/** A stored line as a draft: its price as the client gave it, before its discount. */
export function draftOf(item: OrderItemRecord): LineDraft {
  return {
    id: item.id,
    articleNumber: item.articleNumber,
    name: item.name,
    count: item.count,
    note: item.note,
    metadata: item.metadata,
    given: {
      givenAs: item.priceGivenAs,
      amount: item.priceGivenAs === 'base' ? item.originalBasePrice : item.originalFinalPrice,
      vatRate: item.originalVatRate,
    },
    discount: item.discount,
  };
}

/** The stored order's money as a draft, to change a part of it and price it again. */
export function moneyDraftOf(order: OrderMoneyFields & { items: OrderItemRecord[] }): MoneyDraft {
  return {
    lines: order.items.map(draftOf),
    discount: order.discount,
    shipping: order.shippingPrice && givenOf(order.shippingPrice),
    paymentFee: order.paymentPrice && givenOf(order.paymentPrice),
  };
}

function givenOf(price: UnitPrice): GivenPrice {
  return {
    givenAs: price.givenAs,
    amount: price.givenAs === 'base' ? price.basePrice : price.finalPrice,
    vatRate: price.vatRate,
  };
}

/** A draft's lines (with their ids, when they have one), priced, and the order's money. */
export interface PricedDraft {
  lines: Array<NewOrderItem & { id?: number }>;
  /** What the order row gets. */
  money: OrderMoneyFields & { money: Decimal; figures: OrderFigures };
}

/** Prices the draft (see order-money.ts); the errors name the fields of `fields`. */
export function priceDraft(
  draft: MoneyDraft,
  decimals: number,
  fields: MoneyFields,
  errors: FieldError[],
): PricedDraft {
  const priced = priceOrder(draft, decimals, fields, errors);
  const lines = draft.lines.map((line, index) => {
    const { original, price, orderDiscount, total } = priced.lines[index]!;
    return {
      ...(line.id !== undefined ? { id: line.id } : {}),
      articleNumber: line.articleNumber,
      name: line.name,
      count: line.count,
      note: line.note,
      metadata: line.metadata,
      priceGivenAs: price.givenAs,
      basePrice: price.basePrice,
      finalPrice: price.finalPrice,
      vatRate: price.vatRate,
      vatValue: price.vatValue,
      originalBasePrice: original.basePrice,
      originalFinalPrice: original.finalPrice,
      originalVatRate: original.vatRate,
      originalVatValue: original.vatValue,
      discount: line.discount,
      orderDiscount,
      total,
    };
  });
  return {
    lines,
    money: {
      money: priced.figures.total,
      figures: priced.figures,
      discount: draft.discount,
      shippingPrice: priced.shipping,
      paymentPrice: priced.paymentFee,
    },
  };
}

export function throwIfAny(errors: FieldError[]): void {
  if (errors.length > 0) throw DomainError.validation(errors);
}
