/** The answer of Retailys create and change routes. */
export class IdModel {
  /** @example 12345 */
  id!: number;
}

/** A reference to another object: what `expanded=false` returns for nested objects. */
export class NonExpandedModel {
  /** @example 3 */
  id!: number;
  /** @example "/System/Orders/Statuses/3" */
  api_link!: string;
}

/** Field error of a validation problem. */
export class FieldErrorModel {
  /** @example "items[0].price.base_price" */
  field!: string;
  /** @example "base_price must not be less than 0" */
  message!: string;
}

/** Every error: a Retailys ErrorModel ({message, detail}) that is also an RFC 9457 problem. */
export class ErrorModel {
  /** @example "Validation failed" */
  message!: string;
  /** @example "email: email must be an email" */
  detail!: string;
  /** @example "urn:orders-gateway:problem:validation-failed" */
  type!: string;
  /** @example "Validation failed" */
  title!: string;
  /** @example 400 */
  status!: number;
  /** Stable error code. @example "VALIDATION_FAILED" */
  code!: string;
  /** The request's id, also in the X-Request-Id header. @example "3f0c2b8e-6d1a-4a53-9d0e-0f5b0b2f1c11" */
  request_id!: string;
  /** Validation problems, one per field and reason. */
  errors?: FieldErrorModel[];
  /** For refused transitions: the order's state. @example "sent" */
  current_state?: string;
  /** For refused transitions: the routes that would change the order now. @example ["delivered", "paid"] */
  allowed_transitions?: string[];
  /** For 412: the order's version now (its ETag is W/"<version>"). @example 4 */
  current_version?: number;
  /** For a payment above the balance: what is still owed. @example 12.5 */
  balance_due?: number;
  /** For a refund above what may be refunded: what may. @example 12.5 */
  refundable?: number;
  /** For 403: the right the route needs. @example "orders:write" */
  required_right?: string | null;
  /** For 429: seconds until the limit resets. @example 12 */
  retry_after?: number;
  /** In a batch: the index of the record that was refused. @example 3 */
  record?: number;
}
