import type { PipeTransform } from '@nestjs/common';
import { DomainError } from '../errors/domain-error.js';

/**
 * For routes that take no body (/done, /cancel, /sent, /delivered): nothing, an empty body or
 * `{}` is fine; any key is refused by name, as on every other route.
 */
export class RefuseBodyPipe implements PipeTransform<unknown, undefined> {
  transform(value: unknown): undefined {
    if (value === undefined) return undefined;
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      throw DomainError.invalidField('body', 'this route takes no body; send none or {}');
    }
    const keys = Object.keys(value);
    if (keys.length > 0) {
      throw DomainError.validation(
        keys.map((key) => ({ field: key, message: `unknown field ${key}: this route takes no body` })),
      );
    }
    return undefined;
  }
}
