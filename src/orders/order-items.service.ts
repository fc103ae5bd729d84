import { Injectable } from '@nestjs/common';
import { DomainError, type FieldError } from '../common/errors/domain-error.js';
import { ErrorCode } from '../common/errors/error-codes.js';
import { Answer } from '../common/http/answer.js';
import type { IdModel } from '../common/http/responses.model.js';
import type { WriteRequest } from '../common/http/write-request.js';
import type { OrderItemPostRequest, OrderItemPutRequest } from './dto/order-item.dto.js';
import { type JsonValue, changedFields, hasChanges, toJsonValue } from './history/changes.js';
import { CatalogueMirror } from '../catalogue/catalogue-mirror.js';
import {
  CurrencyRules,
  type LineDraft,
  type MoneyDraft,
  type PricedDraft,
  moneyDraftOf,
  priceDraft,
  throwIfAny,
} from './order-input.js';
import { type MoneyFields, ORDER_MONEY_FIELDS } from './order-money.js';
import type { NewOrderItem, OrderItemRecord, OrderRecord } from './order.types.js';
import type { Changes } from './history/changes.js';
import { type AnswerSpec, type HistoryNote, type OrderChange, OrderWriter } from './order-writer.js';
import { NEW_LINE_ID, OrdersRepository } from './orders.repository.js';
import { mergeMetadata, metadataChangesOf } from './order-metadata.js';

/** The back office takes the whole order again (lines replaced). */
const UPDATE = { kind: 'update' } as const;

// Order lines. Every change prices the whole order again (a line's share of the order's discount
// depends on every other line) and writes the lines that moved and the order's figures in the
// same statement, decided on the order's version, so `money` is always what the lines cost.

@Injectable()
export class OrderItemsService {
  constructor(
    private readonly orders: OrdersRepository,
    private readonly writer: OrderWriter,
    private readonly catalogue: CatalogueMirror,
  ) {}

  async add(request: WriteRequest, orderId: number, body: OrderItemPostRequest): Promise<Answer<IdModel>> {
    await this.catalogue.lookUp([body.article_number ?? null]);
    return this.writer.update<IdModel>(request, orderId, (order) => {
      this.writer.check('item', order);
      const rules = new CurrencyRules(order.orderCurrencyCode);
      const errors: FieldError[] = [];
      const line = rules.lineDraft(this.catalogue.complete(body), '', errors);
      throwIfAny(errors);
      this.catalogue.check([{ articleNumber: line.articleNumber, field: '' }]);
      const draft = moneyDraftOf(order);
      draft.lines.push(line);
      const priced = this.price(draft.lines.length - 1, draft, rules);
      const added = priced.lines.at(-1)!;
      return this.change(
        order,
        priced,
        {
          action: 'item_added',
          recordName: 'Item added',
          changes: { item: { before: null, after: itemSummary({ id: 0, ...added }) } },
          holes: [{ path: ['item', 'after', 'id'], value: NEW_LINE_ID }],
        },
        { value: { id: 0 }, holes: [{ path: ['id'], value: NEW_LINE_ID }], status: 201 },
      );
    });
  }

  /** Changes only the fields given; a change that changes nothing writes nothing. Answered 201, as Retailys does. */
  async edit(request: WriteRequest, orderId: number, body: OrderItemPutRequest): Promise<Answer<IdModel>> {
    await this.catalogue.lookUp([body.article_number ?? null]);
    return this.writer.update<IdModel>(request, orderId, (order) => {
      const item = findItem(order, body.id);
      const rules = new CurrencyRules(order.orderCurrencyCode);
      const errors: FieldError[] = [];
      const draft = moneyDraftOf(order);
      const index = order.items.indexOf(item);
      // A new price without its VAT rate takes the article's: the one the edit gives, or the line's.
      const edit = body.price
        ? { ...body, price: this.catalogue.completePrice(body.price, body.article_number ?? item.articleNumber) }
        : body;
      const line = editedLine(draft.lines[index]!, edit, rules, errors);
      throwIfAny(errors);
      // A line's article is checked when the edit gives one; a line kept as it was stays as MplusKASSA took it.
      if (body.article_number !== undefined) this.catalogue.check([{ articleNumber: line.articleNumber, field: '' }]);
      draft.lines[index] = line;
      const priced = this.price(index, draft, rules);
      const updated = priced.lines[index]!;
      const itemChanges = changedFields([['item', itemSummary(item), itemSummary({ id: item.id, ...updated })]]);
      // Beside the line's other changes; the entry's name says which line.
      const metadataChanges = metadataChangesOf(item.metadata, updated.metadata, 'item.metadata');
      if (!hasChanges(itemChanges)) {
        // The caller's metadata on the line changes until the order is archived; the line itself
        // only while the order is open, and a repeat that changes nothing is told so as well.
        if (!hasChanges(metadataChanges)) {
          this.writer.check('item', order);
          return new Answer({ id: item.id }, 201, order.version);
        }
        this.writer.check('metadata', order);
        return {
          patch: null,
          parts: (work) => this.orders.writeLines(work, order.items, priced.lines),
          note: {
            action: 'item_updated',
            recordName: `Item ${item.id} metadata changed`,
            changes: metadataChanges,
          },
          forward: null,
          answer: () => ({ value: { id: item.id }, status: 201 }),
        };
      }
      if (this.writer.check('item', order).outcome === 'noop') return new Answer({ id: item.id }, 201, order.version);
      return this.change(
        order,
        priced,
        {
          action: 'item_updated',
          recordName: `Item ${item.id} changed`,
          changes: { ...itemChanges, ...metadataChanges },
        },
        { value: { id: item.id }, status: 201 },
      );
    });
  }

  remove(request: WriteRequest, orderId: number, itemId: number): Promise<Answer<IdModel>> {
    return this.writer.update<IdModel>(request, orderId, (order) => {
      const item = findItem(order, itemId);
      this.writer.check('item', order);
      const rules = new CurrencyRules(order.orderCurrencyCode);
      const draft = moneyDraftOf(order);
      draft.lines = draft.lines.filter((line) => line.id !== item.id);
      const priced = this.price(null, draft, rules);
      return this.change(
        order,
        priced,
        {
          action: 'item_deleted',
          recordName: `Item ${item.id} deleted`,
          changes: { item: { before: itemSummary(item), after: null } },
        },
        { value: { id: item.id } },
      );
    });
  }

  /** The order priced with its lines as the route leaves them; errors about line `index` name the body's fields. */
  private price(index: number | null, draft: MoneyDraft, rules: CurrencyRules): PricedDraft {
    const errors: FieldError[] = [];
    const fields: MoneyFields = {
      line: (at) => (at === index ? '' : `items[${at}]`),
      discount: 'discount',
      total: index === null ? ORDER_MONEY_FIELDS.total : 'count',
    };
    const priced = priceDraft(draft, rules.decimals, fields, errors);
    throwIfAny(errors);
    return priced;
  }

  /** The change: the order's new money, the lines that moved, the history entry with the total's change. */
  private change(
    order: OrderRecord,
    priced: PricedDraft,
    note: Omit<HistoryNote, 'changes'> & { changes: Changes },
    answer: AnswerSpec<IdModel>,
  ): OrderChange<IdModel> {
    return {
      patch: priced.money,
      parts: (work) => this.orders.writeLines(work, order.items, priced.lines),
      note: { ...note, changes: { ...note.changes, ...changedFields([['money', order.money, priced.money.money]]) } },
      forward: UPDATE,
      answer: () => answer,
    };
  }
}

function findItem(order: OrderRecord, itemId: number): OrderItemRecord {
  const item = order.items.find((line) => line.id === itemId);
  if (!item) throw new DomainError(ErrorCode.ITEM_NOT_FOUND, `Order ${order.id} has no item ${itemId}.`);
  return item;
}

/** The stored line with the fields the PUT gives; null clears the discount. */
function editedLine(line: LineDraft, body: OrderItemPutRequest, rules: CurrencyRules, errors: FieldError[]): LineDraft {
  return {
    ...line,
    ...(body.article_number !== undefined ? { articleNumber: body.article_number } : {}),
    ...(body.name !== undefined ? { name: body.name } : {}),
    ...(body.count !== undefined ? { count: body.count } : {}),
    ...(body.note !== undefined ? { note: body.note } : {}),
    ...(body.metadata !== undefined
      ? { metadata: body.metadata === null ? {} : mergeMetadata(line.metadata, body.metadata, 'metadata') }
      : {}),
    ...(body.price !== undefined ? { given: rules.givenPrice(body.price, 'price', errors) } : {}),
    ...(body.discount !== undefined
      ? { discount: body.discount && rules.discount(body.discount, 'discount', errors) }
      : {}),
  };
}

function itemSummary(item: Omit<NewOrderItem, `original${string}`> & { id: number }): JsonValue {
  return toJsonValue({
    id: item.id,
    article_number: item.articleNumber,
    name: item.name,
    count: item.count,
    note: item.note,
    base_price: item.basePrice,
    final_price: item.finalPrice,
    vat: item.vatRate,
    discount: item.discount && { [item.discount.kind]: item.discount.value },
    total: item.total,
  });
}
