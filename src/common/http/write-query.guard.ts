import { type CanActivate, type ExecutionContext, Injectable, SetMetadata, applyDecorators } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ApiQuery } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { DomainError, type FieldError } from '../errors/domain-error.js';
import { queryFlag } from '../validation/query-transforms.js';
import { isWriteMethod } from './write-methods.js';

// The query of a write. A write takes no query parameter but `dry_run`, and that only where the
// route rehearses its write (TakesDryRun): anything else is refused by name (400), so that a
// misspelt `dryrun=1`, or `dry_run` on a route that could not honour it, never goes ahead as a
// real write. GET routes refuse unknown parameters in their query DTOs instead.

const TAKES_DRY_RUN = 'takes-dry-run';
const DRY_RUN = 'dry_run';

const DRY_RUN_DESCRIPTION =
  '`true`: the write is checked and carried out as always (fields, the transition, the state, the ' +
  'database’s own checks) in a transaction that is then rolled back. Nothing is kept, nothing is ' +
  'forwarded to MplusKASSA, no event or webhook is sent, an Idempotency-Key is neither claimed nor ' +
  'recorded. The answer is 200 with what the write would make (the order, each record’s order in a ' +
  'batch, the key or the subscription as it would be; never a secret) and no ETag; ids it shows for ' +
  'new rows are not kept. A refusal is the same refusal the write would get.';

/** The route rehearses its write on `dry_run=true` (see RehearsedAs); documents the parameter. */
export function TakesDryRun(): MethodDecorator {
  return applyDecorators(
    SetMetadata(TAKES_DRY_RUN, true),
    ApiQuery({
      name: DRY_RUN,
      required: false,
      description: DRY_RUN_DESCRIPTION,
      schema: { type: 'string', enum: ['true', 'false', '1', '0'] },
    }),
  );
}

/** Whether the request asks for a dry run (its query checked by WriteQueryGuard already). */
export function isDryRun(request: FastifyRequest): boolean {
  if (!isWriteMethod(request.method)) return false;
  const value = (request.query as Record<string, unknown> | undefined)?.[DRY_RUN];
  return queryFlag(value) === true;
}

@Injectable()
export class WriteQueryGuard implements CanActivate {
  constructor(private readonly reflector: Reflector) {}

  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    if (!isWriteMethod(request.method)) return true;
    const query = (request.query ?? {}) as Record<string, unknown>;
    const takesDryRun = this.reflector.get<boolean>(TAKES_DRY_RUN, context.getHandler()) === true;
    const errors: FieldError[] = [];
    for (const [name, value] of Object.entries(query)) {
      if (name !== DRY_RUN) {
        errors.push({
          field: name,
          message: takesDryRun
            ? 'is not a parameter of this route: a write takes only dry_run in its query'
            : 'is not a parameter of this route: it takes none in its query',
        });
      } else if (!takesDryRun) {
        errors.push({ field: name, message: 'is not taken by this route: it cannot rehearse its write' });
      } else if (queryFlag(value) === undefined) {
        errors.push({ field: name, message: 'must be one of true, false, 1, 0, given once' });
      }
    }
    if (errors.length > 0) throw DomainError.validation(errors);
    return true;
  }
}
