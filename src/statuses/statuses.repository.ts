import { Injectable } from '@nestjs/common';
import { Database } from '../database/database.js';
import { PrismaService } from '../database/prisma.service.js';
import { sql } from '../database/sql.js';

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
  constructor(
    private readonly database: Database,
    private readonly prisma: PrismaService,
  ) {}

  /** The list, off the hot path: Prisma. */
  async page(offset: number, limit: number): Promise<{ total: number; statuses: OrderStatusRecord[] }> {
    const [total, rows] = await Promise.all([
      this.prisma.orderStatus.count(),
      this.prisma.orderStatus.findMany({ orderBy: [{ sort: 'asc' }, { id: 'asc' }], skip: offset, take: limit }),
    ]);
    return { total, statuses: rows.map(toStatusRecord) };
  }

  /** One status: read by every status change, so plain SQL. */
  async findById(id: number): Promise<OrderStatusRecord | null> {
    const [row] = await this.database.query<OrderStatusRecord>(sql`
      SELECT id, name, icon, color, sort, complete_order AS "completeOrder", cancel_order AS "cancelOrder"
        FROM order_statuses WHERE id = ${id}`);
    return row ?? null;
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
