import { Injectable } from '@nestjs/common';
import type { Db } from '../database/prisma.service.js';

export interface OrderStatusRecord {
  id: number;
  name: string;
  icon: string | null;
  color: string | null;
  sort: number;
  completeOrder: boolean;
  cancelOrder: boolean;
}

@Injectable()
export class StatusesRepository {
  async page(db: Db, offset: number, limit: number): Promise<{ total: number; statuses: OrderStatusRecord[] }> {
    const [total, rows] = await Promise.all([
      db.orderStatus.count(),
      db.orderStatus.findMany({ orderBy: [{ sort: 'asc' }, { id: 'asc' }], skip: offset, take: limit }),
    ]);
    return { total, statuses: rows.map(toStatusRecord) };
  }

  async findById(db: Db, id: number): Promise<OrderStatusRecord | null> {
    const row = await db.orderStatus.findUnique({ where: { id } });
    return row && toStatusRecord(row);
  }
}

export function toStatusRecord(row: OrderStatusRecord): OrderStatusRecord {
  return {
    id: row.id,
    name: row.name,
    icon: row.icon,
    color: row.color,
    sort: row.sort,
    completeOrder: row.completeOrder,
    cancelOrder: row.cancelOrder,
  };
}
