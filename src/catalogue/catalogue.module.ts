import { Module } from '@nestjs/common';
import { SyncCursorRepository } from '../sync/sync-cursor.repository.js';
import { ArticlesController } from './articles.controller.js';
import { ArticlesService } from './articles.service.js';
import { CatalogueMirror } from './catalogue-mirror.js';
import { CataloguePull } from './catalogue-pull.js';
import { CatalogueRepository } from './catalogue.repository.js';

/** The MplusKASSA catalogue mirror: read by the workers, listed, and what order lines are checked against. */
@Module({
  controllers: [ArticlesController],
  providers: [CatalogueRepository, SyncCursorRepository, CatalogueMirror, CataloguePull, ArticlesService],
  exports: [CatalogueMirror, CataloguePull],
})
export class CatalogueModule {}
