import { type ArgumentMetadata, type ValidationError, ValidationPipe } from '@nestjs/common';
import type { ValidatorOptions } from 'class-validator';
import { DomainError, type FieldError } from '../errors/domain-error.js';
import { DICTIONARY_FIELDS } from './decorators.js';
import { passesAllRules } from './rule-check.js';
import { cacheValidationMetadata } from './validation-metadata-cache.js';

// Bodies and queries are checked against their DTO before a controller sees them: unknown keys
// are refused by name, types are converted where the wire form is a string (query parameters),
// and every problem is reported with the path of its field.

/**
 * Constraints about what a value is, rather than what it holds. When a field fails one of these,
 * it is the whole story: "count must be an integer" says more than "count must not be less than 1".
 */
const TYPE_CONSTRAINTS = new Set([
  'isDefined',
  'isString',
  'isInt',
  'isNumber',
  'isBoolean',
  'isObject',
  'isArray',
  'nestedValidation',
  'whitelistValidation',
  'unknownValue',
]);

class GatewayValidationPipe extends ValidationPipe {
  // What reaches this pipe comes from Fastify's JSON parser (which refuses __proto__ and
  // constructor keys) or its query-string parser: neither makes binary values or sparse arrays,
  // which ValidationPipe otherwise looks for in every value, on every request.
  protected override findNestedBinaryValues(): ValidationError[] {
    return [];
  }

  protected override closeArrayGaps(): void {
    // JSON and query strings have no gaps in their arrays.
  }

  // A value that passes every rule is let through without class-validator's own run, which builds
  // an error record for every property to find none (see rule-check.ts); any other value gets
  // that run, which finds and words its errors.
  protected override validate(
    object: object,
    options?: ValidatorOptions,
  ): ValidationError[] | Promise<ValidationError[]> {
    if (passesAllRules(object, options ?? {})) return [];
    return super.validate(object, options);
  }

  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    // Path ids are read by ParseIdPipe from the text as sent: converted here first, `1e3` would
    // pass as 1000.
    if (metadata.type === 'param') return value;
    // A JSON body must be an object; a missing body counts as {} and fails on required fields.
    if (
      metadata.type === 'body' &&
      value !== undefined &&
      (value === null || typeof value !== 'object' || Array.isArray(value))
    ) {
      throw DomainError.invalidField('body', 'the body must be a JSON object');
    }
    // Postgres text holds neither U+0000 nor half a surrogate pair (JSON can carry both as \u
    // escapes): refused here, by name, rather than failing in the database.
    // A field named like a method every object has (toString, hasOwnProperty...) is one
    // class-transformer leaves out of the DTO unseen, and one named constructor or prototype is
    // deleted by Nest first, so the whitelist never sees them: refused here by name, like any
    // unknown field. In metadata, whose keys are the caller's own (KeysAsGiven), only the names
    // Nest deletes are refused.
    const problem = firstUnfit(value, '', metadata.metatype !== undefined && this.toValidate(metadata), false);
    if (problem !== null) throw DomainError.validation([problem]);
    return super.transform(value, metadata);
  }
}

/** Half of a surrogate pair, alone. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function unfitText(text: string): boolean {
  return text.includes('\0') || LONE_SURROGATE.test(text);
}

/**
 * Keys Nest deletes from every object of a request before anything reads it (against prototype
 * pollution), whatever their value: a field or a metadata key so named would vanish unseen.
 */
const STRIPPED_NAMES: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

/** Names class-transformer takes for a method of the DTO, and leaves out: what every object inherits. */
const INHERITED_NAMES: ReadonlySet<string> = new Set([
  ...Object.getOwnPropertyNames(Object.prototype),
  ...STRIPPED_NAMES,
]);

/**
 * The first string or key Postgres could not store, or (with `fields`) the first key that would
 * vanish before validation: a field named as an inherited method, or a key of a dictionary
 * (`ownKeys`: the keys of `value` are the caller's data) that Nest deletes.
 */
function firstUnfit(value: unknown, path: string, fields: boolean, ownKeys: boolean): FieldError | null {
  if (typeof value === 'string') {
    return unfitText(value) ? { field: path || 'body', message: UNFIT_TEXT } : null;
  }
  if (value === null || typeof value !== 'object') return null;
  const array = Array.isArray(value);
  for (const [key, inner] of Object.entries(value)) {
    const field = fieldPath(path, key);
    if (unfitText(key)) return { field, message: UNFIT_TEXT };
    if (fields && !array) {
      if (ownKeys && STRIPPED_NAMES.has(key)) {
        return { field, message: `${[...STRIPPED_NAMES].join(', ')} are not taken as keys` };
      }
      if (!ownKeys && INHERITED_NAMES.has(key)) {
        return { field, message: `unknown field ${key}: not part of this request` };
      }
    }
    const found = firstUnfit(inner, field, fields, !array && DICTIONARY_FIELDS.has(key));
    if (found !== null) return found;
  }
  return null;
}

const UNFIT_TEXT = 'must be valid Unicode text without the NUL character (\\u0000)';

/**
 * Rules that depend on the gateway's settings are in validation groups: DEFAULT_DEBTOR's when an
 * order may leave out its e-mail (a default debtor is set), EMAIL_REQUIRED's otherwise. Every
 * rule without a group always applies.
 */
export const DEFAULT_DEBTOR = 'default-debtor';
export const EMAIL_REQUIRED = 'email-required';

export function createValidationPipe(settings: { defaultDebtor: boolean } = { defaultDebtor: false }): ValidationPipe {
  cacheValidationMetadata();
  return new GatewayValidationPipe({
    groups: [settings.defaultDebtor ? DEFAULT_DEBTOR : EMAIL_REQUIRED],
    always: true,
    whitelist: true,
    forbidNonWhitelisted: true,
    forbidUnknownValues: true,
    transform: true,
    validationError: { target: false, value: false },
    exceptionFactory: (errors) => DomainError.validation(flattenValidationErrors(errors)),
  });
}

export function flattenValidationErrors(errors: ValidationError[], parent = ''): FieldError[] {
  return errors.flatMap((error) => {
    const field = fieldPath(parent, error.property);
    const constraints = Object.entries(error.constraints ?? {});
    const missing = constraints.filter(([name]) => name === 'isDefined');
    const typeOnes = constraints.filter(([name]) => TYPE_CONSTRAINTS.has(name));
    const reported = missing.length > 0 ? missing : typeOnes.length > 0 ? typeOnes : constraints;
    const messages = new Set(reported.map(([, message]) => ownMessage(message)));
    const own = [...messages].map((message) => ({ field, message }));
    return [...own, ...flattenValidationErrors(error.children ?? [], field)];
  });
}

function fieldPath(parent: string, property: string | undefined): string {
  if (property === undefined || property === '') return parent || 'body';
  if (/^\d+$/.test(property)) return `${parent}[${property}]`;
  return parent ? `${parent}.${property}` : property;
}

function ownMessage(message: string): string {
  if (message === 'an unknown value was passed to the validate function') return 'must be a JSON object';
  return message
    .replace(/^property (\S+) should not exist$/, 'unknown field $1: not part of this request')
    .replace(/^(\S+) should not be null or undefined$/, '$1 is required');
}
