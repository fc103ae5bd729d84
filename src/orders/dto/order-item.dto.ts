import { PartialType } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  IsDefined,
  IsInt,
  IsNotEmpty,
  IsNumber,
  IsObject,
  IsOptional,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
  ValidateIf,
  ValidateNested,
} from 'class-validator';
import {
  HasAtMostDecimals,
  IsAmount,
  IsId,
  IsPercent,
  NotTogetherWith,
  Trim,
} from '../../common/validation/decorators.js';
import { IsMetadata, type MetadataChanges } from '../order-metadata.js';

/** A price as given: base_price (without VAT) or final_price (with VAT). */
export class PriceAmountInput {
  /**
   * Unit price without VAT. Give this or final_price; the other is computed.
   * @example 10
   */
  @ValidateIf((price: PriceAmountInput) => price.base_price != null || price.final_price == null)
  @IsDefined({ message: 'give base_price or final_price' })
  @IsAmount()
  base_price?: number;

  /**
   * Unit price with VAT. Give this or base_price; the other is computed.
   * @example 12.1
   */
  @ValidateIf((price: PriceAmountInput) => price.final_price != null)
  @NotTogetherWith('base_price')
  @IsAmount()
  final_price?: number;
}

/** A line's unit price: base_price or final_price, and the VAT rate. */
export class ItemPriceInput extends PriceAmountInput {
  /**
   * VAT rate in percent. Left out: the article's, as the catalogue mirror has it (see GET
   * /System/Lists/Articles); required when the mirror has no VAT for the line's article.
   * @example 21
   */
  @IsOptional()
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @HasAtMostDecimals(2)
  @Min(0)
  @Max(100)
  vat?: number;
}

/** A fee: base_price or final_price, and the VAT rate. */
export class FeePriceInput extends PriceAmountInput {
  /**
   * VAT rate in percent.
   * @example 21
   */
  @IsDefined()
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @HasAtMostDecimals(2)
  @Min(0)
  @Max(100)
  vat!: number;
}

/** A discount on each unit of a line: an amount or a percentage of its price as given. */
export class DiscountInput {
  /**
   * Taken off each unit, in the order currency, from the price as given (base_price without VAT,
   * final_price with it). Give this or percent.
   * @example 1.5
   */
  @ValidateIf((discount: DiscountInput) => discount.amount != null || discount.percent == null)
  @IsDefined({ message: 'give amount or percent' })
  @IsAmount()
  amount?: number;

  /**
   * Percent (0 to 100) taken off each unit's price, rounded to the currency per unit. Give this or amount.
   * @example 10
   */
  @ValidateIf((discount: DiscountInput) => discount.percent != null)
  @NotTogetherWith('amount')
  @IsPercent()
  percent?: number;
}

/**
 * A discount on the whole order (a voucher): an amount with VAT or a percentage of what the lines
 * cost after their own discounts, spread over the lines (see the README's "Money").
 */
export class OrderDiscountInput {
  /**
   * Taken off the order, with VAT, in the order currency. Give this or percent.
   * @example 5
   */
  @ValidateIf((discount: OrderDiscountInput) => discount.amount != null || discount.percent == null)
  @IsDefined({ message: 'give amount or percent' })
  @IsAmount()
  amount?: number;

  /**
   * Percent (0 to 100) taken off what the lines cost, rounded to the currency once. Give this or amount.
   * @example 10
   */
  @ValidateIf((discount: OrderDiscountInput) => discount.percent != null)
  @NotTogetherWith('amount')
  @IsPercent()
  percent?: number;

  /**
   * The voucher's code, kept with the order.
   * @example "WELCOME5"
   */
  @IsOptional()
  @Trim()
  @IsString()
  @IsNotEmpty()
  @MaxLength(100)
  code?: string | null;
}

/** An order line (decision 2 of the contract). */
export class OrderItemPostRequest {
  /**
   * MplusKASSA article number, digits only.
   * @example "1001"
   */
  @IsOptional()
  @IsString()
  @Matches(/^\d{1,15}$/, { message: 'article_number must be 1 to 15 digits' })
  article_number?: string;

  /**
   * Line name. Left out: the article's, as the catalogue mirror has it; required when the line
   * has no article_number or the mirror does not have it.
   * @example "Coffee mug"
   */
  @ValidateIf((item: OrderItemPostRequest) => item.name !== undefined || item.article_number == null)
  @IsDefined()
  @Trim()
  @IsString()
  @IsNotEmpty()
  @MaxLength(255)
  name?: string;

  /**
   * Quantity, a whole number of units.
   * @example 2
   */
  @IsDefined()
  @IsInt()
  @Min(1)
  @Max(1_000_000)
  count!: number;

  /** Unit price. */
  @IsDefined()
  @IsObject()
  @ValidateNested()
  @Type(() => ItemPriceInput)
  price!: ItemPriceInput;

  /** A discount on each unit: `price` is then the price after it, `price_original` the price before. */
  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => DiscountInput)
  discount?: DiscountInput | null;

  /**
   * Line note.
   * @example "Gift wrap"
   */
  @IsOptional()
  @IsString()
  @MaxLength(1000)
  note?: string;

  /** Your own data on the line (see the order's metadata); on a change, merged into what is there. */
  @IsOptional()
  @IsMetadata()
  metadata?: MetadataChanges | null;
}

/** Changes the line `id`; only the fields given change (null is no way to leave one out). */
export class OrderItemPutRequest extends PartialType(OrderItemPostRequest, { skipNullProperties: false }) {
  /**
   * The line to change.
   * @example 9001
   */
  @IsDefined()
  @IsId()
  id!: number;
}
