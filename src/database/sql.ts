import sqltag, { Sql, empty as emptySql, join as joinSql, raw as rawSql } from 'sql-template-tag';

// SQL statements are built with sql-template-tag (the tag Prisma itself vendors): every
// interpolated value becomes a `$n` parameter, never text of the statement; `raw` is for names
// and keywords the code itself chose, never for input. They run on node-postgres (see Database).

export { Sql };

/** A statement as node-postgres takes it: its text with `$n` placeholders, and their values. A Sql is one. */
export interface Statement {
  readonly text: string;
  readonly values: unknown[];
}
export const sql = sqltag;
export const join = joinSql;
export const raw = rawSql;
export const empty = emptySql;

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
