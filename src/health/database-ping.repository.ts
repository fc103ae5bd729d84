import { Injectable } from '@nestjs/common';
import { Database } from '../database/database.js';
import { sql } from '../database/sql.js';

/** The readiness probe's one statement: it reads the installation's id too. */
@Injectable()
export class DatabasePingRepository {
  constructor(private readonly database: Database) {}

  /** The installation id (see src/outbox/external-id.ts). */
  async ping(): Promise<string | null> {
    const [row] = await this.database.query<{ id: string }>(sql`SELECT id FROM installation`);
    return row?.id ?? null;
  }

  /** Makes `id` the installation's (INSTALLATION_ID: an installation moved to another database). */
  async adoptInstallation(id: string): Promise<void> {
    await this.database.query(sql`UPDATE installation SET id = ${id}`);
  }
}
