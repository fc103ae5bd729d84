import { Injectable } from '@nestjs/common';
import { Database, pageOf } from '../database/database.js';
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
  constructor(private readonly database: Database) {}

  async page(offset: number, limit: number): Promise<{ total: number; statuses: OrderStatusRecord[] }> {
    const { total, rows } = await pageOf<OrderStatusRecord>(
      this.database,
      sql`order_statuses`,
      COLUMNS,
      sql`sort, id`,
      offset,
      limit,
    );
    return { total, statuses: rows };
  }

  async findById(id: number): Promise<OrderStatusRecord | null> {
    const [row] = await this.database.query<OrderStatusRecord>(
      sql`SELECT ${COLUMNS} FROM order_statuses WHERE id = ${id}`,
    );
    return row ?? null;
  }
}

const COLUMNS = sql`id, name, icon, color, sort, complete_order AS "completeOrder", cancel_order AS "cancelOrder"`;
