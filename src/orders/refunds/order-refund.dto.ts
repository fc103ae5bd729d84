import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsDefined,
  IsInt,
  IsNotEmpty,
  IsObject,
  IsOptional,
  IsString,
  Matches,
  MaxLength,
  Min,
  Max,
  ValidateIf,
  ValidateNested,
} from 'class-validator';
import { IsAmount, IsId, NotTogetherWith, Trim } from '../../common/validation/decorators.js';

export class RefundItemInput {
  /** The line refunded. @example 9001 */
  @IsDefined()
  @IsId()
  item_id!: number;

  /** Units of it refunded. @example 1 */
  @IsDefined()
  @IsInt()
  @Min(1)
  @Max(1_000_000)
  count!: number;
}

/**
 * A refund of money paid: an amount, or lines and counts (refunded at what they cost, their
 * share of the order's discount included). Never more than was paid and not refunded yet.
 */
export class OrderRefundPostRequest {
  /**
   * With VAT, in the order currency. Give this or items.
   * @example 12.1
   */
  @ValidateIf((body: OrderRefundPostRequest) => body.amount != null || body.items == null)
  @IsDefined({ message: 'give amount or items' })
  @IsAmount()
  amount?: number;

  /** The lines and counts refunded. Give this or amount. */
  @ValidateIf((body: OrderRefundPostRequest) => body.items != null)
  @NotTogetherWith('amount')
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(500)
  @IsObject({ each: true, message: 'each of items must be an object' })
  @ValidateNested({ each: true })
  @Type(() => RefundItemInput)
  items?: RefundItemInput[];

  /** @example "Damaged in transit" */
  @IsOptional()
  @Trim()
  @IsString()
  @MaxLength(1000)
  reason?: string;

  /**
   * Your id for the refund: a second refund with the same id answers the first (200) and refunds
   * nothing more; with other figures it is a 409. The gateway makes one when none is given.
   * @example "rf_2024_0042"
   */
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(255)
  @Matches(/^[\x21-\x7e]+$/, { message: 'refund_id must be printable ASCII without spaces' })
  refund_id?: string;
}
