import type { Executor } from './database.js';
import { type Sql, join, raw, sql } from './sql.js';

// Units of work of one kind written together (a batch of new orders), table by table: one
// statement in which each part writes its table's rows for every unit at once, where a chain of
// parts per unit (UnitOfWork) would make Postgres set up an INSERT per unit and table. The
// statement's text does not depend on how many units there are, so it is parsed and planned once
// per connection (StatementNames) whatever the batch's size.
//
//   anchor   a row per unit that was written: `u` (the unit's index, from 0), `id` and `version`;
//            a unit without a row (its order's external id exists) has nothing else written;
//   parts    what goes with them, each joining its own rows to the anchor on `u` (see unitRows),
//            in the order of the units, so that ids follow the order the units were given in.
//
// Parts may precede the anchor (the INSERT it reads its rows from). All run with one snapshot, as
// in a UnitOfWork, so no unit's part may read another unit's rows.

/** A unit's anchor row as commit answers it. */
export interface CommittedRow {
  id: number;
  version: number | null;
}

interface Part {
  name: string;
  statement: Sql;
}

const NAME = /^[a-z][a-z0-9_]*$/;

export class TableWork {
  private readonly parts: Part[] = [];
  private readonly committedCallbacks: Array<() => void> = [];

  /** `size` units, numbered 0 to size - 1 in the rows the parts are given. */
  constructor(readonly size: number) {}

  /** A part of the statement; the one named `anchor` answers the units written (see above). */
  write(name: string, statement: Sql): this {
    if (!NAME.test(name)) throw new Error(`"${name}" cannot name a part of a statement`);
    if (this.parts.some((one) => one.name === name)) throw new Error(`Two parts named ${name}`);
    this.parts.push({ name, statement });
    return this;
  }

  /** Runs `callback` once the work has committed, if any unit was written. */
  onCommitted(callback: () => void): this {
    this.committedCallbacks.push(callback);
    return this;
  }

  /** The statement through `db`: each unit's id and version, in the order given, or null where nothing was written. */
  async commit(db: Executor): Promise<Array<CommittedRow | null>> {
    if (!this.parts.some((part) => part.name === 'anchor')) throw new Error('A table work needs an anchor');
    const ctes = this.parts.map((part) => sql`${raw(part.name)} AS (${part.statement})`);
    const rows = await db.query<{ u: number; id: number; version: number | null }>(
      sql`WITH ${join(ctes, ', ')} SELECT u, id, version FROM anchor`,
    );
    const committed = new Array<CommittedRow | null>(this.size).fill(null);
    for (const row of rows) {
      committed[row.u] = { id: Number(row.id), version: row.version === null ? null : Number(row.version) };
    }
    if (rows.length > 0) for (const callback of this.committedCallbacks) db.afterCommit(callback);
    return committed;
  }
}

/**
 * Rows given to a part of a TableWork, as a set-returning function to join to the anchor
 * (`USING (u)`): each row an object of `columns` (`name type`, as in a column definition list)
 * with its unit's index as `u`. One JSON parameter for all of them; jsonb columns take their
 * values as they are in it.
 */
export function unitRows(rows: Array<{ u: number } & Record<string, unknown>>, alias: string, columns: string): Sql {
  return sql`json_to_recordset(${JSON.stringify(rows)}::json) AS ${raw(alias)}(u int, ${raw(columns)})`;
}
