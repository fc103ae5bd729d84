import { Injectable } from '@nestjs/common';
import { Database, pageOf } from '../../database/database.js';
import { raw, sql } from '../../database/sql.js';
import { type TableWork, unitRows } from '../../database/table-work.js';
import { type JsonHole, type UnitOfWork, jsonbWith } from '../../database/unit-of-work.js';
import type { Changes } from './changes.js';

/** The id of the entry a unit of work records (see recordIn). */
export const NEW_HISTORY_ID = sql`(SELECT id FROM history)`;

/** The columns a new entry sets, in the order recordIn and recordAllIn give them. */
const HISTORY_COLUMNS = raw(
  'order_id, type, action, record_name, record_status, changes, api_key_id, api_key_name, request_id',
);

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
      sql`INSERT INTO order_history (${HISTORY_COLUMNS})
          SELECT anchor.id, ${entry.type}, ${entry.action}, ${entry.recordName}, ${entry.recordStatus}, ${changes},
                 ${entry.apiKeyId}::int, ${entry.apiKeyName}, ${entry.requestId}
            FROM anchor
          RETURNING id`,
    );
  }

  /** recordIn for every unit of a TableWork, `entries[u]` unit u's (whose changes have no holes). */
  recordAllIn(work: TableWork, entries: NewHistoryEntry[]): void {
    const rows = entries.map((entry, u) => ({
      u,
      type: entry.type,
      action: entry.action,
      record_name: entry.recordName,
      record_status: entry.recordStatus,
      changes: entry.changes,
      api_key_id: entry.apiKeyId,
      api_key_name: entry.apiKeyName,
      request_id: entry.requestId,
    }));
    work.write(
      'history',
      sql`INSERT INTO order_history (${HISTORY_COLUMNS})
          SELECT anchor.id, h.type, h.action, h.record_name, h.record_status, h.changes, h.api_key_id,
                 h.api_key_name, h.request_id
            FROM anchor JOIN ${unitRows(
              rows,
              'h',
              'type text, action text, record_name text, record_status text, changes jsonb, api_key_id int, api_key_name text, request_id text',
            )} USING (u)
           ORDER BY h.u`,
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
