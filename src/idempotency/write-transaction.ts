import { Injectable } from '@nestjs/common';
import { DomainError } from '../common/errors/domain-error.js';
import { ErrorCode } from '../common/errors/error-codes.js';
import { RequestContext } from '../common/request-context.js';
import { type Db, PrismaService } from '../database/prisma.service.js';
import { IdempotencyRepository } from './idempotency.repository.js';

/**
 * The transaction of a write. Every change a request makes goes through `run`, once per request:
 * when the request carries an Idempotency-Key, its result is recorded with the key in the same
 * transaction, and a repeat of the request gets that result back without running the work again.
 * What `work` answers must therefore be plain JSON (it is stored as such).
 */
@Injectable()
export class WriteTransaction {
  constructor(
    private readonly prisma: PrismaService,
    private readonly idempotency: IdempotencyRepository,
  ) {}

  async run<T>(work: (tx: Db) => Promise<T>): Promise<T> {
    const request = RequestContext.current();
    const claim = request?.idempotency;
    if (claim?.replay) return claim.replay.result as T;
    return this.prisma.$transaction(async (tx) => {
      const result = await work(tx);
      if (claim) {
        if (claim.committed) throw new Error('A request with an Idempotency-Key made a second write transaction.');
        const kept = await this.idempotency.commit(tx, claim.apiKeyId, claim.key, claim.owner, {
          value: result ?? null,
          orderVersion: request.orderVersion ?? null,
        });
        if (!kept) {
          throw new DomainError(
            ErrorCode.IDEMPOTENCY_KEY_IN_USE,
            'This request took too long and another request with the same Idempotency-Key took its place.',
          );
        }
        claim.committed = true;
      }
      return result;
    });
  }
}
