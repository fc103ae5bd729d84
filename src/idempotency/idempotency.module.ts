import { Global, Module } from '@nestjs/common';
import { APP_INTERCEPTOR } from '@nestjs/core';
import { IdempotencyInterceptor } from './idempotency.interceptor.js';
import { IdempotencyRepository } from './idempotency.repository.js';
import { WriteTransaction } from './write-transaction.js';

/** Idempotency-Key on every write, and the write transaction every write goes through. */
@Global()
@Module({
  providers: [IdempotencyRepository, WriteTransaction, { provide: APP_INTERCEPTOR, useClass: IdempotencyInterceptor }],
  exports: [IdempotencyRepository, WriteTransaction],
})
export class IdempotencyModule {}
