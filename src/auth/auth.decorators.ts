import { type ExecutionContext, SetMetadata, createParamDecorator } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import type { IdempotencyClaim } from '../idempotency/idempotency.repository.js';
import type { Caller } from './caller.js';
import type { Right } from './rights.js';

export const REQUIRED_RIGHT = Symbol('REQUIRED_RIGHT');
export const PUBLIC_ROUTE = Symbol('PUBLIC_ROUTE');
export const ORDER_HASH_ROUTE = Symbol('ORDER_HASH_ROUTE');

/** The right a route needs; routes without one (and not @Public) are refused to everyone. */
export const RequiresRight = (right: Right): MethodDecorator & ClassDecorator => SetMetadata(REQUIRED_RIGHT, right);

export const Public = (): MethodDecorator & ClassDecorator => SetMetadata(PUBLIC_ROUTE, true);

/**
 * The route also serves whoever gives an order's `hash` (query parameter) instead of a key; the
 * handler must check the hash against the one order it reads (see CurrentAccess).
 */
export const OrderHashAccess = (): MethodDecorator => SetMetadata(ORDER_HASH_ROUTE, true);

export type AuthenticatedRequest = FastifyRequest & {
  caller?: Caller;
  orderHash?: string;
  /** A write's Idempotency-Key, claimed for it (see IdempotencyInterceptor). */
  idempotencyClaim?: IdempotencyClaim;
};

/** Who may read: an API key's caller, or the holder of one order's hash. */
export type Access = { kind: 'key'; caller: Caller } | { kind: 'order-hash'; hash: string };

export const CurrentAccess = createParamDecorator((_data: unknown, context: ExecutionContext): Access => {
  const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
  if (request.caller) return { kind: 'key', caller: request.caller };
  if (request.orderHash) return { kind: 'order-hash', hash: request.orderHash };
  throw new Error('CurrentAccess used on a route without authentication');
});

export const CurrentCaller = createParamDecorator((_data: unknown, context: ExecutionContext): Caller => {
  const caller = context.switchToHttp().getRequest<AuthenticatedRequest>().caller;
  if (!caller) throw new Error('CurrentCaller used on a route without authentication');
  return caller;
});
