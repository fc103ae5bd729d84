import { type CallHandler, type ExecutionContext, Inject, Injectable, type NestInterceptor } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyReply } from 'fastify';
import { type Observable, from, lastValueFrom, mergeMap, of } from 'rxjs';
import type { AuthenticatedRequest } from '../auth/auth.decorators.js';
import { DomainError } from '../common/errors/domain-error.js';
import { ErrorCode } from '../common/errors/error-codes.js';
import { applyAnswer } from '../common/http/answer.js';
import { isWriteMethod } from '../common/http/write-methods.js';
import { isDryRun } from '../common/http/write-query.guard.js';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';
import { ProcessPresence } from '../database/process-presence.js';
import { idempotencyKey, requestFingerprint } from './idempotency-key.js';
import { type IdempotencyClaim, IdempotencyRepository, type StoredAnswer } from './idempotency.repository.js';
import { NO_IDEMPOTENCY_KEY } from './no-idempotency-key.decorator.js';

/**
 * How long a running claim is held for a request that may have died, when nothing says its
 * process is gone (see ProcessPresence: a killed process's claims are taken over at once).
 * Longer than any request runs (a statement times out after seconds).
 */
const LEASE_SECONDS = 60;
const SETTLE_RETRY_MS = 500;

/**
 * Idempotency-Key on writes. The key is claimed (per API key) before the handler runs; a repeat
 * while the first still runs gets 409, the same key with another request 422. The claim goes to
 * the handler (see WriteRequest), whose write records its answer with the key in the write's own
 * statement; a repeat after that is answered the recorded status, ETag and body, marked
 * `Idempotent-Replayed: true`, without running the handler. A request that fails before its write
 * commits frees the key; one that ends without a write marks it done, so a repeat runs again.
 */
@Injectable()
export class IdempotencyInterceptor implements NestInterceptor {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly keys: IdempotencyRepository,
    private readonly reflector: Reflector,
    private readonly presence: ProcessPresence,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    if (!isWriteMethod(request.method)) return next.handle();
    const key = idempotencyKey(request.headers['idempotency-key']);
    if (key !== null && this.reflector.get<boolean>(NO_IDEMPOTENCY_KEY, context.getHandler())) {
      throw DomainError.invalidField('Idempotency-Key', 'is not taken by this route: its answer is shown only once');
    }
    const apiKeyId = request.caller?.apiKeyId;
    // A dry run keeps nothing, its answer neither: the key stays free for the real write.
    if (key === null || !apiKeyId || isDryRun(request)) return next.handle();
    const reply = context.switchToHttp().getResponse<FastifyReply>();
    const claim: IdempotencyClaim = {
      apiKeyId,
      key,
      owner: `${this.presence.instanceId}/${request.id}`,
      committed: false,
    };
    return from(this.claim(claim, requestFingerprint(request.method, request.url, request.body))).pipe(
      mergeMap((outcome) => {
        if (outcome === 'run-again') return next.handle();
        if (outcome !== 'claimed') {
          void reply.header('idempotent-replayed', 'true');
          applyAnswer(reply, outcome.status, outcome.orderVersion);
          return of(outcome.value);
        }
        request.idempotencyClaim = claim;
        return from(this.handleAndSettle(next, claim));
      }),
    );
  }

  /** The claim is settled before the answer leaves, so that a client's next try finds it settled. */
  private async handleAndSettle(next: CallHandler, claim: IdempotencyClaim): Promise<unknown> {
    let value: unknown;
    try {
      value = await lastValueFrom(next.handle(), { defaultValue: undefined });
    } catch (error) {
      await this.settle(claim, 'failed');
      throw error;
    }
    await this.settle(claim, 'finished');
    return value;
  }

  private async claim(claim: IdempotencyClaim, fingerprint: string): Promise<'claimed' | 'run-again' | StoredAnswer> {
    const outcome = await this.keys.claim({
      apiKeyId: claim.apiKeyId,
      key: claim.key,
      fingerprint,
      owner: claim.owner,
      ttlHours: this.config.IDEMPOTENCY_KEY_TTL_HOURS,
      leaseSeconds: LEASE_SECONDS,
      shared: this.presence.shared,
      instanceId: this.presence.instanceId,
    });
    switch (outcome.kind) {
      case 'claimed':
        return 'claimed';
      case 'committed':
        return outcome.result;
      case 'done':
        return 'run-again';
      case 'running':
        throw new DomainError(
          ErrorCode.IDEMPOTENCY_KEY_IN_USE,
          'A request with this Idempotency-Key is still being served; repeat it once that one has answered.',
          {},
          { 'retry-after': '1' },
        );
      case 'mismatch':
        throw new DomainError(
          ErrorCode.IDEMPOTENCY_KEY_REUSED,
          'This Idempotency-Key was used with a different request (method, URL or body); use a new key.',
        );
    }
  }

  /** After the handler: a claim without a committed write is finished (success) or freed (failure). */
  private async settle(claim: IdempotencyClaim, how: 'finished' | 'failed'): Promise<void> {
    if (claim.committed) return;
    const settle = () => (how === 'finished' ? this.keys.finish(claim) : this.keys.release(claim));
    try {
      await settle();
    } catch {
      // Most often the database is away (which is why the request failed). Until the claim is
      // settled, repeats get 409; keep trying in the background rather than leave it to the lease.
      void this.settleLater(settle, Date.now() + LEASE_SECONDS * 1000);
    }
  }

  private async settleLater(settle: () => Promise<unknown>, until: number): Promise<void> {
    while (Date.now() < until) {
      await new Promise((resolve) => setTimeout(resolve, SETTLE_RETRY_MS).unref());
      try {
        await settle();
        return;
      } catch {
        // Still away: try again.
      }
    }
  }
}
