import { Injectable } from '@nestjs/common';
import { Database, type Executor } from '../database/database.js';
import { sql } from '../database/sql.js';

/** Where reading changes from the back office continues (the MplusKASSA order sync marker). */
@Injectable()
export class SyncCursorRepository {
  constructor(private readonly database: Database) {}

  async cursor(name: string, db: Executor = this.database): Promise<string | null> {
    const [row] = await db.query<{ value: string }>(sql`SELECT value FROM sync_cursors WHERE name = ${name}`);
    return row?.value ?? null;
  }

  /** Moves the cursor from `expected` to `value`; false when someone else moved it first. */
  async moveCursor(db: Executor, name: string, expected: string | null, value: string): Promise<boolean> {
    const moved =
      expected === null
        ? await db.query(sql`
            INSERT INTO sync_cursors (name, value) VALUES (${name}, ${value}) ON CONFLICT (name) DO NOTHING RETURNING 1`)
        : await db.query(sql`
            UPDATE sync_cursors SET value = ${value}, updated_at = now()
             WHERE name = ${name} AND value = ${expected} RETURNING 1`);
    return moved.length === 1;
  }
}
