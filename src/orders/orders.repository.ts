import { Injectable } from '@nestjs/common';
import { Database, type Executor, type Transaction } from '../database/database.js';
import { sql } from '../database/sql.js';
import { type CommittedRow, TableWork } from '../database/table-work.js';
import { UnitOfWork } from '../database/unit-of-work.js';
import { sameMetadata } from './order-metadata.js';
import {
  type ListedOrders,
  type OrderRow,
  type PaymentReport,
  deleteLines,
  estimatedCount,
  insertLines,
  insertLinesOfAll,
  insertOrder,
  insertOrders,
  insertRefund,
  insertTracking,
  listedOrders,
  orderAtVersion,
  orderById,
  ordersByIds,
  orderChanges,
  orderPage,
  orderWhere,
  ordersWhere,
  remainingChanges,
  rewriteLines,
  toOrderRecord,
  updateOrder,
  upsertPayments,
} from './order-queries.js';
import type {
  ChangePosition,
  NewOrder,
  NewOrderItem,
  OrderListFilter,
  OrderPatch,
  OrderRecord,
  OrderSortKey,
  OrderItemRecord,
  OrderTotal,
  RefundRecord,
} from './order.types.js';

/** The id of the line a unit of work adds, when it adds one (see writeLines). */
export const NEW_LINE_ID = sql`(SELECT id FROM new_lines)`;
/** When the refund a unit of work records was made (see addRefund). */
export const NEW_REFUND_CREATED_AT = sql`(SELECT created_at FROM refund)`;
/** The id of the parcel a unit of work adds (see addTracking). */
export const NEW_TRACKING_ID = sql`(SELECT id FROM tracking)`;

// Every statement about orders, their lines, parcels and payments (order-queries.ts holds the
// SQL). Reads run on the pool unless given a transaction; writes are units of work (see
// UnitOfWork) anchored on the order, which the caller completes and commits: this repository
// builds the anchor and the parts that touch its tables.

@Injectable()
export class OrdersRepository {
  constructor(private readonly database: Database) {}

  /**
   * `work` in a transaction (see Database.transaction): for writes that must hold an order's row
   * lock across statements.
   */
  transaction<T>(work: (tx: Transaction) => Promise<T>): Promise<T> {
    return this.database.transaction(work);
  }

  /** `work` in a transaction that is rolled back whatever it did (see Database.rehearse): a dry run. */
  rehearse<T>(work: (tx: Transaction) => Promise<T>): Promise<T> {
    return this.database.rehearse(work);
  }

  /** One order, as `db` sees it (the pool, outside any transaction, unless a transaction is given). */
  async readById(id: number, db: Executor = this.database): Promise<OrderRecord | null> {
    const [row] = await db.query<OrderRow>(orderById(id));
    return row ? toOrderRecord(row) : null;
  }

  /**
   * One order, its row locked until the transaction ends: writers of this order wait for it. Two
   * statements: a statement that waited for the lock still reads everything else (the lines) as
   * it was when it began, before the change it waited for.
   */
  async lockById(tx: Transaction, id: number): Promise<OrderRecord | null> {
    const locked = await tx.query(sql`SELECT 1 FROM orders WHERE id = ${id} FOR UPDATE`);
    return locked.length === 0 ? null : this.readById(id, tx);
  }

  /**
   * The orders of `ids` that exist, their rows locked until the transaction ends, locked in id
   * order (so that two such transactions never wait on each other). Two statements, as lockById.
   */
  async lockManyById(tx: Transaction, ids: number[]): Promise<Map<number, OrderRecord>> {
    const sorted = [...new Set(ids)].sort((a, b) => a - b);
    const locked = await tx.query<{ id: number }>(
      sql`SELECT id FROM orders WHERE id = ANY(${sorted}::int[]) ORDER BY id FOR UPDATE`,
    );
    if (locked.length === 0) return new Map();
    const rows = await tx.query<OrderRow>(ordersByIds(locked.map((row) => row.id)));
    return new Map(rows.map((row) => [row.id, toOrderRecord(row)]));
  }

  /** Whether the order exists (outside any transaction). */
  async exists(id: number): Promise<boolean> {
    return (await this.database.query(sql`SELECT 1 FROM orders WHERE id = ${id}`)).length > 0;
  }

  /** The order with this external id: its id and version. */
  async findByExternalId(
    prefix: string | null,
    externalId: string,
    db: Executor = this.database,
  ): Promise<{ id: number; version: number } | null> {
    const [row] = await db.query<{ id: number; version: number }>(sql`
      SELECT id, version FROM orders WHERE external_order_prefix = ${prefix ?? ''} AND external_order_id = ${externalId}`);
    return row ?? null;
  }

  /** A new order and its lines; the anchor writes nothing when an order with its external id exists. */
  creation<T>(order: NewOrder): UnitOfWork<T> {
    const { items, ...fields } = order;
    const work = new UnitOfWork<T>(insertOrder(fields), this.database);
    if (items.length > 0) work.write('lines', insertLines(items));
    return work;
  }

  /**
   * New orders and their lines as one TableWork: a row per unit (an order, in the order given)
   * with its id and version, where the order was written; none where an order with its external
   * id exists. Parts beside the orders join `anchor` on `u`.
   */
  creations(orders: NewOrder[]): TableWork {
    const work = new TableWork(orders.length);
    work.write('inserted', insertOrders(orders.map(({ items: _items, ...fields }) => fields)));
    // The INSERT answers its rows without the unit each came from; an order's random hash tells.
    work.write(
      'anchor',
      sql`SELECT (given.u - 1)::int AS u, inserted.id, inserted.version
            FROM inserted JOIN unnest(${orders.map((order) => order.hash)}::text[]) WITH ORDINALITY AS given(hash, u)
                 USING (hash)`,
    );
    if (orders.some((order) => order.items.length > 0)) {
      work.write('lines', insertLinesOfAll(orders.map((order) => order.items)));
    }
    return work;
  }

  /** New orders (see creations) written in `tx`: each one's id and version, or null where an order with its external id exists. */
  async createAll(tx: Transaction, work: TableWork): Promise<Array<CommittedRow | null>> {
    // Postgres's estimates of rows given as JSON do not depend on their values, so the plan made
    // for them is the generic one, planned again on every execution by default: with it, 583-584
    // µs of CPU a batched order (npm run bench:cpu), with the generic plan kept 467-505 µs.
    await tx.query(sql`SET LOCAL plan_cache_mode = force_generic_plan`);
    return work.commit(tx);
  }

  /** A change to the order decided at `version`: patched, its version incremented, or nothing if it moved on. */
  change<T>(id: number, version: number, patch: OrderPatch): UnitOfWork<T> {
    return new UnitOfWork<T>(updateOrder(id, version, patch), this.database);
  }

  /** A write beside the order (history, sync state) decided at `version`, which it leaves as it is. */
  beside<T>(id: number, version: number): UnitOfWork<T> {
    return new UnitOfWork<T>(orderAtVersion(id, version), this.database);
  }

  /**
   * The order's lines from `before` to `after`: lines without an id are added (NEW_LINE_ID is the
   * id of the one added), lines of `before` missing from `after` deleted, and the others written
   * whole when anything about them changed (their money follows from the whole order's).
   */
  writeLines(work: UnitOfWork<unknown>, before: OrderItemRecord[], after: Array<NewOrderItem & { id?: number }>): void {
    const kept = new Set(after.map((line) => line.id).filter((id) => id !== undefined));
    const gone = before.filter((line) => !kept.has(line.id)).map((line) => line.id);
    if (gone.length > 0) work.write('gone_lines', deleteLines(gone));
    const added = after.filter((line) => line.id === undefined);
    if (added.length > 0) work.write('new_lines', insertLines(added));
    const byId = new Map(before.map((line) => [line.id, line]));
    const moved = after.filter(
      (line): line is NewOrderItem & { id: number } =>
        line.id !== undefined && byId.has(line.id) && lineDiffers(byId.get(line.id)!, line),
    );
    if (moved.length > 0) work.write('moved_lines', rewriteLines(moved));
  }

  /** A new parcel; NEW_TRACKING_ID is its id. */
  addTracking(work: UnitOfWork<unknown>, shipperId: number, trackingNumber: string): void {
    work.write('tracking', insertTracking(shipperId, trackingNumber));
  }

  /** Payments reported: new, or the latest report of one with the same payment_id. */
  recordPayments(work: UnitOfWork<unknown>, payments: PaymentReport[]): void {
    if (payments.length > 0) work.write('payments', upsertPayments(payments));
  }

  /** A refund; NEW_REFUND_CREATED_AT is when it was made. */
  addRefund(work: UnitOfWork<unknown>, refund: Omit<RefundRecord, 'id' | 'createdAt'>): void {
    work.write('refund', insertRefund(refund));
  }

  /**
   * One page of orders, and how many match. The count stops at `countLimit`: past it, counting is
   * what a list would cost (every matching row read, a million at a million orders), so the total
   * becomes the planner's estimate, never less than what the page itself proves.
   */
  async page(
    filter: OrderListFilter,
    sort: { key: OrderSortKey; descending: boolean },
    offset: number,
    limit: number,
    countLimit: number,
  ): Promise<{ total: OrderTotal; orders: OrderRecord[] }> {
    const listed = listedOrders(filter, sort.key);
    const rows = await this.database.query<OrderRow & { counted: number }>(
      orderPage(listed, sort, offset, limit, countLimit + 1),
    );
    const orders = ordersOf(rows);
    // A page with orders proves that many before it; an empty page past the end proves nothing.
    const total = await this.total(
      listed,
      rows[0]!.counted,
      countLimit,
      orders.length > 0 ? offset + orders.length : 0,
    );
    return { total, orders };
  }

  /**
   * Orders changed after `after`, in the order their changes committed, up to `horizon`: the
   * oldest transaction still running. Everything before the horizon has committed or aborted,
   * so a later read from the last position cannot miss an order that commits late. The total
   * is of the changes left to read, counted as in `page`.
   */
  async changes(
    filter: OrderListFilter,
    after: ChangePosition | null,
    limit: number,
    countLimit: number,
  ): Promise<{ total: OrderTotal; orders: Array<OrderRecord & { position: ChangePosition }>; horizon: bigint }> {
    const where = orderWhere(filter);
    const rows = await this.database.query<OrderRow & { counted: number; horizon: string }>(
      orderChanges(where, after, limit, countLimit + 1),
    );
    const orders = ordersOf(rows).map((order, index) => ({
      ...order,
      position: { changeSeq: BigInt(rows[index]!.changeSeq), id: order.id },
    }));
    const horizon = BigInt(rows[0]!.horizon);
    const total = await this.total(
      ordersWhere(remainingChanges(where, after, horizon)),
      rows[0]!.counted,
      countLimit,
      orders.length,
    );
    return { total, orders, horizon };
  }

  /** The exact count when it stayed under the limit, else the planner's estimate. */
  private async total(listed: ListedOrders, counted: number, countLimit: number, atLeast: number): Promise<OrderTotal> {
    if (counted <= countLimit) return { count: Math.max(counted, atLeast), exact: true };
    const [explained] = await this.database.query<{ 'QUERY PLAN': Array<{ Plan: { 'Plan Rows': number } }> }>(
      estimatedCount(listed),
    );
    const estimate = Math.round(explained!['QUERY PLAN'][0]!.Plan['Plan Rows']);
    return { count: Math.max(estimate, countLimit + 1, atLeast), exact: false };
  }
}

const LINE_FIELDS = [
  'articleNumber',
  'name',
  'count',
  'note',
  'priceGivenAs',
  'basePrice',
  'finalPrice',
  'vatRate',
  'vatValue',
  'originalBasePrice',
  'originalFinalPrice',
  'originalVatRate',
  'originalVatValue',
  'orderDiscount',
  'total',
] as const satisfies ReadonlyArray<keyof NewOrderItem>;

function lineDiffers(stored: OrderItemRecord, line: NewOrderItem): boolean {
  const discount = (given: NewOrderItem['discount']) => (given ? `${given.kind}:${given.value.toString()}` : '');
  return (
    discount(stored.discount) !== discount(line.discount) ||
    !sameMetadata(stored.metadata, line.metadata) ||
    LINE_FIELDS.some((field) => String(stored[field]) !== String(line[field]))
  );
}

/** The orders of a page's rows: none when the only row is the figures' row of an empty page. */
function ordersOf(rows: OrderRow[]): OrderRecord[] {
  return rows.filter((row) => row.id !== null).map(toOrderRecord);
}
