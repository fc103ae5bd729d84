import { type CallHandler, type ExecutionContext, Injectable, type NestInterceptor } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { type Observable, tap } from 'rxjs';
import { RequestContext } from '../request-context.js';
import { orderEntityTag } from './entity-tag.js';

/** The ETag of the order a request read or wrote (its version), on the answer. */
@Injectable()
export class EtagInterceptor implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const reply = context.switchToHttp().getResponse<FastifyReply>();
    return next.handle().pipe(
      tap(() => {
        const version = RequestContext.current()?.orderVersion;
        if (version !== undefined) void reply.header('etag', orderEntityTag(version));
      }),
    );
  }
}
