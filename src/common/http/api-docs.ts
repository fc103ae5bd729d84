import { applyDecorators } from '@nestjs/common';
import { ApiExtraModels, ApiResponse, getSchemaPath } from '@nestjs/swagger';
import { ErrorModel } from './responses.model.js';

const DESCRIPTIONS: Record<number, string> = {
  400: 'Invalid input: `errors` names each field and the reason.',
  401: 'No API key, or one that is unknown, revoked or expired.',
  403: 'The API key lacks the right this route needs.',
  404: 'No such order (or item, status, shipper).',
  409: 'The payment_id was recorded before with another amount.',
  413: 'The body is larger than the gateway accepts.',
  415: 'The body is not application/json.',
  422: "Not allowed in the order's state: `current_state` says which.",
  502: 'MplusKASSA refused the request.',
  503: 'MplusKASSA cannot be reached right now.',
};

/** A status whose answer on this route means something other than DESCRIPTIONS says. */
export interface ProblemOfRoute {
  status: number;
  description: string;
}

/** Documents the problem answers a route can give, with their application/problem+json schema. */
export function ApiProblems(...problems: (number | ProblemOfRoute)[]): MethodDecorator & ClassDecorator {
  return applyDecorators(
    ApiExtraModels(ErrorModel),
    ...problems.map((problem) => {
      const { status, description } =
        typeof problem === 'number' ? { status: problem, description: DESCRIPTIONS[problem] ?? 'Error.' } : problem;
      return ApiResponse({
        status,
        description,
        content: { 'application/problem+json': { schema: { $ref: getSchemaPath(ErrorModel) } } },
      });
    }),
  );
}
