import { type Sql, sql } from '../../database/sql.js';

/** Retailys writes date-times as PHP's DATE_ATOM: 2024-05-02T08:15:00+00:00 (UTC here). */
export function toAtom(date: Date): string {
  // toISOString is always YYYY-MM-DDTHH:MM:SS.sssZ for the years an order can have.
  return `${date.toISOString().slice(0, 19)}+00:00`;
}

export function toAtomOrNull(date: Date | null): string | null {
  return date ? toAtom(date) : null;
}

/** toAtom in SQL, for a timestamp only a statement knows (fractions of a second cut, as toAtom does). */
export function atomSql(timestamp: Sql): Sql {
  return sql`to_char(${timestamp} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"+00:00"')`;
}
