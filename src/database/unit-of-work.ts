import type { Executor } from './database.js';
import { Sql, join, raw, sql } from './sql.js';

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

/** A unit's anchor row as commitAll answers it. */
export interface CommittedRow {
  id: number;
  version: number | null;
}

/** Most units of work commitAll puts in one statement. */
const CHUNK_MAX = 32;

/** Texts of commitAll's statements by chunk size and shape, at most CHUNK_TEXTS_MAX (the oldest go first). */
const chunkTexts = new Map<string, string>();
const CHUNK_TEXTS_MAX = 64;

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

  /**
   * Units of work written together through `db` (a batch of creates), in few statements: units of
   * the same shape (the same SQL but for its values) go into one statement per chunk of 32, 16,
   * 8, 4, 2 or 1 of them, so that a batch uses a handful of statement texts, each parsed and
   * planned once per connection (see StatementNames) rather than on every batch, and built once
   * per process (chunkTexts). In a statement, each unit's CTEs have names of their own
   * (`w3_anchor`, `w3_lines`) and all run with one snapshot: for units whose parts read their own
   * anchor and nothing else (no SELECT parts, no recorded answer) and that do not collide with
   * each other, since no unit sees another's rows. Each unit's id and version, in the order
   * given, or null where its anchor wrote nothing.
   */
  static async commitAll(works: Array<UnitOfWork<unknown>>, db: Executor): Promise<Array<CommittedRow | null>> {
    const groups: Array<{ shape: UnitOfWork<unknown>; indexes: number[] }> = [];
    works.forEach((work, index) => {
      if (work.recorder || work.parts.some((part) => part.select)) {
        throw new Error('Units of work with a recorded answer or SELECT parts are committed one by one');
      }
      const same = groups.find((group) => group.shape.hasShapeOf(work));
      if (same) same.indexes.push(index);
      else groups.push({ shape: work, indexes: [index] });
    });
    const committed: Array<CommittedRow | null> = new Array<CommittedRow | null>(works.length).fill(null);
    for (const { shape, indexes } of groups) {
      const shapeText = [shape.anchor, ...shape.parts.map((part) => part.statement)]
        .map((one, at) => `${at === 0 ? 'anchor' : shape.parts[at - 1]!.name}:${one.text}`)
        .join(';');
      for (let start = 0; start < indexes.length;) {
        let size = CHUNK_MAX;
        while (size > indexes.length - start) size /= 2;
        const chunk = indexes.slice(start, start + size);
        const rows = await UnitOfWork.commitTogether(
          chunk.map((index) => works[index]!),
          shapeText,
          db,
        );
        chunk.forEach((index, at) => (committed[index] = rows[at]!));
        start += size;
      }
    }
    return committed;
  }

  /** Whether `other`'s statement is this one's but for its values. */
  private hasShapeOf(other: UnitOfWork<unknown>): boolean {
    if (other.parts.length !== this.parts.length || !sameText(this.anchor, other.anchor)) return false;
    return this.parts.every(
      (part, index) =>
        part.name === other.parts[index]!.name && sameText(part.statement, other.parts[index]!.statement),
    );
  }

  /** Units of one shape (`shapeText`) in one statement. */
  private static async commitTogether(
    works: Array<UnitOfWork<unknown>>,
    shapeText: string,
    db: Executor,
  ): Promise<Array<CommittedRow | null>> {
    const key = `${works.length}|${shapeText}`;
    let text = chunkTexts.get(key);
    if (text === undefined) {
      text = UnitOfWork.togetherStatement(works).text;
      if (chunkTexts.size >= CHUNK_TEXTS_MAX) chunkTexts.delete(chunkTexts.keys().next().value!);
      chunkTexts.set(key, text);
    }
    // The values in the order the statement's text numbers them: unit by unit, its anchor's, then
    // its parts' (the names and columns around them carry none).
    const values: unknown[] = [];
    for (const work of works) {
      for (const value of work.anchor.values) values.push(value);
      for (const part of work.parts) for (const value of part.statement.values) values.push(value);
    }
    const [row] = await db.query<Record<string, unknown>>({ text, values });
    return works.map((work, index) => {
      const id = row![`id_${index}`];
      if (id === null || id === undefined) return null;
      for (const callback of work.committedCallbacks) db.afterCommit(callback);
      const version = row![`version_${index}`];
      return { id: Number(id), version: version === null || version === undefined ? null : Number(version) };
    });
  }

  /** The statement of units written together (see commitAll). */
  private static togetherStatement(works: Array<UnitOfWork<unknown>>): Sql {
    const ctes: Sql[] = [];
    const columns: Sql[] = [];
    works.forEach((work, index) => {
      const scope = `w${index}_`;
      ctes.push(sql`${raw(`${scope}anchor`)} AS (${work.anchor})`);
      for (const part of work.parts) ctes.push(sql`${raw(scope + part.name)} AS (${inScope(part.statement, scope)})`);
      columns.push(sql`(SELECT id FROM ${raw(`${scope}anchor`)}) AS ${raw(`id_${index}`)}`);
      columns.push(sql`(SELECT version FROM ${raw(`${scope}anchor`)}) AS ${raw(`version_${index}`)}`);
    });
    return sql`WITH ${join(ctes, ', ')} SELECT ${join(columns, ', ')}`;
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

/** Whether two statements have the same text but for their values. */
function sameText(one: Sql, other: Sql): boolean {
  if (one.strings.length !== other.strings.length) return false;
  for (let index = 0; index < one.strings.length; index += 1) {
    if (one.strings[index] !== other.strings[index]) return false;
  }
  return true;
}

/** A part's statement reading the anchor of `scope` (see commitAll): `anchor` renamed in its text, never in its values. */
function inScope(statement: Sql, scope: string): Sql {
  return new Sql(
    statement.strings.map((text) => text.replace(/\banchor\b/g, `${scope}anchor`)),
    statement.values,
  );
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
