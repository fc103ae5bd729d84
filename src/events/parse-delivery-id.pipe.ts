import type { PipeTransform } from '@nestjs/common';
import { DomainError } from '../common/errors/domain-error.js';

/** A delivery id: digits, as the delivery log shows them. */
export class ParseDeliveryIdPipe implements PipeTransform<string, string> {
  transform(value: string): string {
    if (!/^[1-9]\d{0,18}$/.test(value)) {
      throw DomainError.invalidField('delivery-id', 'delivery-id must be a delivery id');
    }
    return value;
  }
}
