import { SetMetadata, applyDecorators } from '@nestjs/common';
import { ApiExtension } from '@nestjs/swagger';

export const NO_IDEMPOTENCY_KEY = Symbol('NO_IDEMPOTENCY_KEY');
/** The same mark in the OpenAPI document, where the Idempotency-Key header is described. */
export const NO_IDEMPOTENCY_KEY_EXTENSION = 'x-no-idempotency-key';

/** A write whose answer must not be stored (it holds a secret): an Idempotency-Key is refused. */
export const NoIdempotencyKey = (): MethodDecorator =>
  applyDecorators(SetMetadata(NO_IDEMPOTENCY_KEY, true), ApiExtension(NO_IDEMPOTENCY_KEY_EXTENSION, true));
