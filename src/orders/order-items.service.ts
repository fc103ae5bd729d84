import { Injectable } from '@nestjs/common';
import { DomainError, type FieldError } from '../common/errors/domain-error.js';
import { ErrorCode } from '../common/errors/error-codes.js';
import { Answer } from '../common/http/answer.js';
import type { IdModel } from '../common/http/responses.model.js';
import type { WriteRequest } from '../common/http/write-request.js';
import type { OrderItemPostRequest, OrderItemPutRequest } from './dto/order-item.dto.js';
import { type JsonValue, changedFields, hasChanges, toJsonValue } from './history/changes.js';
import { CurrencyRules, throwIfAny } from './order-input.js';
import { orderTotal, unitPrice } from './order-pricing.js';
import type { ItemPatch, OrderItemRecord, OrderRecord } from './order.types.js';
import { OrderWriter } from './order-writer.js';
import { NEW_LINE_ID, OrdersRepository } from './orders.repository.js';

/** The back office takes the whole order again (lines replaced). */
const UPDATE = { kind: 'update' } as const;

// Order lines. Every change recomputes the order total from the lines in the same statement
// that changes them, decided on the order's version, so `money` is always the sum of the lines.

@Injectable()
export class OrderItemsService {
  constructor(
    private readonly orders: OrdersRepository,
    private readonly writer: OrderWriter,
  ) {}

  add(request: WriteRequest, orderId: number, body: OrderItemPostRequest): Promise<Answer<IdModel>> {
    return this.writer.update<IdModel>(request, orderId, (order) => {
      this.writer.check('item', order);
      const errors: FieldError[] = [];
      const newItem = new CurrencyRules(order.orderCurrencyCode).newItem(body, '', errors);
      throwIfAny(errors);
      const money = orderTotal([...order.items, newItem]);
      return {
        patch: { money },
        parts: (work) => this.orders.addLine(work, newItem),
        note: {
          action: 'item_added',
          recordName: 'Item added',
          changes: {
            item: { before: null, after: itemSummary({ id: 0, ...newItem }) },
            ...changedFields([['money', order.money, money]]),
          },
          holes: [{ path: ['item', 'after', 'id'], value: NEW_LINE_ID }],
        },
        forward: UPDATE,
        answer: () => ({ value: { id: 0 }, holes: [{ path: ['id'], value: NEW_LINE_ID }], status: 201 }),
      };
    });
  }

  /** Changes only the fields given; a change that changes nothing writes nothing. Answered 201, as Retailys does. */
  edit(request: WriteRequest, orderId: number, body: OrderItemPutRequest): Promise<Answer<IdModel>> {
    return this.writer.update<IdModel>(request, orderId, (order) => {
      const item = findItem(order, body.id);
      const patch = itemPatch(order, item, body);
      const updated: OrderItemRecord = { ...item, ...patch };
      const itemChanges = changedFields([['item', itemSummary(item), itemSummary(updated)]]);
      if (!hasChanges(itemChanges) || this.writer.check('item', order).outcome === 'noop') {
        return new Answer({ id: item.id }, 201, order.version);
      }
      const money = orderTotal(order.items.map((line) => (line.id === item.id ? updated : line)));
      return {
        patch: { money },
        parts: (work) => this.orders.changeLine(work, item.id, patch),
        note: {
          action: 'item_updated',
          recordName: `Item ${item.id} changed`,
          changes: { ...itemChanges, ...changedFields([['money', order.money, money]]) },
        },
        forward: UPDATE,
        answer: () => ({ value: { id: item.id }, status: 201 }),
      };
    });
  }

  remove(request: WriteRequest, orderId: number, itemId: number): Promise<Answer<IdModel>> {
    return this.writer.update<IdModel>(request, orderId, (order) => {
      const item = findItem(order, itemId);
      this.writer.check('item', order);
      const money = orderTotal(order.items.filter((line) => line.id !== item.id));
      return {
        patch: { money },
        parts: (work) => this.orders.removeLine(work, item.id),
        note: {
          action: 'item_deleted',
          recordName: `Item ${item.id} deleted`,
          changes: {
            item: { before: itemSummary(item), after: null },
            ...changedFields([['money', order.money, money]]),
          },
        },
        forward: UPDATE,
        answer: () => ({ value: { id: item.id } }),
      };
    });
  }
}

function findItem(order: OrderRecord, itemId: number): OrderItemRecord {
  const item = order.items.find((line) => line.id === itemId);
  if (!item) throw new DomainError(ErrorCode.ITEM_NOT_FOUND, `Order ${order.id} has no item ${itemId}.`);
  return item;
}

function itemPatch(order: OrderRecord, item: OrderItemRecord, body: OrderItemPutRequest): ItemPatch {
  const patch: ItemPatch = {};
  if (body.article_number !== undefined) patch.articleNumber = body.article_number;
  if (body.name !== undefined) patch.name = body.name;
  if (body.count !== undefined) patch.count = body.count;
  if (body.note !== undefined) patch.note = body.note;
  if (body.price !== undefined) {
    const rules = new CurrencyRules(order.orderCurrencyCode);
    const errors: FieldError[] = [];
    const price = unitPrice(rules.givenPrice(body.price, 'price', errors), rules.decimals);
    throwIfAny(errors);
    Object.assign(patch, {
      priceGivenAs: price.givenAs,
      basePrice: price.basePrice,
      finalPrice: price.finalPrice,
      vatRate: price.vatRate,
      vatValue: price.vatValue,
    });
  }
  // Keep what did not change out of the patch, so an unchanged line is recognised as such.
  return Object.fromEntries(
    Object.entries(patch).filter(([key, value]) => String(item[key as keyof OrderItemRecord]) !== String(value)),
  );
}

function itemSummary(item: Omit<OrderItemRecord, 'orderId' | `original${string}`>): JsonValue {
  return toJsonValue({
    id: item.id,
    article_number: item.articleNumber,
    name: item.name,
    count: item.count,
    note: item.note,
    base_price: item.basePrice,
    final_price: item.finalPrice,
    vat: item.vatRate,
  });
}
