import type { Executor } from './database.js';
import { type Sql, join, raw, sql } from './sql.js';

// One write, sent as one statement, so that it costs one round trip and commits or fails whole
// without a transaction held open across round trips. The statement is a chain of CTEs:
//
//   anchor     the row the write is about: an order inserted, or updated under a version check
//              (`WHERE id = … AND version = …`, which also takes the row lock); it returns `id`
//              and `version`, and every other part hangs on it (`… FROM anchor`), so when the
//              anchor writes nothing (the version moved on, an external id exists) nothing is
//              written at all and the statement answers no row;
//   parts      what goes with it: lines, history, outbox events... Data-modifying parts always
//              run; SELECT parts (of a function with a side effect) run because the final SELECT
//              counts their rows;
//   recorded   with an Idempotency-Key, the answer stored under the key, in the same statement;
//              if the key is no longer the request's, the statement fails (gateway_require).
//
// The answer is JSON the caller builds, with holes for what only the statement knows (a new
// line's id, the order's new updated_at), filled in SQL for the record and in the caller's object
// for the reply, from the same values.

/** A value of the answer that only the statement knows: `path` in the answer, `value` a SQL expression. */
export interface JsonHole {
  path: string[];
  value: Sql;
}

/** Keeps the answer of a write with it, in the same statement (an Idempotency-Key's claim). */
export interface AnswerRecord {
  /** A data-modifying statement that stores `answer` (jsonb), `version` and `status`, returning a row when it did. */
  statement(answer: Sql, version: Sql, status: number): Sql;
  /** The statement that recorded the answer committed. */
  committed(): void;
  /** What to throw when the statement could not record it (the claim was taken over meanwhile). */
  lost(): Error;
}

/** A committed unit of work's figures: the anchor row's version and the answer. */
export interface Committed<T> {
  id: number;
  version: number | null;
  answer: T;
  status: number;
}

/** SQLSTATE of gateway_require (see the migration that creates it). */
export const REQUIREMENT_FAILED = 'GW001';

interface Part {
  name: string;
  statement: Sql;
  select: boolean;
}

const NAME = /^[a-z][a-z0-9_]*$/;

export class UnitOfWork<T> {
  private readonly parts: Part[] = [];
  private reply: { value: T; holes: JsonHole[]; status: number } | undefined;
  private recorder: AnswerRecord | null = null;
  private readonly committedCallbacks: Array<() => void> = [];

  /**
   * `anchor` returns one row with `id` and `version` (which may be NULL::int), or none. `database`
   * commits it unless a transaction is given to `commit`.
   */
  constructor(
    private readonly anchor: Sql,
    private readonly database: Executor,
  ) {}

  /** A data-modifying part (INSERT, UPDATE, DELETE) that may read `anchor` and earlier parts. */
  write(name: string, statement: Sql): this {
    return this.add({ name, statement, select: false });
  }

  /** A SELECT part, run for its side effect (a function call per row of what it selects from). */
  select(name: string, statement: Sql): this {
    return this.add({ name, statement, select: true });
  }

  /** What the write answers, with its holes, and the HTTP status it is answered with. */
  answers(value: T, options: { holes?: JsonHole[]; status?: number } = {}): this {
    this.reply = { value, holes: options.holes ?? [], status: options.status ?? 200 };
    return this;
  }

  recordedBy(recorder: AnswerRecord | null): this {
    this.recorder = recorder;
    return this;
  }

  /** Runs `callback` once the unit of work has committed (something it wrote is to be acted on). */
  onCommitted(callback: () => void): this {
    this.committedCallbacks.push(callback);
    return this;
  }

  /**
   * The statement, through `db`. Null when the anchor wrote nothing, in which case nothing was
   * written at all.
   */
  async commit(db: Executor = this.database): Promise<Committed<T> | null> {
    let rows: Array<Record<string, unknown>>;
    try {
      rows = await db.query<Record<string, unknown>>(this.statement());
    } catch (error) {
      if (this.recorder && (error as { code?: unknown }).code === REQUIREMENT_FAILED) throw this.recorder.lost();
      throw error;
    }
    const [row] = rows;
    if (!row) return null;
    const recorder = this.recorder;
    if (recorder) db.afterCommit(() => recorder.committed());
    for (const callback of this.committedCallbacks) db.afterCommit(callback);
    return this.result(row);
  }

  statement(): Sql {
    const reply = this.reply ?? { value: null as T, holes: [], status: 200 };
    const ctes: Sql[] = [sql`anchor AS (${this.anchor})`];
    for (const part of this.parts) ctes.push(sql`${raw(part.name)} AS (${part.statement})`);
    if (this.recorder) {
      ctes.push(
        sql`recorded AS (${this.recorder.statement(jsonbWith(reply.value, reply.holes), sql`anchor.version`, reply.status)})`,
      );
    }
    const columns: Sql[] = [sql`anchor.id`, sql`anchor.version`];
    reply.holes.forEach((hole, index) => columns.push(sql`to_jsonb(${hole.value}) AS ${raw(`hole_${index}`)}`));
    for (const part of this.parts.filter((one) => one.select)) {
      columns.push(sql`(SELECT count(*) FROM ${raw(part.name)}) AS ${raw(`ran_${part.name}`)}`);
    }
    if (this.recorder) {
      columns.push(sql`gateway_require(EXISTS (SELECT 1 FROM recorded), 'the answer was not recorded') AS recorded`);
    }
    return sql`WITH ${join(ctes, ', ')} SELECT ${join(columns, ', ')} FROM anchor`;
  }

  /** The answer with its holes filled from the statement's row. */
  private result(row: Record<string, unknown>): Committed<T> {
    const reply = this.reply ?? { value: null as T, holes: [], status: 200 };
    let answer = reply.value;
    reply.holes.forEach((hole, index) => {
      answer = withValue(answer, hole.path, row[`hole_${index}`]) as T;
    });
    return {
      id: Number(row.id),
      version: row.version === null || row.version === undefined ? null : Number(row.version),
      answer,
      status: reply.status,
    };
  }

  private add(part: Part): this {
    if (!NAME.test(part.name) || part.name === 'anchor' || part.name === 'recorded') {
      throw new Error(`"${part.name}" cannot name a part of a unit of work`);
    }
    if (this.parts.some((one) => one.name === part.name)) throw new Error(`Two parts named ${part.name}`);
    this.parts.push(part);
    return this;
  }
}

/** A JSON value as jsonb (a parameter) with its holes filled in SQL (`jsonb_set` per hole). */
export function jsonbWith(value: unknown, holes: JsonHole[]): Sql {
  if ((value === null || value === undefined) && holes.length === 0) return sql`NULL::jsonb`;
  let json = sql`${JSON.stringify(value)}::jsonb`;
  for (const hole of holes) {
    json = sql`jsonb_set(${json}, ${`{${hole.path.join(',')}}`}::text[], to_jsonb(${hole.value}))`;
  }
  return json;
}

/** A copy of `target` with `value` at `path` (objects copied along the path, key order kept). */
function withValue(target: unknown, path: string[], value: unknown): unknown {
  if (path.length === 0) return value;
  const [key, ...rest] = path as [string, ...string[]];
  if (Array.isArray(target)) {
    const copy = [...(target as unknown[])];
    copy[Number(key)] = withValue(copy[Number(key)], rest, value);
    return copy;
  }
  const object = (target ?? {}) as Record<string, unknown>;
  return { ...object, [key]: withValue(object[key], rest, value) };
}
