import { type CallHandler, type ExecutionContext, Injectable, type NestInterceptor } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { type Observable, map } from 'rxjs';
import { orderEntityTag } from './entity-tag.js';

/**
 * What a route answers besides its body: the HTTP status, and the version of the order the
 * answer is about, sent as its ETag. Services return these; the interceptor below applies them.
 */
export class Answer<T> {
  constructor(
    readonly body: T,
    readonly status: number = 200,
    readonly version: number | null = null,
  ) {}
}

/** Sets a reply's status and ETag from what the route answered. */
export function applyAnswer(reply: FastifyReply, status: number, version: number | null): void {
  void reply.status(status);
  if (version !== null) void reply.header('etag', orderEntityTag(version));
}

/** Unwraps an Answer: its status and ETag on the reply, its body as the route's result. */
@Injectable()
export class AnswerInterceptor implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const reply = context.switchToHttp().getResponse<FastifyReply>();
    return next.handle().pipe(
      map((value: unknown) => {
        if (!(value instanceof Answer)) return value;
        applyAnswer(reply, value.status, value.version);
        return value.body as unknown;
      }),
    );
  }
}
