import { type PipeTransform } from '@nestjs/common';
import { DomainError } from '../errors/domain-error.js';
import { MAX_ID } from '../validation/decorators.js';

/** A path id: digits only, 1 to 2147483647; anything else is a 400 naming the parameter. */
export class ParseIdPipe implements PipeTransform<string, number> {
  constructor(private readonly parameter: string) {}

  transform(value: string): number {
    const id = /^\d{1,10}$/.test(value) ? Number(value) : NaN;
    if (!(id >= 1 && id <= MAX_ID)) {
      throw DomainError.invalidField(this.parameter, `${this.parameter} must be a whole number from 1 to ${MAX_ID}`);
    }
    return id;
  }
}
