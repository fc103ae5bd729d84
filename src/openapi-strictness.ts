import type { OpenAPIObject } from '@nestjs/swagger';
import { MAX_ID } from './common/validation/decorators.js';

// What @nestjs/swagger writes is looser than what strict OpenAPI 3.0 tools accept (ajv as Prism
// uses it, Redocly's recommended rules, generated clients). These rewrites, applied to the whole
// document in one place, make it say exactly what the gateway takes and sends.

type Schema = Record<string, unknown>;
type Operation = Record<string, unknown> & { parameters?: Schema[]; security?: Array<Record<string, string[]>> };

/**
 * The one value a `null` branch admits. Under OpenAPI 3.0.3 `nullable` only widens a `type` in
 * the same schema, so `nullable` beside an `allOf`/`oneOf` of references still forbids null.
 */
const NULL_BRANCH: Schema = { type: 'object', nullable: true, enum: [null], description: 'null' };

export function makeStrict(document: OpenAPIObject): void {
  for (const schema of Object.values(document.components?.schemas ?? {})) visitSchema(schema as Schema);
  for (const item of Object.values(document.paths)) {
    for (const operation of Object.values(item) as Operation[]) {
      for (const parameter of operation.parameters ?? []) {
        if (parameter.schema) visitSchema(parameter.schema as Schema);
        strictParameter(parameter);
      }
      // The routes without a key (health) say so, rather than leave security unstated.
      operation.security = (operation.security ?? []).flatMap((requirement) =>
        'token' in requirement ? [requirement, { bearer: [] }] : [requirement],
      );
    }
  }
}

/** A nullable reference (or choice of references) becomes anyOf the references and null. */
function visitSchema(schema: Schema): void {
  const references = (schema.allOf ?? schema.oneOf) as Schema[] | undefined;
  if (schema.nullable === true && references) {
    delete schema.allOf;
    delete schema.oneOf;
    delete schema.nullable;
    delete schema.type;
    schema.anyOf = [...references, NULL_BRANCH];
  }
  for (const property of Object.values((schema.properties ?? {}) as Record<string, Schema>)) visitSchema(property);
  if (schema.items) visitSchema(schema.items as Schema);
}

function strictParameter(parameter: Schema): void {
  const schema = parameter.schema as Schema | undefined;
  if (!schema) return;
  // Path ids go through ParseIdPipe: whole numbers from 1 to MAX_ID.
  if (parameter.in === 'path' && schema.type === 'number') {
    parameter.schema = { type: 'integer', format: 'int32', minimum: 1, maximum: MAX_ID };
  }
  // QueryBoolean takes true/false and 1/0 (the Retailys SDK sends expanded=0, done=1): a query
  // string is text, and a schema of type boolean would refuse the digits.
  if (parameter.in === 'query' && schema.type === 'boolean') {
    parameter.schema = {
      type: 'string',
      enum: ['true', 'false', '1', '0'],
      ...(typeof schema.default === 'boolean' ? { default: String(schema.default) } : {}),
    };
  }
}
