import { timingSafeEqual } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';
import { DomainError, type FieldError } from '../common/errors/domain-error.js';
import { Answer } from '../common/http/answer.js';
import { paginator } from '../common/http/pagination.dto.js';
import { decimalFromText } from '../common/money/money.js';
import type { Precondition } from '../common/http/entity-tag.js';
import type { IdModel } from '../common/http/responses.model.js';
import type { WriteRequest } from '../common/http/write-request.js';
import { isUniqueViolation } from '../database/database-errors.js';
import { sql } from '../database/sql.js';
import type { UnitOfWork } from '../database/unit-of-work.js';
import { IdempotencyRepository } from '../idempotency/idempotency.repository.js';
import type { OrderListQuery } from './dto/order-list.query.js';
import type { OrderModel, OrdersModel, OrdersPaginator } from './dto/order.model.js';
import type { OrderPostRequest } from './dto/order-post.dto.js';
import type { OrderPutRequest } from './dto/order-put.dto.js';
import { changedFields, hasChanges, toJsonValue } from './history/changes.js';
import { mergeMetadata, metadataChangesOf } from './order-metadata.js';
import { decodeCursor, encodeCursor } from './order-cursor.js';
import { FeeArticles } from './fee-articles.js';
import { OrderCreations } from './order-creations.js';
import { CurrencyRules, moneyDraftOf, priceDraft, throwIfAny } from './order-input.js';
import { OrderMapper } from './order.mapper.js';
import { ORDER_MONEY_FIELDS } from './order-money.js';
import type { NewOrder, OrderListFilter, OrderPatch, OrderRecord, OrderSortKey, OrderTotal } from './order.types.js';
import { type OrderChange, OrderWriter, orderNotFound } from './order-writer.js';
import { OrdersRepository } from './orders.repository.js';

const SORT_KEYS: Record<string, OrderSortKey> = { date_order: 'dateOrder', id: 'id', updated_at: 'updatedAt' };

@Injectable()
export class OrdersService {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly orders: OrdersRepository,
    private readonly idempotency: IdempotencyRepository,
    private readonly writer: OrderWriter,
    private readonly mapper: OrderMapper,
    private readonly fees: FeeArticles,
    private readonly creations: OrderCreations,
  ) {}

  /**
   * The order, its lines, its sync row, the outbox event with its job, the history entry and, with
   * an Idempotency-Key, the answer: one statement. An order with the same external id is answered
   * instead (200), and nothing is written.
   */
  async create(request: WriteRequest, body: OrderPostRequest): Promise<Answer<IdModel>> {
    await this.creations.lookUpArticles([body]);
    const { work, order } = this.creations.build<IdModel>(request.caller, body);
    if (request.dryRun) return this.rehearseCreate(work, order);
    work
      .answers({ id: 0 }, { holes: [{ path: ['id'], value: sql`anchor.id` }], status: 201 })
      .recordedBy(request.idempotency && this.idempotency.recordFor(request.idempotency));
    const externalId = order.externalOrderId;
    try {
      const committed = await work.commit();
      if (committed) return new Answer(committed.answer, committed.status, committed.version);
    } catch (error) {
      // A unique index on the back-office id of an order with the same external id, committed meanwhile.
      if (externalId === null || !isUniqueViolation(error)) throw error;
    }
    // An order with this external id exists (maybe committed a moment ago by a concurrent create).
    const existing =
      externalId !== null ? await this.orders.findByExternalId(order.externalOrderPrefix, externalId) : null;
    if (!existing) throw new Error('A create without an external id wrote nothing');
    return new Answer({ id: existing.id }, 200, existing.version);
  }

  /**
   * A create's dry run (see WriteRequest): the order as the statement would write it, read back in
   * a transaction that is rolled back; the order with the same external id where there is one.
   */
  private async rehearseCreate(work: UnitOfWork<IdModel>, order: NewOrder): Promise<Answer<OrderModel>> {
    try {
      const rehearsed = await this.orders.rehearse(async (tx) => {
        const committed = await work.commit(tx);
        return committed && this.writer.rehearsed(tx, committed.id);
      });
      if (rehearsed) return rehearsed;
    } catch (error) {
      if (order.externalOrderId === null || !isUniqueViolation(error)) throw error;
    }
    const found = await this.orders.findByExternalId(order.externalOrderPrefix, order.externalOrderId!);
    const existing = found && (await this.orders.readById(found.id));
    if (!existing) throw new Error('A create without an external id wrote nothing');
    return new Answer(this.mapper.toModel(existing, false), 200, existing.version);
  }

  /**
   * One order. With `hash` (its holder has no key) only when the hash is the order's, and without
   * the shop's internal note; a wrong hash and a missing order look the same, so ids cannot be probed.
   * `held`: the versions If-None-Match names.
   */
  async get(
    orderId: number,
    expanded: boolean,
    hash: string | undefined,
    held: Precondition | null,
  ): Promise<Answer<OrderModel | null>> {
    const order = await this.orders.readById(orderId);
    if (!order || (hash !== undefined && !sameSecret(order.hash, hash))) throw orderNotFound(orderId);
    // If-None-Match names the version the client holds: 304, its ETag and no body.
    if (held?.allows(order.version)) return new Answer(null, 304, order.version);
    const model = this.mapper.toModel(order, expanded);
    return new Answer(hash === undefined ? model : { ...model, our_note: null }, 200, order.version);
  }

  async list(query: OrderListQuery): Promise<OrdersModel> {
    const filter: OrderListFilter = {
      channelId: query.channel_id,
      companyId: query.company_id,
      customerId: query.customer_id,
      done: query.done,
      canceled: query.canceled,
      statusId: query.status_id,
      from: query.from ? new Date(query.from) : undefined,
      to: query.to ? new Date(query.to) : undefined,
      trackingNumber: query.tracking,
      emailNormalized: query.email?.toLowerCase(),
      externalOrderId: query.external_order_id,
      syncStatus: query.sync_status,
      updatedSince: query.updated_since ? new Date(query.updated_since) : undefined,
      // The Kwik names.
      orderId: query.order_id,
      orderReference: query.order_reference,
      orderStatusId: query.order_status_lookups_id,
      lifecycleState: query.fulfillment_status_lookups_id,
      metadata: query.metadata,
      noteContains: query.description,
      amountTotal: query.amount_total !== undefined ? decimalFromText(query.amount_total) : undefined,
      dateStart: query.date_start,
      dateEnd: query.date_end,
      timeZone: this.config.ORDER_DATE_TIME_ZONE,
      withArchived: query.archived === true,
    };
    const readsChanges = query.cursor !== undefined || query.updated_since !== undefined;
    if (!readsChanges) {
      const sort = query.sort ?? '-date_order';
      const descending = sort.startsWith('-');
      const { total, orders } = await this.orders.page(
        filter,
        { key: SORT_KEYS[sort.replace('-', '')] ?? 'dateOrder', descending },
        (query.page - 1) * query.per_page,
        query.per_page,
        this.countLimit(query),
      );
      return {
        paginator: ordersPaginator(query.page, query.per_page, total),
        orders: orders.map((order) => this.mapper.toModel(order, query.expanded)),
        next_cursor: null,
      };
    }

    if (query.sort !== undefined || query.page !== 1) {
      throw DomainError.invalidField(
        query.sort !== undefined ? 'sort' : 'page',
        'changes (updated_since, cursor) are read oldest first and continue with next_cursor: sort and page do not apply',
      );
    }
    const after = query.cursor !== undefined ? decodeCursor(query.cursor) : null;
    const { total, orders, horizon } = await this.orders.changes(filter, after, query.per_page, this.countLimit(query));
    const last = orders.at(-1)?.position;
    // With nothing new, the reader keeps its place; past a short page, everything before the
    // horizon has been read, so the next read may start there.
    const next = last ?? after ?? { changeSeq: horizon - 1n, id: 0 };
    return {
      paginator: ordersPaginator(1, query.per_page, total),
      orders: orders.map((order) => this.mapper.toModel(order, query.expanded)),
      next_cursor: encodeCursor(next),
    };
  }

  /** Up to how many matches a list counts exactly (see OrdersRepository.page). */
  private countLimit(query: OrderListQuery): number {
    return query.exact_total ? Number.MAX_SAFE_INTEGER - 1 : this.config.LIST_EXACT_TOTAL_UP_TO;
  }

  /**
   * PUT /System/Orders: the delivery address, the order's discount, its fees and its metadata;
   * null clears a field, a missing one stays. A new discount or fee prices the whole order again.
   */
  update(request: WriteRequest, body: OrderPutRequest): Promise<Answer<IdModel>> {
    return this.writer.update<IdModel>(request, body.id, (order) => this.decideUpdate(order, body));
  }

  /** What a PUT (or one record of a batch update) does to the order as read. */
  decideUpdate(order: OrderRecord, body: OrderPutRequest): OrderChange<IdModel> | Answer<IdModel> {
    const patch: OrderPatch = {};
    const given: Array<[keyof OrderPatch, keyof OrderPutRequest]> = [
      ['deliveryName', 'delivery_name'],
      ['deliveryStreet', 'delivery_street'],
      ['deliveryCity', 'delivery_city'],
      ['deliveryZip', 'delivery_zip'],
      ['deliveryStateCode', 'delivery_state_code'],
      ['deliveryPhone', 'delivery_phone'],
      ['deliveryEmail', 'delivery_email'],
    ];
    for (const [field, wire] of given) {
      if (body[wire] !== undefined) Object.assign(patch, { [field]: body[wire] });
    }
    const addressChanges = changedFields(
      given.map(([field, wire]) => [wire, order[field], field in patch ? patch[field] : order[field]]),
    );
    const metadata = body.metadata === null ? {} : mergeMetadata(order.metadata, body.metadata, 'metadata');
    const metadataChanges = metadataChangesOf(order.metadata, metadata);
    const repriced = this.repriced(order, body);
    const moneyChanges = repriced
      ? changedFields([
          ['discount', discountSummary(order.discount), discountSummary(repriced.money.discount)],
          ['shipping_price', feeSummary(order.shippingPrice), feeSummary(repriced.money.shippingPrice)],
          ['payment_price', feeSummary(order.paymentPrice), feeSummary(repriced.money.paymentPrice)],
          ['money', order.money, repriced.money.money],
        ])
      : {};
    const addressChanged = hasChanges(addressChanges);
    const moneyChanged = hasChanges(moneyChanges);
    const metadataChanged = hasChanges(metadataChanges);
    if (!addressChanged && !moneyChanged && !metadataChanged) return new Answer({ id: order.id }, 200, order.version);
    // Each part follows its own rule: metadata is the caller's and changes until the order is archived.
    if (metadataChanged) this.writer.check('metadata', order);
    if (addressChanged && this.writer.check('delivery_address', order).outcome === 'noop') {
      return new Answer({ id: order.id }, 200, order.version);
    }
    if (moneyChanged) this.writer.check('prices', order);
    const what = [
      addressChanged ? 'delivery address' : null,
      moneyChanged ? 'prices' : null,
      metadataChanged ? 'metadata' : null,
    ].filter((part) => part !== null);
    const recordName = `${what.join(' and ').replace(/^./, (first) => first.toUpperCase())} changed`;
    return {
      patch: {
        ...patch,
        ...(moneyChanged ? repriced!.money : {}),
        ...(metadataChanged ? { metadata } : {}),
      },
      parts: moneyChanged ? (work) => this.orders.writeLines(work, order.items, repriced!.lines) : undefined,
      note: {
        action: moneyChanged ? 'prices_updated' : addressChanged ? 'delivery_address_updated' : 'metadata_updated',
        recordName,
        changes: { ...addressChanges, ...moneyChanges, ...metadataChanges },
      },
      // Metadata is never forwarded: MplusKASSA hears only of what it keeps.
      forward: addressChanged || moneyChanged ? { kind: 'update' } : null,
      answer: () => ({ value: { id: order.id } }),
    };
  }

  /** The order priced with the discount and fees of the PUT, or null when it gives none of them. */
  private repriced(order: OrderRecord, body: OrderPutRequest) {
    if (body.discount === undefined && body.shipping_price === undefined && body.payment_price === undefined) {
      return null;
    }
    const rules = new CurrencyRules(order.orderCurrencyCode);
    const errors: FieldError[] = [];
    const draft = moneyDraftOf(order);
    if (body.discount !== undefined) {
      draft.discount = body.discount && rules.orderDiscount(body.discount, 'discount', errors);
    }
    if (body.shipping_price !== undefined) {
      draft.shipping = body.shipping_price && rules.givenPrice(body.shipping_price, 'shipping_price', errors);
    }
    if (body.payment_price !== undefined) {
      draft.paymentFee = body.payment_price && rules.givenPrice(body.payment_price, 'payment_price', errors);
    }
    throwIfAny(errors);
    this.fees.check(draft);
    const priced = priceDraft(draft, rules.decimals, ORDER_MONEY_FIELDS, errors);
    throwIfAny(errors);
    return priced;
  }
}

/** A fee as its history entry shows it: with VAT, and its rate. */
function feeSummary(price: OrderRecord['shippingPrice']) {
  return price && toJsonValue({ final_price: price.finalPrice, vat: price.vatRate });
}

/** The order's discount as its history entry shows it. */
function discountSummary(discount: OrderRecord['discount']) {
  return discount && toJsonValue({ [discount.kind]: discount.value, code: discount.code });
}

function ordersPaginator(page: number, perPage: number, total: OrderTotal): OrdersPaginator {
  return { ...paginator(page, perPage, total.count), total_exact: total.exact };
}

function sameSecret(stored: string, given: string): boolean {
  const a = Buffer.from(stored);
  const b = Buffer.from(given);
  return a.length === b.length && timingSafeEqual(a, b);
}
