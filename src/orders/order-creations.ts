import { randomBytes } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type { Caller } from '../auth/caller.js';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';
import type { FieldError } from '../common/errors/domain-error.js';
import { decimalFromJson, toJsonNumber } from '../common/money/money.js';
import { sql } from '../database/sql.js';
import type { TableWork } from '../database/table-work.js';
import type { UnitOfWork } from '../database/unit-of-work.js';
import { backOfficeExternalId } from '../outbox/external-id.js';
import { OrderSyncRepository } from '../outbox/order-sync.repository.js';
import { type NewOrderEvent, OrderEvents, orderCreatedEvent } from '../events/order-events.js';
import { OutboxRepository } from '../outbox/outbox.repository.js';
import type { OrderPostRequest } from './dto/order-post.dto.js';
import { toJsonValue } from './history/changes.js';
import { type NewHistoryEntry, OrderHistoryRepository } from './history/order-history.repository.js';
import { CatalogueMirror } from '../catalogue/catalogue-mirror.js';
import { FeeArticles } from './fee-articles.js';
import { CurrencyRules, type MoneyDraft, priceDraft, throwIfAny } from './order-input.js';
import { mergeMetadata } from './order-metadata.js';
import { ORDER_MONEY_FIELDS } from './order-money.js';
import type { NewOrder } from './order.types.js';
import { historyEntry } from './order-writer.js';
import { OrdersRepository } from './orders.repository.js';

/** A new order as it will be written, and its unit of work, ready to answer and commit. */
export interface PreparedCreation<T> {
  order: NewOrder;
  work: UnitOfWork<T>;
}

/** A new order as it will be written, with what is written beside it: its events and its history entry. */
export interface NewOrderWrite {
  order: NewOrder;
  events: NewOrderEvent[];
  history: NewHistoryEntry;
}

// A new order from a create body: priced, checked, and with what goes with it (its lines, sync
// row, outbox event, order event and history entry). The single create writes it as a unit of
// work, which it completes with its answer; a batch writes all its orders together, table by
// table (TableWork). Both are made from the same `prepare`.

@Injectable()
export class OrderCreations {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly orders: OrdersRepository,
    private readonly history: OrderHistoryRepository,
    private readonly orderSync: OrderSyncRepository,
    private readonly outbox: OutboxRepository,
    private readonly events: OrderEvents,
    private readonly fees: FeeArticles,
    private readonly catalogue: CatalogueMirror,
  ) {}

  /** Before `build`: the articles of the bodies' lines that the catalogue mirror must ask MplusKASSA about. */
  async lookUpArticles(bodies: OrderPostRequest[]): Promise<void> {
    await this.catalogue.lookUp(
      bodies.flatMap((body) => (body.items ?? []).map((item) => item.article_number ?? null)),
    );
  }

  /** The single create's unit of work. Throws a DomainError (see prepare) when the order cannot be made. */
  build<T>(caller: Caller, body: OrderPostRequest): PreparedCreation<T> {
    const { order, events, history } = this.prepare(caller, body);
    const work = this.orders.creation<T>(order);
    this.orderSync.startIn(work, backOfficeExternalId(order, sql`anchor.id`));
    this.outbox.recordIn(work, 'create');
    this.events.recordIn(work, events);
    this.history.recordIn(work, history);
    return { order, work };
  }

  /** New orders (see prepare) written together, table by table: a batch's. */
  together(writes: NewOrderWrite[]): TableWork {
    const orders = writes.map((write) => write.order);
    const work = this.orders.creations(orders);
    this.orderSync.startAllIn(work, orders);
    this.outbox.recordAllIn(work, 'create');
    this.events.recordAllIn(
      work,
      writes.map((write) => write.events),
    );
    this.history.recordAllIn(
      work,
      writes.map((write) => write.history),
    );
    return work;
  }

  /** Throws a DomainError (fields named as in a single create's body) when the order cannot be made. */
  prepare(caller: Caller, body: OrderPostRequest): NewOrderWrite {
    const rules = new CurrencyRules(body.order_currency_code);
    const errors: FieldError[] = [];
    const draft: MoneyDraft = {
      lines: (body.items ?? []).map((item, index) =>
        rules.lineDraft(this.catalogue.complete(item), `items[${index}]`, errors),
      ),
      discount: body.discount ? rules.orderDiscount(body.discount, 'discount', errors) : null,
      shipping: body.shipping_price ? rules.givenPrice(body.shipping_price, 'shipping_price', errors) : null,
      paymentFee: body.payment_price ? rules.givenPrice(body.payment_price, 'payment_price', errors) : null,
    };
    throwIfAny(errors);
    this.fees.check(draft);
    this.catalogue.check(
      draft.lines.map((line, index) => ({ articleNumber: line.articleNumber, field: `items[${index}]` })),
    );
    const { lines: items, money } = priceDraft(draft, rules.decimals, ORDER_MONEY_FIELDS, errors);
    throwIfAny(errors);
    const externalId = body.external_order_id ?? null;
    const prefix = body.external_order_prefix || null;
    const order: NewOrder = {
      hash: randomBytes(16).toString('hex'),
      source: 'api',
      customerId: body.customer ?? null,
      companyId: body.company ?? null,
      channelId: body.channel ?? null,
      shippingId: body.shipping ?? null,
      paymentId: body.payment ?? null,
      dateOrder: body.date_order ? new Date(body.date_order) : new Date(),
      dateMaturity: body.date_maturity ? new Date(body.date_maturity) : null,
      email: body.email ?? null,
      phone: body.phone ?? null,
      name: body.name ?? null,
      street: body.street ?? null,
      city: body.city ?? null,
      zip: body.zip ?? null,
      stateCode: body.state_code ?? null,
      companyName: body.company_name ?? null,
      companyNr: body.company_nr ?? null,
      companyVat: body.company_vat ?? null,
      deliveryName: body.delivery_name ?? null,
      deliveryStreet: body.delivery_street ?? null,
      deliveryCity: body.delivery_city ?? null,
      deliveryZip: body.delivery_zip ?? null,
      deliveryStateCode: body.delivery_state_code ?? null,
      deliveryPhone: body.delivery_phone ?? null,
      deliveryEmail: body.delivery_email ?? null,
      note: body.note ?? null,
      ourNote: body.our_note ?? null,
      ip: body.ip ?? null,
      domain: body.domain ?? null,
      mainCurrencyCode: this.config.MAIN_CURRENCY_CODE,
      orderCurrencyCode: rules.currency,
      currencyRate:
        body.currency_rate != null
          ? decimalFromJson(body.currency_rate)
          : rules.currency === this.config.MAIN_CURRENCY_CODE
            ? decimalFromJson(1)
            : null,
      externalOrderPrefix: prefix,
      externalOrderId: externalId,
      metadata: mergeMetadata({}, body.metadata ?? undefined, 'metadata'),
      ...money,
      items,
    };
    const created = { sent: false, delivered: false, done: false, canceled: false, archived: false };
    const history = historyEntry(
      caller,
      {
        action: 'created',
        recordName: 'Order created',
        changes: {
          order: {
            before: null,
            after: toJsonValue({
              email: order.email,
              name: order.name,
              order_currency_code: order.orderCurrencyCode,
              money: toJsonNumber(order.money),
              items: order.items.length,
              external_order_id: order.externalOrderId,
              ...(Object.keys(order.metadata).length > 0 ? { metadata: order.metadata } : {}),
            }),
          },
        },
      },
      created,
    );
    return { order, events: [orderCreatedEvent(order)], history };
  }
}
