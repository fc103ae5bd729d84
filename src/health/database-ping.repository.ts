import { Injectable } from '@nestjs/common';
import { Database } from '../database/database.js';
import { sql } from '../database/sql.js';

/** The readiness probe's one statement. */
@Injectable()
export class DatabasePingRepository {
  constructor(private readonly database: Database) {}

  async ping(): Promise<void> {
    await this.database.query(sql`SELECT 1`);
  }
}
