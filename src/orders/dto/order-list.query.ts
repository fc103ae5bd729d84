import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsEmail, IsIn, IsOptional, IsString, Matches, MaxLength, MinLength } from 'class-validator';
import { PageQuery } from '../../common/http/pagination.dto.js';
import { IsCalendarDate, IsDateTimeWithOffset, IsId, Trim } from '../../common/validation/decorators.js';
import { IsMetadataFilter, METADATA_MAX_VALUE_LENGTH } from '../order-metadata.js';
import { FULFILLMENT_STATES, type FulfillmentState } from '../order.types.js';
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

  /** List archived orders too (true/1); without it they are left out. An addition to Retailys. */
  @IsOptional()
  @QueryBoolean()
  @IsBoolean({ message: 'archived must be true, false, 1 or 0' })
  archived?: boolean;

  /**
   * Orders whose metadata has each key given with exactly its value: `metadata[shop_order]=A-1001`.
   * A Kwik convention.
   */
  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: { type: 'string', maxLength: METADATA_MAX_VALUE_LENGTH },
    example: { shop_order: 'A-1001' },
  })
  @IsOptional()
  @IsMetadataFilter()
  metadata?: Record<string, string>;

  /**
   * The order (its id): a Kwik alias.
   * @example 12345
   */
  @IsOptional()
  @QueryInteger()
  @IsId()
  order_id?: number;

  /**
   * The external order id (any prefix): the Kwik name of external_order_id.
   * @example "1001"
   */
  @IsOptional()
  @IsString()
  @MaxLength(100)
  order_reference?: string;

  /**
   * The customer's note contains this, ignoring case (3 to 200 characters). A Kwik filter.
   * @example "ring twice"
   */
  @IsOptional()
  @IsString()
  @MinLength(3, { message: 'description must be at least 3 characters: shorter texts match too much to search' })
  @MaxLength(200)
  description?: string;

  /**
   * Orders of exactly this total (amount_total, with VAT), as a decimal. A Kwik filter.
   * @example "24.20"
   */
  @IsOptional()
  @Matches(/^\d{1,15}(\.\d{1,4})?$/, { message: 'amount_total must be a decimal such as 24.20' })
  amount_total?: string;

  /**
   * Orders dated (date_order) on or after this day, in ORDER_DATE_TIME_ZONE. A Kwik filter.
   * @example "2024-05-01"
   */
  @IsOptional()
  @IsCalendarDate()
  date_start?: string;

  /**
   * Orders dated (date_order) on or before this day (the whole day), in ORDER_DATE_TIME_ZONE. A Kwik filter.
   * @example "2024-05-31"
   */
  @IsOptional()
  @IsCalendarDate()
  date_end?: string;

  /**
   * The order status id: the Kwik name of status_id.
   * @example 2
   */
  @IsOptional()
  @QueryInteger()
  @IsId()
  order_status_lookups_id?: number;

  /**
   * The fulfillment status, the Kwik name of the order's lifecycle_state: open, sent, delivered,
   * done or canceled (an archived order is in the state it was archived in; see `archived`).
   * @example "sent"
   */
  @IsOptional()
  @IsIn(FULFILLMENT_STATES, {
    message: `fulfillment_status_lookups_id must be one of ${FULFILLMENT_STATES.join(', ')}`,
  })
  fulfillment_status_lookups_id?: FulfillmentState;
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
   * order page) may read this one order and nothing else. Internal notes are left out. In the
   * OpenAPI document this is the `order_hash` security scheme.
   */
  @IsOptional()
  @IsString()
  @Matches(/^[0-9a-f]{32}$/, { message: 'hash must be the order hash: 32 hexadecimal digits' })
  hash?: string;
}
