import { Injectable } from '@nestjs/common';
import type { Db } from '../../database/prisma.service.js';
import type { Changes } from './changes.js';

export type HistoryType = 'order' | 'email' | 'apps' | 'status';

export interface NewHistoryEntry {
  orderId: number;
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
  createdAt: Date;
}

@Injectable()
export class OrderHistoryRepository {
  /** Every write records one entry, so this is plain SQL: Prisma's model path costs more CPU. */
  async insert(tx: Db, entry: NewHistoryEntry): Promise<number> {
    const [row] = await tx.$queryRaw<[{ id: number }]>`
      INSERT INTO order_history (order_id, type, action, record_name, record_status, changes, api_key_id,
                                 api_key_name, request_id)
      VALUES (${entry.orderId}, ${entry.type}, ${entry.action}, ${entry.recordName}, ${entry.recordStatus},
              ${entry.changes === null ? null : JSON.stringify(entry.changes)}::jsonb, ${entry.apiKeyId},
              ${entry.apiKeyName}, ${entry.requestId})
      RETURNING id`;
    return row.id;
  }

  /** Oldest first: the history reads as a story. */
  async page(
    db: Db,
    orderId: number,
    offset: number,
    limit: number,
  ): Promise<{ total: number; entries: HistoryEntryRecord[] }> {
    const [total, rows] = await Promise.all([
      db.historyEntry.count({ where: { orderId } }),
      db.historyEntry.findMany({ where: { orderId }, orderBy: { id: 'asc' }, skip: offset, take: limit }),
    ]);
    return {
      total,
      entries: rows.map((row) => ({
        ...row,
        type: row.type as HistoryType,
        changes: row.changes as Changes | null,
      })),
    };
  }
}
