import { Injectable } from '@nestjs/common';
import type { Db } from '../database/prisma.service.js';

export interface ShipperRecord {
  id: number;
  name: string;
  trackingUrlTemplate: string;
}

@Injectable()
export class ShippersRepository {
  async page(db: Db, offset: number, limit: number): Promise<{ total: number; shippers: ShipperRecord[] }> {
    const [total, shippers] = await Promise.all([
      db.shipper.count(),
      db.shipper.findMany({ orderBy: { id: 'asc' }, skip: offset, take: limit }),
    ]);
    return { total, shippers };
  }

  findById(db: Db, id: number): Promise<ShipperRecord | null> {
    return db.shipper.findUnique({ where: { id } });
  }
}
