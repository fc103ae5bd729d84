import { Injectable } from '@nestjs/common';
import { Database, pageOf } from '../database/database.js';
import { sql } from '../database/sql.js';

export interface ShipperRecord {
  id: number;
  name: string;
  trackingUrlTemplate: string;
}

@Injectable()
export class ShippersRepository {
  constructor(private readonly database: Database) {}

  async page(offset: number, limit: number): Promise<{ total: number; shippers: ShipperRecord[] }> {
    const { total, rows } = await pageOf<ShipperRecord>(this.database, sql`shippers`, COLUMNS, sql`id`, offset, limit);
    return { total, shippers: rows };
  }

  async findById(id: number): Promise<ShipperRecord | null> {
    const [row] = await this.database.query<ShipperRecord>(sql`SELECT ${COLUMNS} FROM shippers WHERE id = ${id}`);
    return row ?? null;
  }
}

const COLUMNS = sql`id, name, tracking_url_template AS "trackingUrlTemplate"`;
