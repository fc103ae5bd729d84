import { type ExecutionContext, SetMetadata, createParamDecorator } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import type { Caller } from './caller.js';
import type { Right } from './rights.js';

export const REQUIRED_RIGHT = Symbol('REQUIRED_RIGHT');
export const PUBLIC_ROUTE = Symbol('PUBLIC_ROUTE');

/** The right a route needs; routes without one (and not @Public) are refused to everyone. */
export const RequiresRight = (right: Right): MethodDecorator & ClassDecorator => SetMetadata(REQUIRED_RIGHT, right);

export const Public = (): MethodDecorator & ClassDecorator => SetMetadata(PUBLIC_ROUTE, true);

export type AuthenticatedRequest = FastifyRequest & { caller?: Caller };

export const CurrentCaller = createParamDecorator((_data: unknown, context: ExecutionContext): Caller => {
  const caller = context.switchToHttp().getRequest<AuthenticatedRequest>().caller;
  if (!caller) throw new Error('CurrentCaller used on a route without authentication');
  return caller;
});
