import { Injectable } from '@nestjs/common';
import type { Caller } from '../auth/caller.js';
import { DomainError, type FieldError } from '../common/errors/domain-error.js';
import { ErrorCode } from '../common/errors/error-codes.js';
import type { IdModel } from '../common/http/responses.model.js';
import type { OrderItemPostRequest, OrderItemPutRequest } from './dto/order-item.dto.js';
import { type JsonValue, changedFields, hasChanges, toJsonValue } from './history/changes.js';
import { CurrencyRules, throwIfAny } from './order-input.js';
import { orderTotal, unitPrice } from './order-pricing.js';
import type { ItemPatch, OrderItemRecord, OrderRecord } from './order.types.js';
import { OrderWriter } from './order-writer.js';
import { OrdersRepository } from './orders.repository.js';

/** The back office takes the whole order again (lines replaced). */
const UPDATE = { kind: 'update' } as const;

// Order lines. Every change recomputes the order total from the lines in the same transaction,
// under the order's lock, so `money` is always the sum of the lines.

@Injectable()
export class OrderItemsService {
  constructor(
    private readonly orders: OrdersRepository,
    private readonly writer: OrderWriter,
  ) {}

  add(caller: Caller, orderId: number, body: OrderItemPostRequest): Promise<IdModel> {
    return this.writer.inLockedOrder(orderId, async (tx, order) => {
      this.writer.check('item', order);
      const errors: FieldError[] = [];
      const newItem = new CurrencyRules(order.orderCurrencyCode).newItem(body, '', errors);
      throwIfAny(errors);
      const item = await this.orders.insertItem(tx, order.id, newItem);
      const money = orderTotal([...order.items, item]);
      await this.writer.change(
        tx,
        caller,
        order,
        { money },
        {
          action: 'item_added',
          recordName: `Item ${item.id} added`,
          changes: {
            item: { before: null, after: itemSummary(item) },
            ...changedFields([['money', order.money, money]]),
          },
        },
        UPDATE,
      );
      return { id: item.id };
    });
  }

  /** Changes only the fields given; a change that changes nothing writes nothing. */
  edit(caller: Caller, orderId: number, body: OrderItemPutRequest): Promise<IdModel> {
    return this.writer.inLockedOrder(orderId, async (tx, order) => {
      const item = findItem(order, body.id);
      const patch = itemPatch(order, item, body);
      const updated: OrderItemRecord = { ...item, ...patch };
      const itemChanges = changedFields([['item', itemSummary(item), itemSummary(updated)]]);
      if (!hasChanges(itemChanges) || this.writer.check('item', order).outcome === 'noop') return { id: item.id };
      await this.orders.patchItem(tx, item.id, patch);
      const money = orderTotal(order.items.map((line) => (line.id === item.id ? updated : line)));
      await this.writer.change(
        tx,
        caller,
        order,
        { money },
        {
          action: 'item_updated',
          recordName: `Item ${item.id} changed`,
          changes: { ...itemChanges, ...changedFields([['money', order.money, money]]) },
        },
        UPDATE,
      );
      return { id: item.id };
    });
  }

  remove(caller: Caller, orderId: number, itemId: number): Promise<IdModel> {
    return this.writer.inLockedOrder(orderId, async (tx, order) => {
      const item = findItem(order, itemId);
      this.writer.check('item', order);
      await this.orders.deleteItem(tx, item.id);
      const money = orderTotal(order.items.filter((line) => line.id !== item.id));
      await this.writer.change(
        tx,
        caller,
        order,
        { money },
        {
          action: 'item_deleted',
          recordName: `Item ${item.id} deleted`,
          changes: {
            item: { before: itemSummary(item), after: null },
            ...changedFields([['money', order.money, money]]),
          },
        },
        UPDATE,
      );
      return { id: item.id };
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

function itemSummary(item: OrderItemRecord): JsonValue {
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
