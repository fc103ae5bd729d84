import type { PipeTransform } from '@nestjs/common';
import { DomainError } from '../common/errors/domain-error.js';

/** The largest delivery id: a bigint column's. */
const MAX_DELIVERY_ID = 9223372036854775807n;

/** How the OpenAPI document states a delivery id in a path. */
export const DELIVERY_ID_SCHEMA = { type: 'string', pattern: '^[1-9][0-9]{0,18}$', maxLength: 19 } as const;

/** A delivery id: digits, as the delivery log shows them, within the column's range. */
export class ParseDeliveryIdPipe implements PipeTransform<string, string> {
  transform(value: string): string {
    if (!/^[1-9]\d{0,18}$/.test(value) || BigInt(value) > MAX_DELIVERY_ID) {
      throw DomainError.invalidField('delivery-id', 'delivery-id must be a delivery id');
    }
    return value;
  }
}
