import { type Type, applyDecorators } from '@nestjs/common';
import { ApiExtraModels, ApiOkResponse, getSchemaPath } from '@nestjs/swagger';
import { TakesDryRun } from './write-query.guard.js';

/**
 * A write that rehearses on `dry_run=true` (see WriteQueryGuard), its 200 documented with the
 * dry run's answer, `model` (`rehearsed` says what it is): beside the route's own 200, `ok`, as
 * anyOf the two; as the 200 itself for a route that answers 200 with nothing else; a route whose
 * 200 is `model` already passes it as `ok`.
 */
export function RehearsedAs(
  model: Type<unknown>,
  rehearsed: string,
  ok?: { type: Type<unknown>; description: string },
): MethodDecorator {
  const dryRun = `With dry_run=true: ${rehearsed}, nothing kept.`;
  if (!ok || ok.type === model) {
    const description = ok ? `${ok.description} ${dryRun}` : dryRun;
    return applyDecorators(TakesDryRun(), ApiOkResponse({ type: model, description }));
  }
  return applyDecorators(
    TakesDryRun(),
    ApiExtraModels(ok.type, model),
    ApiOkResponse({
      description: `${ok.description} ${dryRun}`,
      schema: { anyOf: [{ $ref: getSchemaPath(ok.type) }, { $ref: getSchemaPath(model) }] },
    }),
  );
}
