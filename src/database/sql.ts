import { Prisma } from '../generated/prisma/client.js';

// SQL statements are built with the tagged template Prisma ships (sql-template-tag): every
// interpolated value becomes a `$n` parameter, never text of the statement; `raw` is for names
// and keywords the code itself chose, never for input. The statements run on node-postgres
// (see Database), Prisma's client is not involved.

export type Sql = Prisma.Sql;
export const sql = Prisma.sql;
export const join = Prisma.join;
export const raw = Prisma.raw;
export const empty = Prisma.empty;

/** A JSON value as Postgres jsonb, from a parameter (never text of the statement). */
export function jsonb(value: unknown): Sql {
  return sql`${JSON.stringify(value)}::jsonb`;
}

/**
 * `column = value` for each field of `patch` that is given, for an UPDATE's SET: `columns` names
 * each field's column (code's own names, never input); `value` turns a field's value into a
 * parameter (decimals to text, say).
 */
export function assignments<P extends object>(
  patch: P,
  columns: Record<keyof P, string>,
  value: (given: unknown) => unknown = (given) => given,
): Sql[] {
  return (Object.entries(patch) as Array<[keyof P, unknown]>)
    .filter(([, given]) => given !== undefined)
    .map(([field, given]) => sql`${raw(columns[field])} = ${value(given)}`);
}
