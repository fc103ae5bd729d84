import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { LRUCache } from 'lru-cache';
import { BACK_OFFICE, type BackOfficePort } from '../back-office/back-office.port.js';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';
import { DomainError, type FieldError } from '../common/errors/domain-error.js';
import { ErrorCode } from '../common/errors/error-codes.js';
import type { ItemPriceInput, OrderItemPostRequest } from '../orders/dto/order-item.dto.js';
import { CatalogueRepository, type MirroredArticle } from './catalogue.repository.js';

// The catalogue mirror as this process holds it, for checking order lines at the edge without a
// query on the write path: every article's number, name and whether it is active, loaded from
// the articles table and kept current by reading only the rows written since (their `revision`),
// every REFRESH_MS and at once after this process's own workers read from MplusKASSA. A change
// in MplusKASSA thus reaches every process within CATALOGUE_PULL_INTERVAL_MS plus REFRESH_MS.

const REFRESH_MS = 5_000;
/**
 * An article looked up in MplusKASSA because the mirror did not have it (or had it inactive) is
 * not looked up again for this long, whatever the answer: a client sending unknown numbers
 * costs MplusKASSA one call per number and quarter minute, not one per request.
 */
const LOOKED_UP_MS = 15_000;
/** Numbers remembered as looked up, at most. */
const LOOKED_UP_MAX = 10_000;
/** Rows read per statement while loading. */
const LOAD_PAGE = 10_000;

/** An order line as the check sees it: its article number (null: none) and where the body gives it. */
export interface CheckedLine {
  articleNumber: string | null;
  /** The line's path in the body (`items[2]`; empty for a route's single line). */
  field: string;
}

@Injectable()
export class CatalogueMirror implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('CatalogueMirror');
  private readonly articles = new Map<string, MirroredArticle>();
  private revision = '0';
  private filledAt: Date | null = null;
  private timer: NodeJS.Timeout | undefined;
  private looking: Promise<void> = Promise.resolve();
  /** Numbers looked up in MplusKASSA lately (see LOOKED_UP_MS), with the look (done, or under way). */
  private readonly lookedUp = new LRUCache<string, Promise<void>>({ max: LOOKED_UP_MAX, ttl: LOOKED_UP_MS });
  /** Numbers MplusKASSA could not be asked about lately: lines with them are let through. */
  private readonly unverifiable = new LRUCache<string, true>({ max: LOOKED_UP_MAX, ttl: LOOKED_UP_MS });

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly catalogue: CatalogueRepository,
    @Inject(BACK_OFFICE) private readonly backOffice: BackOfficePort,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.refresh().catch((error: unknown) =>
      this.logger.warn(`Loading the catalogue mirror failed: ${(error as Error).message}`),
    );
    this.timer = setInterval(() => void this.refresh().catch(() => undefined), REFRESH_MS);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    if (this.timer) clearInterval(this.timer);
  }

  /** Whether the workers have read the whole catalogue once (lines are checked only then). */
  get filled(): boolean {
    return this.filledAt !== null;
  }

  /**
   * Reads what changed in the articles table since the last look. Looks run one after the other,
   * and one asked for while another runs starts after it, so it sees what was committed before it
   * was asked for (a pull's rows).
   */
  refresh(): Promise<void> {
    const look = this.looking.catch(() => undefined).then(() => this.load());
    this.looking = look;
    return look;
  }

  /**
   * Before `check`: asks MplusKASSA itself about the articles the mirror does not have, or has
   * inactive, since the mirror may be behind (an article added a moment ago); what it answers is
   * taken into the mirror. Numbers it cannot be asked about now are let through by `check` (the
   * forwarding worker checks them). Nothing is asked while the mirror was never read through.
   */
  async lookUp(articleNumbers: Array<string | null>): Promise<void> {
    if (!this.filled) return;
    const numbers = new Set(articleNumbers.filter((number): number is string => number !== null).map(normalized));
    const waits: Array<Promise<void>> = [];
    const wanted: string[] = [];
    for (const number of numbers) {
      if (this.articles.get(number)?.active) continue;
      // Asked about lately, or being asked about now by another request: its answer is waited for.
      const asked = this.lookedUp.get(number);
      if (asked) waits.push(asked);
      else wanted.push(number);
    }
    if (wanted.length > 0) {
      const asking = this.ask(wanted);
      for (const number of wanted) this.lookedUp.set(number, asking);
      waits.push(asking);
    }
    await Promise.all(waits);
  }

  /** Asks MplusKASSA about the articles and takes its answer into the mirror; never fails. */
  private async ask(numbers: string[]): Promise<void> {
    let failure: string;
    try {
      const found = await this.backOffice.findArticles(numbers);
      if (found.kind === 'accepted') {
        for (const article of found.value) {
          this.articles.set(article.articleNumber, {
            articleNumber: article.articleNumber,
            name: article.name,
            active: article.active,
            vatRate: article.vatRate === null ? null : article.vatRate.toNumber(),
          });
        }
        return;
      }
      failure = found.kind === 'rejected' ? found.code : found.reason;
    } catch (error) {
      failure = (error as Error).message;
    }
    this.logger.warn(
      `Looking up articles ${numbers.join(', ')} in MplusKASSA failed (${failure}); lines with them are accepted and checked when forwarded`,
    );
    for (const number of numbers) this.unverifiable.set(number, true);
  }

  /**
   * Throws 422 UNKNOWN_ARTICLE naming each line whose article MplusKASSA would refuse (none given,
   * unknown, inactive); while the mirror was never filled, nothing (CATALOGUE_UNFILLED=accept) or
   * 503 CATALOGUE_NOT_READY (refuse).
   */
  check(lines: CheckedLine[]): void {
    if (lines.length === 0) return;
    if (!this.filled) {
      if (this.config.CATALOGUE_UNFILLED === 'accept') return;
      throw new DomainError(
        ErrorCode.CATALOGUE_NOT_READY,
        'The MplusKASSA catalogue has not been read yet, and order lines are checked against it (CATALOGUE_UNFILLED=refuse); try again shortly.',
        {},
        { 'Retry-After': '5' },
      );
    }
    const errors: FieldError[] = [];
    for (const line of lines) {
      const field = line.field ? `${line.field}.article_number` : 'article_number';
      if (line.articleNumber === null) {
        errors.push({ field, message: 'MplusKASSA needs an article number on every line' });
        continue;
      }
      if (this.unverifiable.has(normalized(line.articleNumber))) continue;
      const article = this.article(line.articleNumber);
      if (!article) errors.push({ field, message: `MplusKASSA has no article ${line.articleNumber}` });
      else if (!article.active) {
        errors.push({ field, message: `article ${line.articleNumber} is inactive in MplusKASSA` });
      }
    }
    if (errors.length === 0) return;
    throw new DomainError(
      ErrorCode.UNKNOWN_ARTICLE,
      errors.map((error) => `${error.field}: ${error.message}`).join('; '),
      { errors },
    );
  }

  /**
   * The line with its name and VAT rate, where it leaves them out, from its article as the
   * mirror has it (whether or not the mirror was read through yet); what it gives stays.
   */
  complete(item: OrderItemPostRequest): OrderItemPostRequest {
    if (item.name != null && item.price?.vat != null) return item;
    const article = this.article(item.article_number ?? null);
    if (!article) return item;
    return {
      ...item,
      name: item.name ?? article.name,
      ...(item.price ? { price: this.completePrice(item.price, item.article_number ?? null) } : {}),
    };
  }

  /** A line's price with the VAT rate of `articleNumber`'s article where it leaves it out. */
  completePrice(price: ItemPriceInput, articleNumber: string | null): ItemPriceInput {
    if (price.vat != null) return price;
    const vat = this.article(articleNumber)?.vatRate;
    return vat == null ? price : { ...price, vat };
  }

  private article(articleNumber: string | null): MirroredArticle | undefined {
    return articleNumber === null ? undefined : this.articles.get(normalized(articleNumber));
  }

  private async load(): Promise<void> {
    const state = await this.catalogue.state();
    for (;;) {
      const rows = await this.catalogue.changedSince(this.revision, LOAD_PAGE);
      for (const row of rows) {
        const { revision: _revision, ...article } = row;
        this.articles.set(row.articleNumber, article);
        this.revision = row.revision;
      }
      if (rows.length < LOAD_PAGE) break;
    }
    // The state was read before the rows: the pass that filled the mirror committed its rows with
    // the flag, so a mirror said to be filled holds all of them.
    this.filledAt = state.filledAt;
  }
}

/** "0042" and "42" are one article number. */
function normalized(articleNumber: string): string {
  return BigInt(articleNumber).toString();
}
