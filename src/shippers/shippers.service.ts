import { Injectable } from '@nestjs/common';
import { DomainError } from '../common/errors/domain-error.js';
import { ErrorCode } from '../common/errors/error-codes.js';
import { paginator } from '../common/http/pagination.dto.js';
import type { ShipperModel, ShippersModel } from './dto/shipper.model.js';
import { type ShipperRecord, ShippersRepository } from './shippers.repository.js';

@Injectable()
export class ShippersService {
  constructor(private readonly shippers: ShippersRepository) {}

  async list(page: number, perPage: number): Promise<ShippersModel> {
    const { total, shippers } = await this.shippers.page((page - 1) * perPage, perPage);
    return { paginator: paginator(page, perPage, total), shippers: shippers.map(toShipperModel) };
  }

  async get(id: number): Promise<ShipperModel> {
    const shipper = await this.shippers.findById(id);
    if (!shipper) throw new DomainError(ErrorCode.SHIPPER_NOT_FOUND, `There is no shipper ${id}.`);
    return toShipperModel(shipper);
  }
}

function toShipperModel(shipper: ShipperRecord): ShipperModel {
  return { id: shipper.id, name: shipper.name, tracking_url_template: shipper.trackingUrlTemplate };
}

/** The carrier's tracking page for a parcel. */
export function trackingUrl(template: string, trackingNumber: string): string {
  return template.replaceAll('{tracking_number}', encodeURIComponent(trackingNumber));
}
