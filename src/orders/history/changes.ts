import { toAtom } from '../../common/http/dates.js';
import { Decimal, toJsonNumber } from '../../common/money/money.js';

// What a change did, for the history: { field: { before, after } } under the wire's field names,
// with the values as the wire shows them (amounts as numbers, dates as ISO strings).

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

export type Changes = Record<string, { before: JsonValue; after: JsonValue }>;

export function toJsonValue(value: unknown): JsonValue {
  if (value === undefined || value === null) return null;
  if (value instanceof Decimal) return toJsonNumber(value);
  if (value instanceof Date) return toAtom(value);
  if (Array.isArray(value)) return value.map(toJsonValue);
  if (typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, toJsonValue(inner)]));
  }
  return value as JsonValue;
}

/** The entries whose value differs, compared as the wire would show them. */
export function changedFields(fields: Array<[wireName: string, before: unknown, after: unknown]>): Changes {
  const changes: Changes = {};
  for (const [name, before, after] of fields) {
    const was = toJsonValue(before);
    const is = toJsonValue(after);
    if (JSON.stringify(was) !== JSON.stringify(is)) changes[name] = { before: was, after: is };
  }
  return changes;
}

export function hasChanges(changes: Changes): boolean {
  return Object.keys(changes).length > 0;
}
