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
import { IsAmount, IsId, NotTogetherWith, Trim } from '../../common/validation/decorators.js';

/** A unit price: base_price (without VAT) or final_price (with VAT), and the VAT rate. */
export class ItemPriceInput {
  /**
   * Unit price without VAT. Give this or final_price; the other is computed.
   * @example 10
   */
  @ValidateIf((price: ItemPriceInput) => price.base_price != null || price.final_price == null)
  @IsDefined({ message: 'give base_price or final_price' })
  @IsAmount()
  base_price?: number;

  /**
   * Unit price with VAT. Give this or base_price; the other is computed.
   * @example 12.1
   */
  @ValidateIf((price: ItemPriceInput) => price.final_price != null)
  @NotTogetherWith('base_price')
  @IsAmount()
  final_price?: number;

  /**
   * VAT rate in percent.
   * @example 21
   */
  @IsDefined()
  @IsNumber({ allowNaN: false, allowInfinity: false, maxDecimalPlaces: 2 })
  @Min(0)
  @Max(100)
  vat!: number;
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
   * Line name.
   * @example "Coffee mug"
   */
  @IsDefined()
  @Trim()
  @IsString()
  @IsNotEmpty()
  @MaxLength(255)
  name!: string;

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

  /**
   * Line note.
   * @example "Gift wrap"
   */
  @IsOptional()
  @IsString()
  @MaxLength(1000)
  note?: string;
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
