import { Injectable } from '@nestjs/common';
import { Database } from '../database/database.js';
import { PrismaService } from '../database/prisma.service.js';
import { sql } from '../database/sql.js';

export interface ShipperRecord {
  id: number;
  name: string;
  trackingUrlTemplate: string;
}

@Injectable()
export class ShippersRepository {
  constructor(
    private readonly database: Database,
    private readonly prisma: PrismaService,
  ) {}

  /** The list, off the hot path: Prisma. */
  async page(offset: number, limit: number): Promise<{ total: number; shippers: ShipperRecord[] }> {
    const [total, shippers] = await Promise.all([
      this.prisma.shipper.count(),
      this.prisma.shipper.findMany({ orderBy: { id: 'asc' }, skip: offset, take: limit }),
    ]);
    return { total, shippers };
  }

  /** One shipper: read by every new parcel, so plain SQL. */
  async findById(id: number): Promise<ShipperRecord | null> {
    const [row] = await this.database.query<ShipperRecord>(sql`
      SELECT id, name, tracking_url_template AS "trackingUrlTemplate" FROM shippers WHERE id = ${id}`);
    return row ?? null;
  }
}
