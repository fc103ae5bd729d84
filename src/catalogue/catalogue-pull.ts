import { Inject, Injectable, Logger } from '@nestjs/common';
import { BACK_OFFICE, type BackOfficePort } from '../back-office/back-office.port.js';
import { BackOfficeUnavailableError } from '../sync/inbound-sync.js';
import { CatalogueMirror } from './catalogue-mirror.js';
import { CatalogueRepository } from './catalogue.repository.js';

/** Products (with their articles) asked for per getProducts call. */
const PAGE_SIZE = 100;
/** Pages read per run before the job lets the other job run and schedules itself at once. */
const PAGES_PER_RUN = 20;

// Reading the catalogue from MplusKASSA into the articles table: getProducts from the article
// sync marker after the last one read, a page at a time, each page written together with the
// marker after it (so a page is never half applied, and two processes never both apply one).
// Run by one worker at a time across all processes (a graphile job with one key, see SyncWorker).

@Injectable()
export class CataloguePull {
  private readonly logger = new Logger('CataloguePull');

  constructor(
    @Inject(BACK_OFFICE) private readonly backOffice: BackOfficePort,
    private readonly catalogue: CatalogueRepository,
    private readonly mirror: CatalogueMirror,
  ) {}

  /** Reads up to PAGES_PER_RUN pages; true when the catalogue is read to its end. */
  async pull(): Promise<boolean> {
    let caughtUp = false;
    let read = 0;
    try {
      let { marker } = await this.catalogue.state();
      for (let page = 1; page <= PAGES_PER_RUN && !caughtUp; page += 1) {
        const changed = await this.backOffice.changedArticles(marker, PAGE_SIZE);
        if (changed.kind === 'retryable') throw new BackOfficeUnavailableError(changed.reason);
        if (changed.kind === 'rejected') {
          throw new Error(`MplusKASSA refused getProducts: ${changed.code}: ${changed.message}`);
        }
        const { articles, marker: next } = changed.value;
        caughtUp = changed.value.caughtUp;
        if (await this.catalogue.apply(articles, marker, next, caughtUp)) {
          marker = next;
          read += articles.length;
        } else {
          // Another process moved the marker first: it applied this page; read from where it left.
          ({ marker } = await this.catalogue.state());
        }
      }
    } finally {
      if (read > 0) this.logger.log(`Read ${read} articles from MplusKASSA into the catalogue mirror`);
      // The database may be what failed; the mirror's own timer looks again.
      await this.mirror.refresh().catch(() => undefined);
    }
    return caughtUp;
  }
}
