import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { DomainError } from '../common/errors/domain-error.js';
import { KEY_QUERY_PARAMETERS, baseParameterName } from '../common/http/query-string.js';
import { ErrorCode } from '../common/errors/error-codes.js';
import { ApiKeysService, keyPrefixOf } from './api-keys.service.js';
import { AuthenticationFailures } from './authentication-failures.js';
import { type AuthenticatedRequest, ORDER_HASH_ROUTE, PUBLIC_ROUTE, REQUIRED_RIGHT } from './auth.decorators.js';
import type { ApiKeyRecord } from './api-key.repository.js';
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
    private readonly failures: AuthenticationFailures,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_ROUTE, targets)) return true;
    refuseKeyInUrl(request.query);

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
    const record = this.apiKeys.knownUsable(key) ?? (await this.authenticate(request.ip, key));
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

  /** A key the process does not know yet, looked up unless its address or prefix failed too often. */
  private async authenticate(address: string, key: string): Promise<ApiKeyRecord> {
    const prefix = keyPrefixOf(key);
    const wait = await this.failures.blockedFor(address, prefix);
    if (wait !== null) {
      throw new DomainError(
        ErrorCode.AUTHENTICATION_FAILURES,
        `More than ${this.failures.limit} failed authentications from this address or with this key prefix; try again in ${wait} s.`,
        { retry_after: wait },
        { 'retry-after': String(wait) },
      );
    }
    const record = await this.apiKeys.authenticate(key);
    if (!record) {
      await this.failures.failed(address, prefix);
      throw new DomainError(ErrorCode.UNAUTHENTICATED, 'The API key is unknown, revoked or expired.');
    }
    return record;
  }
}

/**
 * A key in the URL is refused before it is used: URLs are kept by proxies, browsers' histories
 * and access logs, where a header is not. (The gateway's own log redacts them too.)
 */
function refuseKeyInUrl(query: unknown): void {
  for (const name of Object.keys(query ?? {})) {
    if (KEY_QUERY_PARAMETERS.has(baseParameterName(name, false)!)) {
      throw new DomainError(
        ErrorCode.KEY_IN_URL,
        `${name}: an API key goes in the \`token\` header (or Authorization: Bearer), never in the URL, which proxies and logs keep.`,
        { errors: [{ field: name, message: 'an API key goes in the token header, not in the URL' }] },
      );
    }
  }
}

function presentedKey(request: AuthenticatedRequest): string | undefined {
  const token = request.headers.token;
  if (typeof token === 'string' && token.trim()) return token.trim();
  const authorization = request.headers.authorization;
  const bearer = typeof authorization === 'string' ? /^Bearer\s+(\S+)\s*$/i.exec(authorization) : null;
  return bearer?.[1];
}
