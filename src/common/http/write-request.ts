import { type ExecutionContext, createParamDecorator } from '@nestjs/common';
import type { AuthenticatedRequest } from '../../auth/auth.decorators.js';
import type { Caller } from '../../auth/caller.js';
import type { IdempotencyClaim } from '../../idempotency/idempotency.repository.js';
import { type Precondition, parseIfMatch } from './entity-tag.js';
import { isDryRun } from './write-query.guard.js';

/**
 * What a write needs to know about the request it serves, handed from the controller down to the
 * unit of work as an argument: who writes, the versions If-Match allows, and the Idempotency-Key
 * claim its answer is recorded with.
 */
export interface WriteRequest {
  caller: Caller;
  /** If-Match, when the request has one: the write goes ahead only on an order at an allowed version. */
  precondition: Precondition | null;
  idempotency: IdempotencyClaim | null;
  /**
   * `dry_run=true`: the write is decided and written as always, in a transaction that is rolled
   * back; the answer is what it would make (see WriteQueryGuard, RehearsedAs).
   */
  dryRun: boolean;
}

/** The request's WriteRequest (after authentication, and the idempotency interceptor's claim). */
export const CurrentWrite = createParamDecorator((_data: unknown, context: ExecutionContext): WriteRequest => {
  const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
  if (!request.caller) throw new Error('CurrentWrite used on a route without authentication');
  const ifMatch = request.headers['if-match'];
  return {
    caller: request.caller,
    precondition: typeof ifMatch === 'string' ? parseIfMatch(ifMatch) : null,
    idempotency: request.idempotencyClaim ?? null,
    dryRun: isDryRun(request),
  };
});
