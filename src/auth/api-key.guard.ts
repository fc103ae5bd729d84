import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { DomainError } from '../common/errors/domain-error.js';
import { ErrorCode } from '../common/errors/error-codes.js';
import { ApiKeysService } from './api-keys.service.js';
import { type AuthenticatedRequest, ORDER_HASH_ROUTE, PUBLIC_ROUTE, REQUIRED_RIGHT } from './auth.decorators.js';
import { type Right, grants } from './rights.js';

/**
 * Every route needs an API key with the route's right, given as `token: <key>` (Retailys) or
 * `Authorization: Bearer <key>`. A route that declares no right is closed, not open.
 */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly apiKeys: ApiKeysService,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_ROUTE, targets)) return true;

    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const key = presentedKey(request);
    if (!key) {
      // An order's hash opens that order's page, nothing else; a key, when given, takes precedence.
      const hash = (request.query as Record<string, unknown> | undefined)?.hash;
      if (
        typeof hash === 'string' &&
        hash !== '' &&
        this.reflector.get<boolean>(ORDER_HASH_ROUTE, context.getHandler())
      ) {
        request.orderHash = hash;
        return true;
      }
      throw new DomainError(ErrorCode.UNAUTHENTICATED, 'Send an API key in the `token` header.');
    }
    const record = await this.apiKeys.authenticate(key);
    if (!record) {
      throw new DomainError(ErrorCode.UNAUTHENTICATED, 'The API key is unknown, revoked or expired.');
    }
    const needed = this.reflector.getAllAndOverride<Right | undefined>(REQUIRED_RIGHT, targets);
    if (!needed || !grants(record.rights, needed)) {
      throw new DomainError(
        ErrorCode.FORBIDDEN,
        needed ? `This route needs the right ${needed}.` : 'This route is not open to API keys.',
        { required_right: needed ?? null },
      );
    }
    request.caller = { apiKeyId: record.id, apiKeyName: record.name, rights: record.rights, requestId: request.id };
    return true;
  }
}

function presentedKey(request: AuthenticatedRequest): string | undefined {
  const token = request.headers.token;
  if (typeof token === 'string' && token.trim()) return token.trim();
  const authorization = request.headers.authorization;
  const bearer = typeof authorization === 'string' ? /^Bearer\s+(\S+)\s*$/i.exec(authorization) : null;
  return bearer?.[1];
}
