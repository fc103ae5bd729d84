import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsOptional, IsString, Matches, MaxLength, MinLength } from 'class-validator';
import { PageQuery, type Paginator } from '../../common/http/pagination.dto.js';
import { Trim } from '../../common/validation/decorators.js';
import { QueryBoolean } from '../../common/validation/query-transforms.js';

/** Filters of GET /System/Lists/Articles; they combine with AND. */
export class ArticleListQuery extends PageQuery {
  /**
   * Articles whose number starts with these digits.
   * @example "100"
   */
  @IsOptional()
  @IsString()
  @Matches(/^\d{1,15}$/, { message: 'number must be 1 to 15 digits' })
  number?: string;

  /**
   * Articles whose name contains this, in any case.
   * @example "mug"
   */
  @IsOptional()
  @Trim()
  @IsString()
  @MinLength(1)
  @MaxLength(100)
  name?: string;

  /** Active articles only (true/1), or inactive only (false/0). */
  @ApiPropertyOptional({ type: 'string', enum: ['true', 'false', '1', '0'] })
  @IsOptional()
  @QueryBoolean()
  @IsBoolean({ message: 'active must be true, false, 1 or 0' })
  active?: boolean;
}

export class CatalogueArticleModel {
  /** MplusKASSA's article number, as order lines give it in `article_number`. @example "1001" */
  article_number!: string;
  /** The MplusKASSA product the article belongs to. @example "100" */
  product_number!: string;
  /** @example "Coffee mug" */
  name!: string;
  /** Inactive articles are refused on order lines. */
  active!: boolean;
  /** VAT rate in percent; null when MplusKASSA gives none. @example 21 */
  vat!: number | null;
  /** Unit price with VAT in the main currency, as MplusKASSA keeps it; null when it gives none. @example 12.1 */
  final_price!: number | null;
  /** @example null */
  plu_number!: string | null;
  /** When the gateway last read the article from MplusKASSA. @example "2026-12-03T14:00:00.000Z" */
  updated_at!: string;
}

export class CatalogueArticlesModel {
  paginator!: Paginator;
  articles!: CatalogueArticleModel[];
  /**
   * When the workers first read the whole catalogue; null while they never have (order lines are
   * then checked as CATALOGUE_UNFILLED says).
   * @example "2026-12-03T14:00:00.000Z"
   */
  filled_at!: string | null;
}
