import { ErrorCode } from './error-codes.js';

export interface FieldError {
  /** Path of the field in the request: `email`, `items[0].price.base_price`, `per_page`. */
  field: string;
  message: string;
}

/** Extra members of the problem body, in snake_case as sent. */
export type ProblemExtras = Record<string, unknown> & { errors?: FieldError[] };

/** An expected failure, thrown anywhere below the controllers and answered by the problem filter. */
export class DomainError extends Error {
  constructor(
    readonly code: ErrorCode,
    readonly detail: string,
    readonly extras: ProblemExtras = {},
    /** Response headers that go with the answer (Retry-After, ETag). */
    readonly headers: Record<string, string> = {},
  ) {
    super(detail);
    this.name = 'DomainError';
  }

  static validation(errors: FieldError[]): DomainError {
    const detail = errors.map((error) => `${error.field}: ${error.message}`).join('; ');
    return new DomainError(ErrorCode.VALIDATION_FAILED, detail, { errors });
  }

  static invalidField(field: string, message: string): DomainError {
    return DomainError.validation([{ field, message }]);
  }
}
