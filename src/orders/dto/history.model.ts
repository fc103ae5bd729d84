import { ApiProperty } from '@nestjs/swagger';
import { Paginator } from '../../common/http/pagination.dto.js';

export class HistoryRecordModel {
  /** @example "Marked sent" */
  name!: string | null;
  /** @example "sent" */
  status!: string | null;
}

export class HistoryApiKeyModel {
  /** @example 2 */
  id!: number | null;
  /** @example "web shop" */
  name!: string | null;
}

/** One entry of an order's history. An addition to Retailys, which can only post entries. */
export class HistoryEntryModel {
  /** @example 41 */
  id!: number;
  /** @example "order" */
  @ApiProperty({ enum: ['order', 'email', 'apps', 'status'] })
  type!: string;
  /**
   * What happened: created, item_added, item_updated, item_deleted, delivery_address_updated,
   * status_set, paid, payment_attempt, sent, delivered, done, canceled, tracking_added, or note
   * for entries posted by a client.
   * @example "sent"
   */
  action!: string;
  record!: HistoryRecordModel;
  /**
   * What changed, field by field.
   * @example {"sent":{"before":false,"after":true}}
   */
  @ApiProperty({
    type: 'object',
    additionalProperties: { type: 'object', properties: { before: {}, after: {} } },
    nullable: true,
  })
  changes!: Record<string, { before: unknown; after: unknown }> | null;
  /** The API key that made the change. */
  api_key!: HistoryApiKeyModel | null;
  /** @example "3f0c2b8e-6d1a-4a53-9d0e-0f5b0b2f1c11" */
  request_id!: string | null;
  /** @example "2024-05-03T09:00:00+00:00" */
  created_at!: string;
}

export class HistoryModel {
  paginator!: Paginator;
  history!: HistoryEntryModel[];
}
