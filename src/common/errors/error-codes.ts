// Every failure a client can see, with its HTTP status and title: the one table the problem
// filter answers from. A new code without a row here does not compile (see `errorStatus`).

export enum ErrorCode {
  VALIDATION_FAILED = 'VALIDATION_FAILED',
  MALFORMED_BODY = 'MALFORMED_BODY',
  MALFORMED_REQUEST = 'MALFORMED_REQUEST',
  MALFORMED_URL = 'MALFORMED_URL',
  URL_TOO_LONG = 'URL_TOO_LONG',
  HEADERS_TOO_LARGE = 'HEADERS_TOO_LARGE',
  UNSUPPORTED_MEDIA_TYPE = 'UNSUPPORTED_MEDIA_TYPE',
  PAYLOAD_TOO_LARGE = 'PAYLOAD_TOO_LARGE',
  UNAUTHENTICATED = 'UNAUTHENTICATED',
  KEY_IN_URL = 'KEY_IN_URL',
  AUTHENTICATION_FAILURES = 'AUTHENTICATION_FAILURES',
  FORBIDDEN = 'FORBIDDEN',
  ROUTE_NOT_FOUND = 'ROUTE_NOT_FOUND',
  ORDER_NOT_FOUND = 'ORDER_NOT_FOUND',
  ITEM_NOT_FOUND = 'ITEM_NOT_FOUND',
  STATUS_NOT_FOUND = 'STATUS_NOT_FOUND',
  SHIPPER_NOT_FOUND = 'SHIPPER_NOT_FOUND',
  TRANSITION_NOT_ALLOWED = 'TRANSITION_NOT_ALLOWED',
  PAYMENT_CONFLICT = 'PAYMENT_CONFLICT',
  OVERPAYMENT = 'OVERPAYMENT',
  ORDER_INVOICED = 'ORDER_INVOICED',
  REFUND_EXCEEDS_PAID = 'REFUND_EXCEEDS_PAID',
  REFUND_CONFLICT = 'REFUND_CONFLICT',
  REFUND_NOT_POSSIBLE = 'REFUND_NOT_POSSIBLE',
  FEE_ARTICLE_NOT_CONFIGURED = 'FEE_ARTICLE_NOT_CONFIGURED',
  UNKNOWN_ARTICLE = 'UNKNOWN_ARTICLE',
  CATALOGUE_NOT_READY = 'CATALOGUE_NOT_READY',
  PRECONDITION_FAILED = 'PRECONDITION_FAILED',
  IDEMPOTENCY_KEY_IN_USE = 'IDEMPOTENCY_KEY_IN_USE',
  WRITE_CONFLICT = 'WRITE_CONFLICT',
  IDEMPOTENCY_KEY_REUSED = 'IDEMPOTENCY_KEY_REUSED',
  RATE_LIMITED = 'RATE_LIMITED',
  API_KEY_NOT_FOUND = 'API_KEY_NOT_FOUND',
  EVENT_NOT_FOUND = 'EVENT_NOT_FOUND',
  EVENT_KEY_REVOKED = 'EVENT_KEY_REVOKED',
  SHUTTING_DOWN = 'SHUTTING_DOWN',
  DATABASE_UNAVAILABLE = 'DATABASE_UNAVAILABLE',
  REQUEST_TIMEOUT = 'REQUEST_TIMEOUT',
  BACK_OFFICE_REFUSED = 'BACK_OFFICE_REFUSED',
  BACK_OFFICE_UNAVAILABLE = 'BACK_OFFICE_UNAVAILABLE',
  INTERNAL = 'INTERNAL',
}

interface ErrorKind {
  status: number;
  title: string;
  /** Expected failures are logged quietly; the database away is a warning, INTERNAL an error. */
  logLevel: 'debug' | 'warn' | 'error';
}

function kind(status: number, title: string, logLevel: ErrorKind['logLevel'] = 'debug'): ErrorKind {
  return { status, title, logLevel };
}

export function errorKind(code: ErrorCode): ErrorKind {
  switch (code) {
    case ErrorCode.VALIDATION_FAILED:
      return kind(400, 'Validation failed');
    case ErrorCode.MALFORMED_BODY:
      return kind(400, 'Malformed request body');
    case ErrorCode.MALFORMED_REQUEST:
      return kind(400, 'Malformed HTTP request');
    case ErrorCode.MALFORMED_URL:
      return kind(400, 'Malformed URL');
    case ErrorCode.URL_TOO_LONG:
      return kind(414, 'URL too long');
    case ErrorCode.HEADERS_TOO_LARGE:
      return kind(431, 'Request headers too large');
    case ErrorCode.UNSUPPORTED_MEDIA_TYPE:
      return kind(415, 'Unsupported media type');
    case ErrorCode.PAYLOAD_TOO_LARGE:
      return kind(413, 'Request body too large');
    case ErrorCode.UNAUTHENTICATED:
      return kind(401, 'Missing or invalid API key');
    case ErrorCode.KEY_IN_URL:
      return kind(400, 'API key in the URL');
    case ErrorCode.AUTHENTICATION_FAILURES:
      return kind(429, 'Too many failed authentications', 'warn');
    case ErrorCode.FORBIDDEN:
      return kind(403, 'API key lacks the right');
    case ErrorCode.ROUTE_NOT_FOUND:
      return kind(404, 'No such route');
    case ErrorCode.ORDER_NOT_FOUND:
      return kind(404, 'Order not found');
    case ErrorCode.ITEM_NOT_FOUND:
      return kind(404, 'Order item not found');
    case ErrorCode.STATUS_NOT_FOUND:
      return kind(404, 'Order status not found');
    case ErrorCode.SHIPPER_NOT_FOUND:
      return kind(404, 'Shipper not found');
    case ErrorCode.TRANSITION_NOT_ALLOWED:
      return kind(422, 'Not allowed in the order’s state');
    case ErrorCode.PAYMENT_CONFLICT:
      return kind(409, 'Payment already recorded differently');
    case ErrorCode.OVERPAYMENT:
      return kind(422, 'The payment is more than the order owes');
    case ErrorCode.ORDER_INVOICED:
      return kind(422, 'The order is invoiced');
    case ErrorCode.REFUND_EXCEEDS_PAID:
      return kind(422, 'The refund is more than was paid');
    case ErrorCode.REFUND_CONFLICT:
      return kind(409, 'Refund already recorded differently');
    case ErrorCode.REFUND_NOT_POSSIBLE:
      return kind(422, 'MplusKASSA cannot make this refund');
    case ErrorCode.FEE_ARTICLE_NOT_CONFIGURED:
      return kind(422, 'No MplusKASSA article for the fee');
    case ErrorCode.UNKNOWN_ARTICLE:
      return kind(422, 'MplusKASSA would refuse the line’s article');
    case ErrorCode.CATALOGUE_NOT_READY:
      return kind(503, 'The MplusKASSA catalogue has not been read yet');
    case ErrorCode.PRECONDITION_FAILED:
      return kind(412, 'The order has changed');
    case ErrorCode.IDEMPOTENCY_KEY_IN_USE:
      return kind(409, 'Idempotency-Key in use');
    case ErrorCode.WRITE_CONFLICT:
      return kind(409, 'Another write got in the way');
    case ErrorCode.IDEMPOTENCY_KEY_REUSED:
      return kind(422, 'Idempotency-Key used for another request');
    case ErrorCode.RATE_LIMITED:
      return kind(429, 'Too many requests');
    case ErrorCode.API_KEY_NOT_FOUND:
      return kind(404, 'API key not found');
    case ErrorCode.EVENT_NOT_FOUND:
      return kind(404, 'Event subscription or delivery not found');
    case ErrorCode.EVENT_KEY_REVOKED:
      return kind(422, 'The subscription’s API key is revoked');
    case ErrorCode.SHUTTING_DOWN:
      return kind(503, 'The gateway is shutting down');
    case ErrorCode.DATABASE_UNAVAILABLE:
      return kind(503, 'The database cannot be reached', 'warn');
    case ErrorCode.REQUEST_TIMEOUT:
      return kind(408, 'Request not received in time');
    case ErrorCode.BACK_OFFICE_REFUSED:
      return kind(502, 'MplusKASSA refused the request');
    case ErrorCode.BACK_OFFICE_UNAVAILABLE:
      return kind(503, 'MplusKASSA cannot be reached');
    case ErrorCode.INTERNAL:
      return kind(500, 'Internal error', 'error');
  }
}

/** `urn:orders-gateway:problem:transition-not-allowed`: the RFC 9457 `type` of a code. */
export function problemType(code: ErrorCode): string {
  return `urn:orders-gateway:problem:${code.toLowerCase().replaceAll('_', '-')}`;
}
