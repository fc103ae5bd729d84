import { Injectable } from '@nestjs/common';
import type { CatalogueArticle } from '../back-office/back-office.port.js';
import { Database, pageOf } from '../database/database.js';
import { type Sql, join, sql } from '../database/sql.js';
import { SyncCursorRepository } from '../sync/sync-cursor.repository.js';

/** The back office's article sync marker the mirror has read up to. */
const MARKER_CURSOR = 'articles';
/** Set once, when the workers first read the catalogue through to its end. */
const FILLED_CURSOR = 'articles-filled';

/** What the edge checks an order line against. */
export interface MirroredArticle {
  articleNumber: string;
  name: string;
  active: boolean;
  /** VAT rate in percent (numeric(5,2): exact as a number); null when MplusKASSA gives none. */
  vatRate: number | null;
}

export interface ArticleRow {
  article_number: string;
  product_number: string;
  name: string;
  active: boolean;
  vat_rate: string | null;
  price_incl: string | null;
  plu_number: string | null;
  updated_at: Date;
}

export interface ArticleFilter {
  numberPrefix?: string;
  nameContains?: string;
  active?: boolean;
}

/** The articles table (the catalogue mirror) and where reading it from the back office stands. */
@Injectable()
export class CatalogueRepository {
  constructor(
    private readonly database: Database,
    private readonly cursors: SyncCursorRepository,
  ) {}

  /** The marker to continue from (null: read the whole catalogue), and when it was first read through. */
  async state(): Promise<{ marker: string | null; filledAt: Date | null }> {
    const rows = await this.database.query<{ name: string; value: string }>(sql`
      SELECT name, value FROM sync_cursors WHERE name IN (${MARKER_CURSOR}, ${FILLED_CURSOR})`);
    const value = (name: string) => rows.find((row) => row.name === name)?.value ?? null;
    const filled = value(FILLED_CURSOR);
    return { marker: value(MARKER_CURSOR), filledAt: filled ? new Date(filled) : null };
  }

  /**
   * A page read from the back office, and the marker after it, in one transaction; false (and
   * nothing written) when another process moved the marker from `expected` first.
   */
  async apply(
    articles: CatalogueArticle[],
    expected: string | null,
    marker: string,
    caughtUp: boolean,
  ): Promise<boolean> {
    return this.database.transaction(async (tx) => {
      if (!(await this.cursors.moveCursor(tx, MARKER_CURSOR, expected, marker))) return false;
      if (articles.length > 0) {
        await tx.query(sql`
          INSERT INTO articles (article_number, product_number, name, active, vat_rate, price_incl, plu_number, sync_marker)
          SELECT * FROM unnest(
            ${articles.map((one) => one.articleNumber)}::bigint[], ${articles.map((one) => one.productNumber)}::bigint[],
            ${articles.map((one) => one.name)}::text[], ${articles.map((one) => one.active)}::boolean[],
            ${articles.map((one) => one.vatRate?.toString() ?? null)}::numeric[],
            ${articles.map((one) => one.priceIncl?.toString() ?? null)}::numeric[],
            ${articles.map((one) => one.pluNumber)}::text[], ${articles.map((one) => one.syncMarker)}::bigint[])
          ON CONFLICT (article_number) DO UPDATE SET
            product_number = excluded.product_number, name = excluded.name, active = excluded.active,
            vat_rate = excluded.vat_rate, price_incl = excluded.price_incl, plu_number = excluded.plu_number,
            sync_marker = excluded.sync_marker, updated_at = now(),
            revision = nextval(pg_get_serial_sequence('articles', 'revision'))`);
      }
      // Set once: a later pass that catches up leaves the first one's time.
      if (caughtUp) await this.cursors.moveCursor(tx, FILLED_CURSOR, null, new Date().toISOString());
      return true;
    });
  }

  /** Articles written after `revision` (0: all), oldest write first, up to `limit`. */
  async changedSince(revision: string, limit: number): Promise<Array<MirroredArticle & { revision: string }>> {
    const rows = await this.database.query<{
      article_number: string;
      name: string;
      active: boolean;
      vat_rate: string | null;
      revision: string;
    }>(
      sql`SELECT article_number, name, active, vat_rate::text AS vat_rate, revision FROM articles
           WHERE revision > ${revision}::bigint ORDER BY revision LIMIT ${limit}`,
    );
    return rows.map((row) => ({
      articleNumber: row.article_number,
      name: row.name,
      active: row.active,
      vatRate: row.vat_rate === null ? null : Number(row.vat_rate),
      revision: row.revision,
    }));
  }

  async page(filter: ArticleFilter, offset: number, limit: number): Promise<{ total: number; rows: ArticleRow[] }> {
    const conditions: Sql[] = [sql`true`];
    if (filter.numberPrefix !== undefined) {
      // Digits only (the query's own check), so the prefix has nothing LIKE would read specially.
      conditions.push(sql`article_number::text LIKE ${`${filter.numberPrefix}%`}`);
    }
    if (filter.nameContains !== undefined) {
      conditions.push(sql`name ILIKE ${`%${filter.nameContains.replace(/[\\%_]/g, '\\$&')}%`}`);
    }
    if (filter.active !== undefined) conditions.push(sql`active = ${filter.active}`);
    return pageOf<ArticleRow>(
      this.database,
      sql`articles WHERE ${join(conditions, ' AND ')}`,
      sql`article_number::text AS article_number, product_number::text AS product_number, name, active,
          vat_rate::text AS vat_rate, price_incl::text AS price_incl, plu_number, updated_at`,
      sql`article_number`,
      offset,
      limit,
    );
  }
}
