import { Inject, Injectable } from '@nestjs/common';
import { BACK_OFFICE, type BackOfficePort, type Outcome } from '../back-office/back-office.port.js';
import { DomainError } from '../common/errors/domain-error.js';
import { ErrorCode } from '../common/errors/error-codes.js';
import { type PageQuery, paginator } from '../common/http/pagination.dto.js';
import type { DeliveryMethodsModel, OrderCategoriesModel } from './dto/back-office-lists.model.js';

const CACHE_MS = 60_000;

/** MplusKASSA's delivery methods and order categories, kept for a minute: they rarely change. */
@Injectable()
export class BackOfficeListsService {
  private readonly cache = new Map<string, { at: number; value: unknown[] }>();

  constructor(@Inject(BACK_OFFICE) private readonly backOffice: BackOfficePort) {}

  async deliveryMethods(query: PageQuery): Promise<DeliveryMethodsModel> {
    const all = await this.cached('delivery-methods', () => this.backOffice.deliveryMethods());
    return {
      paginator: paginator(query.page, query.per_page, all.length),
      delivery_methods: page(all, query).map((method) => ({
        code: method.code,
        description: method.description,
        enabled: method.enabled,
      })),
    };
  }

  async orderCategories(query: PageQuery): Promise<OrderCategoriesModel> {
    const all = await this.cached('order-categories', () => this.backOffice.orderCategories());
    return {
      paginator: paginator(query.page, query.per_page, all.length),
      order_categories: page(all, query).map((category) => ({
        number: category.number,
        description: category.description,
        allow_cancel: category.allowCancel,
      })),
    };
  }

  private async cached<T>(key: string, load: () => Promise<Outcome<T[]>>): Promise<T[]> {
    const hit = this.cache.get(key);
    if (hit && Date.now() - hit.at < CACHE_MS) return hit.value as T[];
    const outcome = await load();
    if (outcome.kind === 'rejected') {
      throw new DomainError(ErrorCode.BACK_OFFICE_REFUSED, `${outcome.code}: ${outcome.message}`);
    }
    if (outcome.kind === 'retryable') {
      throw new DomainError(ErrorCode.BACK_OFFICE_UNAVAILABLE, 'MplusKASSA did not answer; try again shortly.');
    }
    this.cache.set(key, { at: Date.now(), value: outcome.value });
    return outcome.value;
  }
}

function page<T>(all: T[], query: PageQuery): T[] {
  return all.slice((query.page - 1) * query.per_page, query.page * query.per_page);
}
