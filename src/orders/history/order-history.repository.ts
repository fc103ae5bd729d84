import { Injectable } from '@nestjs/common';
import { Database, pageOf } from '../../database/database.js';
import { sql } from '../../database/sql.js';
import { type JsonHole, type UnitOfWork, jsonbWith } from '../../database/unit-of-work.js';
import type { Changes } from './changes.js';

/** The id of the entry a unit of work records (see recordIn). */
export const NEW_HISTORY_ID = sql`(SELECT id FROM history)`;

export type HistoryType = 'order' | 'email' | 'apps' | 'status';

export interface NewHistoryEntry {
  type: HistoryType;
  /** What happened: created, item_added, paid, sent, note (posted by a client)... */
  action: string;
  recordName: string | null;
  recordStatus: string | null;
  changes: Changes | null;
  apiKeyId: number | null;
  apiKeyName: string | null;
  requestId: string | null;
}

export interface HistoryEntryRecord extends NewHistoryEntry {
  id: number;
  orderId: number;
  createdAt: Date;
}

@Injectable()
export class OrderHistoryRepository {
  constructor(private readonly database: Database) {}

  /**
   * The entry of the anchor order's change, as a part of its unit of work; NEW_HISTORY_ID is its id.
   * `holes` are values of `changes` only the statement knows (a new line's id).
   */
  recordIn(work: UnitOfWork<unknown>, entry: NewHistoryEntry, holes: JsonHole[] = []): void {
    const changes = jsonbWith(entry.changes, holes);
    work.write(
      'history',
      sql`INSERT INTO order_history (order_id, type, action, record_name, record_status, changes, api_key_id,
                                     api_key_name, request_id)
          SELECT anchor.id, ${entry.type}, ${entry.action}, ${entry.recordName}, ${entry.recordStatus}, ${changes},
                 ${entry.apiKeyId}::int, ${entry.apiKeyName}, ${entry.requestId}
            FROM anchor
          RETURNING id`,
    );
  }

  /** Oldest first: the history reads as a story. */
  async page(
    orderId: number,
    offset: number,
    limit: number,
  ): Promise<{ total: number; entries: HistoryEntryRecord[] }> {
    const { total, rows } = await pageOf<HistoryEntryRecord>(
      this.database,
      sql`order_history WHERE order_id = ${orderId}`,
      sql`id, order_id AS "orderId", type, action, record_name AS "recordName", record_status AS "recordStatus",
          changes, api_key_id AS "apiKeyId", api_key_name AS "apiKeyName", request_id AS "requestId",
          created_at AS "createdAt"`,
      sql`id`,
      offset,
      limit,
    );
    return { total, entries: rows };
  }
}
