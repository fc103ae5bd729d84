import { ApiProperty } from '@nestjs/swagger';
import { IsBoolean, IsEmail, IsIn, IsOptional, IsString, Matches, MaxLength } from 'class-validator';
import { PageQuery } from '../../common/http/pagination.dto.js';
import { IsDateTimeWithOffset, IsId, Trim } from '../../common/validation/decorators.js';
import { QueryBoolean, QueryInteger } from '../../common/validation/query-transforms.js';

export const ORDER_SORTS = ['-date_order', 'date_order', '-id', 'id', '-updated_at', 'updated_at'] as const;
export type OrderSort = (typeof ORDER_SORTS)[number];

export const SYNC_STATUSES = ['pending', 'synced', 'retrying', 'failed'] as const;

/**
 * Filters of GET /System/Orders. All filters combine with AND.
 *
 * Two ways to read: pages (`page`, `sort`, newest `date_order` first by default), or changes
 * (`updated_since` and then `cursor`): every order changed since, oldest change first, each page
 * with a `next_cursor` to continue from. Changes are read in commit order, so no change is ever
 * skipped; an order changed again later comes again.
 */
export class OrderListQuery extends PageQuery {
  /** @example 3 */
  @IsOptional()
  @QueryInteger()
  @IsId()
  channel_id?: number;

  /** @example 1 */
  @IsOptional()
  @QueryInteger()
  @IsId()
  company_id?: number;

  /** @example 678 */
  @IsOptional()
  @QueryInteger()
  @IsId()
  customer_id?: number;

  /** Finished orders only (true/1) or unfinished only (false/0). */
  @IsOptional()
  @QueryBoolean()
  @IsBoolean({ message: 'done must be true, false, 1 or 0' })
  done?: boolean;

  /** Canceled orders only (true/1) or not canceled only (false/0). */
  @IsOptional()
  @QueryBoolean()
  @IsBoolean({ message: 'canceled must be true, false, 1 or 0' })
  canceled?: boolean;

  /** @example 2 */
  @IsOptional()
  @QueryInteger()
  @IsId()
  status_id?: number;

  /**
   * Orders with date_order at or after this.
   * @example "2024-05-01T00:00:00+02:00"
   */
  @IsOptional()
  @IsDateTimeWithOffset()
  from?: string;

  /**
   * Orders with date_order at or before this.
   * @example "2024-05-31T23:59:59+02:00"
   */
  @IsOptional()
  @IsDateTimeWithOffset()
  to?: string;

  /**
   * Orders with a parcel of this tracking number.
   * @example "Z123456"
   */
  @IsOptional()
  @Trim()
  @IsString()
  @MaxLength(100)
  tracking?: string;

  /** Return nested objects in full (status) instead of {id, api_link}. */
  @ApiProperty({ required: false, default: false })
  @IsOptional()
  @QueryBoolean()
  @IsBoolean({ message: 'expanded must be true, false, 1 or 0' })
  expanded: boolean = false;

  /**
   * Customer e-mail, exact but ignoring case. An addition to Retailys.
   * @example "jan@example.cz"
   */
  @IsOptional()
  @Trim()
  @IsEmail()
  email?: string;

  /**
   * External order id (any prefix). An addition to Retailys.
   * @example "1001"
   */
  @IsOptional()
  @IsString()
  @MaxLength(100)
  external_order_id?: string;

  /** Back-office sync state: pending, synced, retrying or failed. An addition to Retailys. */
  @IsOptional()
  @IsIn(SYNC_STATUSES)
  sync_status?: (typeof SYNC_STATUSES)[number];

  /** Page order, `-` for descending. Default -date_order (then -id). Not with changes. */
  @IsOptional()
  @IsIn(ORDER_SORTS)
  sort?: OrderSort;

  /**
   * Start reading changes: orders changed at or after this time, oldest change first. An
   * addition to Retailys.
   * @example "2024-05-01T00:00:00Z"
   */
  @IsOptional()
  @IsDateTimeWithOffset()
  updated_since?: string;

  /** Continue reading changes from a previous answer's next_cursor. An addition to Retailys. */
  @IsOptional()
  @IsString()
  @MaxLength(200)
  cursor?: string;

  @ApiProperty({
    required: false,
    default: false,
    description:
      'Count every match for paginator.total, however many (slow on large results). Without it, past the ' +
      'configured limit (10 000 by default) the total is estimated and total_exact is false. An addition to Retailys.',
  })
  @IsOptional()
  @QueryBoolean()
  @IsBoolean({ message: 'exact_total must be true, false, 1 or 0' })
  exact_total: boolean = false;
}

/** Query of GET /System/Orders/{id}. */
export class GetOrderQuery {
  /** Return nested objects in full (status) instead of {id, api_link}. */
  @ApiProperty({ required: false, default: false })
  @IsOptional()
  @QueryBoolean()
  @IsBoolean({ message: 'expanded must be true, false, 1 or 0' })
  expanded: boolean = false;

  /**
   * The order's `hash`, instead of an API key: whoever holds it (a payment gateway, the customer's
   * order page) may read this one order and nothing else. Internal notes are left out.
   * @example "9f2c4e1ab07d4c55a3e1f0c2d9b8a761"
   */
  @IsOptional()
  @IsString()
  @Matches(/^[0-9a-f]{32}$/, { message: 'hash must be the order hash: 32 hexadecimal digits' })
  hash?: string;
}
