import { type CanActivate, type ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyReply } from 'fastify';
import { RateLimiterRes } from 'rate-limiter-flexible';
import { DomainError } from '../common/errors/domain-error.js';
import { ErrorCode } from '../common/errors/error-codes.js';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';
import { type AuthenticatedRequest, PUBLIC_ROUTE } from './auth.decorators.js';
import { RequestLimiter } from './request-limiter.js';

/**
 * RATE_LIMIT_REQUESTS per RATE_LIMIT_WINDOW_MS for each API key over all routes together, or for
 * each client address when there is no key (readers of an order by its hash). It runs after the
 * key guard, so it counts keys that exist, not whatever a client puts in the header. Health and
 * metrics are not limited. Every gateway process of the database counts into the same counters
 * (see RequestLimiter).
 *
 * Answers carry X-RateLimit-Limit, X-RateLimit-Remaining and X-RateLimit-Reset (seconds until
 * the window starts again); a refusal is 429 with Retry-After.
 */
@Injectable()
export class RateLimitGuard implements CanActivate {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly reflector: Reflector,
    private readonly limiter: RequestLimiter,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (this.limiter.limit === null) return true;
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_ROUTE, [context.getHandler(), context.getClass()])) {
      return true;
    }
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const reply = context.switchToHttp().getResponse<FastifyReply>();
    const client = request.caller?.apiKeyId ? `key:${request.caller.apiKeyId}` : `address:${request.ip}`;
    let state: RateLimiterRes;
    let allowed = true;
    try {
      state = await this.limiter.consume(client);
    } catch (refused) {
      if (!(refused instanceof RateLimiterRes)) throw refused;
      state = refused;
      allowed = false;
    }
    const resetSeconds = Math.max(1, Math.ceil(state.msBeforeNext / 1000));
    void reply.headers({
      'x-ratelimit-limit': String(this.config.RATE_LIMIT_REQUESTS),
      'x-ratelimit-remaining': String(state.remainingPoints),
      'x-ratelimit-reset': String(resetSeconds),
    });
    if (!allowed) {
      throw new DomainError(
        ErrorCode.RATE_LIMITED,
        `More than ${this.config.RATE_LIMIT_REQUESTS} requests in ${this.config.RATE_LIMIT_WINDOW_MS} ms; try again in ${resetSeconds} s.`,
        { retry_after: resetSeconds },
        { 'retry-after': String(resetSeconds) },
      );
    }
    return true;
  }
}
