import { Injectable } from '@nestjs/common';
import { paginator } from '../common/http/pagination.dto.js';
import { CatalogueRepository } from './catalogue.repository.js';
import type { ArticleListQuery, CatalogueArticlesModel } from './dto/article.dto.js';

@Injectable()
export class ArticlesService {
  constructor(private readonly catalogue: CatalogueRepository) {}

  async list(query: ArticleListQuery): Promise<CatalogueArticlesModel> {
    const [{ filledAt }, { total, rows }] = await Promise.all([
      this.catalogue.state(),
      this.catalogue.page(
        { numberPrefix: query.number, nameContains: query.name, active: query.active },
        (query.page - 1) * query.per_page,
        query.per_page,
      ),
    ]);
    return {
      paginator: paginator(query.page, query.per_page, total),
      articles: rows.map((row) => ({
        article_number: row.article_number,
        product_number: row.product_number,
        name: row.name,
        active: row.active,
        // numeric(5,2) and numeric(19,4) as text: exact as JSON numbers (see toJsonNumber).
        vat: row.vat_rate === null ? null : Number(row.vat_rate),
        final_price: row.price_incl === null ? null : Number(row.price_incl),
        plu_number: row.plu_number,
        updated_at: row.updated_at.toISOString(),
      })),
      filled_at: filledAt?.toISOString() ?? null,
    };
  }
}
