import { applyDecorators } from '@nestjs/common';
import { ApiProperty } from '@nestjs/swagger';
import { ValidateBy } from 'class-validator';
import { DomainError } from '../common/errors/domain-error.js';
import { KeysAsGiven } from '../common/validation/decorators.js';
import type { Changes } from './history/changes.js';
import type { Metadata } from './order.types.js';

// Metadata: the caller's own data on an order and on each line (its ids, tags), as the Kwik
// Orders API and Stripe have it: string keys to string values, within Stripe's bounds. Set on
// create, merged on update (a key given "" or null is removed), shown on every read, recorded in
// the history, filterable on lists (metadata[key]=value), and never forwarded to MplusKASSA.

export const METADATA_MAX_KEYS = 50;
export const METADATA_MAX_KEY_LENGTH = 40;
export const METADATA_MAX_VALUE_LENGTH = 500;

/** Metadata as a request gives it: a value of "" or null removes the key. */
export type MetadataChanges = Record<string, string | null>;

/** What is wrong with a metadata key, or null. */
function keyProblem(key: string): string | null {
  if (key.length === 0 || key.length > METADATA_MAX_KEY_LENGTH) {
    return `keys are 1 to ${METADATA_MAX_KEY_LENGTH} characters: "${key.slice(0, 60)}" is not`;
  }
  return null;
}

/** What is wrong with a metadata object as given, or null. */
function metadataProblem(value: unknown): string | null {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    return 'must be an object of string keys and string values';
  }
  const entries = Object.entries(value);
  if (entries.length > METADATA_MAX_KEYS) return `takes at most ${METADATA_MAX_KEYS} keys`;
  for (const [key, inner] of entries) {
    const badKey = keyProblem(key);
    if (badKey) return badKey;
    // Brackets would make metadata[key]=value filters ambiguous.
    if (key.includes('[') || key.includes(']')) return `key "${key}" may not contain [ or ]`;
    if (inner === null) continue;
    if (typeof inner !== 'string') return `the value of "${key}" must be a string (or null to remove the key)`;
    if (inner.length > METADATA_MAX_VALUE_LENGTH) {
      return `the value of "${key}" is longer than ${METADATA_MAX_VALUE_LENGTH} characters`;
    }
  }
  return null;
}

/** A metadata field of a request body (see the top of this file). */
export function IsMetadata(): PropertyDecorator {
  return applyDecorators(
    KeysAsGiven(),
    ValidateBy({
      name: 'isMetadata',
      validator: {
        validate: (value: unknown) => value === undefined || metadataProblem(value) === null,
        defaultMessage: (args) => `${args?.property ?? 'metadata'} ${metadataProblem(args?.value)}`,
      },
    }),
    ApiProperty({
      type: 'object',
      additionalProperties: { type: 'string', maxLength: METADATA_MAX_VALUE_LENGTH, nullable: true },
      maxProperties: METADATA_MAX_KEYS,
      description:
        `Your own data: up to ${METADATA_MAX_KEYS} keys of at most ${METADATA_MAX_KEY_LENGTH} characters (no [ or ]; ` +
        'not __proto__, constructor or prototype), ' +
        `string values of at most ${METADATA_MAX_VALUE_LENGTH}. On a change, the keys given are merged into what is ` +
        'there and a key given "" or null is removed. Never sent to MplusKASSA.',
      example: { shop_order: 'A-1001', campaign: 'spring' },
    }),
  );
}

/** metadata[key]=value list filters: keys as metadata has them, one string value each. */
export function IsMetadataFilter(): PropertyDecorator {
  const problem = (value: unknown): string | null => {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      return 'is given as metadata[key]=value';
    }
    const entries = Object.entries(value);
    if (entries.length > 10) return 'filters on at most 10 keys';
    for (const [key, inner] of entries) {
      const badKey = keyProblem(key);
      if (badKey) return badKey;
      if (typeof inner !== 'string') return `[${key}] must be given once, as one value`;
      if (inner.length > METADATA_MAX_VALUE_LENGTH) {
        return `[${key}] is longer than ${METADATA_MAX_VALUE_LENGTH} characters`;
      }
    }
    return null;
  };
  return applyDecorators(
    KeysAsGiven(),
    ValidateBy({
      name: 'isMetadataFilter',
      validator: {
        validate: (value: unknown) => problem(value) === null,
        defaultMessage: (args) => `metadata ${problem(args?.value)}`,
      },
    }),
  );
}

/** `before` with `changes` merged in; an error naming `field` when it ends with too many keys. */
export function mergeMetadata(before: Metadata, changes: MetadataChanges | undefined, field: string): Metadata {
  if (changes === undefined) return before;
  const after: Metadata = { ...before };
  for (const [key, value] of Object.entries(changes)) {
    if (value === null || value === '') delete after[key];
    else after[key] = value;
  }
  if (Object.keys(after).length > METADATA_MAX_KEYS) {
    throw DomainError.invalidField(
      field,
      `would have ${Object.keys(after).length} keys with the ones there: at most ${METADATA_MAX_KEYS}`,
    );
  }
  return after;
}

/** Two metadata objects hold the same keys and values. */
export function sameMetadata(a: Metadata, b: Metadata): boolean {
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((key) => b[key] === a[key]);
}

/**
 * The keys that differ between two metadata objects, as a history entry shows them under `field`
 * (null: absent); nothing when they hold the same.
 */
export function metadataChangesOf(before: Metadata, after: Metadata, field = 'metadata'): Changes {
  if (sameMetadata(before, after)) return {};
  const was: Record<string, string | null> = {};
  const is: Record<string, string | null> = {};
  for (const key of new Set([...Object.keys(before), ...Object.keys(after)])) {
    if (before[key] === after[key]) continue;
    was[key] = before[key] ?? null;
    is[key] = after[key] ?? null;
  }
  return { [field]: { before: was, after: is } };
}
