import { SetMetadata } from '@nestjs/common';

export const NO_IDEMPOTENCY_KEY = Symbol('NO_IDEMPOTENCY_KEY');

/** A write whose answer must not be stored (it holds a secret): an Idempotency-Key is refused. */
export const NoIdempotencyKey = (): MethodDecorator => SetMetadata(NO_IDEMPOTENCY_KEY, true);
