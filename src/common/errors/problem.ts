import { HttpException, Logger } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { isDatabaseUnavailable, isTransactionConflict } from '../../database/database-errors.js';
import { loggableUrl } from '../logging.js';
import { DomainError } from './domain-error.js';
import { ErrorCode, errorKind, problemType } from './error-codes.js';

// Turns any failure into an RFC 9457 problem body that is also a Retailys ErrorModel
// ({message, detail}). Only DomainErrors carry their own words to the client; anything unknown
// is logged with its stack and answered with a generic 500 and the request id.

const logger = new Logger('Problem');

interface FrameworkError {
  statusCode?: number;
  code?: string;
  message?: string;
}

export function toDomainError(exception: unknown): DomainError {
  if (exception instanceof DomainError) return exception;
  if (exception instanceof HttpException) return fromStatus(exception.getStatus(), exception.message);
  if (isTransactionConflict(exception)) {
    // Tried again already where the write can be (a batch): it kept meeting others head-on.
    return new DomainError(
      ErrorCode.WRITE_CONFLICT,
      'The write met other writes to the same orders head-on and was not made; send it again.',
      {},
      { 'retry-after': '1' },
    );
  }
  if (isDatabaseUnavailable(exception)) {
    return new DomainError(
      ErrorCode.DATABASE_UNAVAILABLE,
      'The database cannot be reached right now; try again shortly.',
      {},
      { 'retry-after': '1' },
    );
  }
  const framework = exception as FrameworkError | undefined;
  if (typeof framework?.statusCode === 'number' && framework.statusCode < 500) {
    return fromStatus(framework.statusCode, framework.message ?? '');
  }
  return new DomainError(ErrorCode.INTERNAL, 'The gateway could not complete the request.');
}

function fromStatus(status: number, message: string): DomainError {
  switch (status) {
    case 404:
      // "Cannot GET /path?query": the route without its query, which is no part of routing.
      return new DomainError(ErrorCode.ROUTE_NOT_FOUND, message.replace(/^Cannot /, 'No route ').replace(/\?.*$/, ''));
    case 408:
      return new DomainError(ErrorCode.REQUEST_TIMEOUT, 'The request did not arrive in time.');
    case 413:
      return new DomainError(ErrorCode.PAYLOAD_TOO_LARGE, 'The request body is larger than the gateway accepts.');
    case 415:
      return new DomainError(ErrorCode.UNSUPPORTED_MEDIA_TYPE, 'Send the body as application/json.');
    default:
      // Fastify's body-parser messages (bad JSON, forbidden __proto__ keys) are safe to show.
      return new DomainError(ErrorCode.MALFORMED_BODY, message || 'The request could not be read.');
  }
}

export function sendProblem(exception: unknown, request: FastifyRequest, reply: FastifyReply): void {
  const error = toDomainError(exception);
  const { status, title, logLevel } = errorKind(error.code);
  if (logLevel === 'warn') {
    logger.warn({ msg: title, request_id: request.id, method: request.method, url: loggableUrl(request.url) });
  } else if (logLevel === 'error') {
    logger.error(
      { msg: 'request failed', request_id: request.id, method: request.method, url: loggableUrl(request.url) },
      (exception as Error | undefined)?.stack ?? String(exception),
    );
  } else {
    logger.debug({ msg: title, request_id: request.id, code: error.code, detail: error.detail });
  }
  void reply
    .status(status)
    .headers(error.headers)
    .header('content-type', PROBLEM_CONTENT_TYPE)
    .send(problemBody(error, request.id));
}

export const PROBLEM_CONTENT_TYPE = 'application/problem+json; charset=utf-8';

/** The problem body of `error`: an RFC 9457 problem that is also a Retailys ErrorModel. */
export function problemBody(error: DomainError, requestId: string): Record<string, unknown> {
  const { status, title } = errorKind(error.code);
  return {
    type: problemType(error.code),
    title,
    status,
    message: title,
    detail: error.detail,
    code: error.code,
    request_id: requestId,
    ...error.extras,
  };
}
