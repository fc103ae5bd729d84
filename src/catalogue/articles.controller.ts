import { Controller, Get, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { RequiresRight } from '../auth/auth.decorators.js';
import { ApiProblems } from '../common/http/api-docs.js';
import { ArticleListQuery, CatalogueArticlesModel } from './dto/article.dto.js';
import { ArticlesService } from './articles.service.js';

@ApiTags('MplusKASSA')
@ApiSecurity('token')
@Controller('System/Lists/Articles')
export class ArticlesController {
  constructor(private readonly articles: ArticlesService) {}

  @Get()
  @RequiresRight('orders:read')
  @ApiOperation({
    summary: 'List the MplusKASSA articles order lines are checked against',
    description:
      'An addition to Retailys: the catalogue mirror, read from MplusKASSA by the workers every ' +
      'CATALOGUE_PULL_INTERVAL_MS (getProducts from its sync marker), in article number order. An order line ' +
      'whose article_number is not here, or is inactive, is refused with 422 once the mirror was read through ' +
      '(filled_at).',
  })
  @ApiOkResponse({ type: CatalogueArticlesModel })
  @ApiProblems(400, 401, 403, 503)
  list(@Query() query: ArticleListQuery): Promise<CatalogueArticlesModel> {
    return this.articles.list(query);
  }
}
