import { Injectable } from '@nestjs/common';
import { Decimal } from '../common/money/money.js';
import { type Db, PrismaService } from '../database/prisma.service.js';
import { Prisma } from '../generated/prisma/client.js';
import {
  type OrderRow,
  estimatedCount,
  insertOrder,
  orderById,
  orderChanges,
  orderPage,
  orderWhere,
  remainingChanges,
  toOrderRecord,
} from './order-queries.js';
import type {
  ChangePosition,
  ItemPatch,
  NewOrder,
  NewOrderItem,
  OrderItemRecord,
  OrderListFilter,
  OrderPatch,
  OrderRecord,
  OrderSortKey,
  OrderTotal,
} from './order.types.js';

// Every database call about orders, their lines, parcels and payments: the statements of
// order-queries.ts for the reads and the insert of an order, Prisma for the other writes. Methods
// that may run in a transaction take it (`Db`); the others read through the pool. All speak in
// the types of order.types.ts.

@Injectable()
export class OrdersRepository {
  constructor(private readonly prisma: PrismaService) {}

  /** One order, read outside any transaction (straight through the pool: see PrismaService.read). */
  async readById(id: number): Promise<OrderRecord | null> {
    const [row] = await this.prisma.read<OrderRow>(orderById(id));
    return row ? toOrderRecord(row) : null;
  }

  /** Whether the order exists (outside any transaction). */
  async exists(id: number): Promise<boolean> {
    return (await this.prisma.read(Prisma.sql`SELECT 1 FROM orders WHERE id = ${id}`)).length > 0;
  }

  /** One order as a transaction sees it. */
  async findById(tx: Db, id: number): Promise<OrderRecord | null> {
    const [row] = await tx.$queryRaw<OrderRow[]>(orderById(id));
    return row ? toOrderRecord(row) : null;
  }

  /**
   * Locks the order row until the transaction ends, then reads the order: every change to an
   * order goes through here, so concurrent changes to one order run one after the other.
   */
  async lockById(tx: Db, id: number): Promise<OrderRecord | null> {
    const locked = await tx.$queryRaw<Array<{ id: number }>>`SELECT id FROM orders WHERE id = ${id} FOR UPDATE`;
    return locked.length === 0 ? null : this.findById(tx, id);
  }

  async findIdByExternalId(db: Db, prefix: string | null, externalId: string): Promise<number | null> {
    const row = await db.order.findUnique({
      where: {
        externalOrderPrefix_externalOrderId: { externalOrderPrefix: prefix ?? '', externalOrderId: externalId },
      },
      select: { id: true },
    });
    return row?.id ?? null;
  }

  /**
   * The order and its lines, in one statement (a create is on the hot path too); answers what
   * the database gave the order, the rest being what was given.
   */
  async insert(tx: Db, order: NewOrder): Promise<{ id: number; version: number }> {
    const [created] = await tx.$queryRaw<[{ id: number; version: number }]>(insertOrder(order));
    return created;
  }

  async patch(tx: Db, id: number, patch: OrderPatch): Promise<void> {
    await tx.order.update({ where: { id }, data: { ...patch, version: { increment: 1 } } });
  }

  async insertItem(tx: Db, orderId: number, item: NewOrderItem): Promise<OrderItemRecord> {
    return toItemRecord(await tx.orderItem.create({ data: { orderId, ...itemData(item) } }));
  }

  async patchItem(tx: Db, itemId: number, patch: ItemPatch): Promise<void> {
    await tx.orderItem.update({ where: { id: itemId }, data: patch });
  }

  async deleteItem(tx: Db, itemId: number): Promise<void> {
    await tx.orderItem.delete({ where: { id: itemId } });
  }

  async insertTracking(tx: Db, orderId: number, shipperId: number, trackingNumber: string): Promise<number> {
    const row = await tx.tracking.create({ data: { orderId, shipperId, trackingNumber }, select: { id: true } });
    return row.id;
  }

  async findPaymentAmount(db: Db, orderId: number, externalPaymentId: string): Promise<Decimal | null> {
    const row = await db.orderPayment.findUnique({
      where: { orderId_externalPaymentId: { orderId, externalPaymentId } },
      select: { amount: true },
    });
    return row ? new Decimal(row.amount.toString()) : null;
  }

  /** The external ids of the order's recorded payments. */
  async paymentReferences(db: Db, orderId: number): Promise<string[]> {
    const rows = await db.orderPayment.findMany({ where: { orderId }, select: { externalPaymentId: true } });
    return rows.map((row) => row.externalPaymentId);
  }

  async insertPayment(
    tx: Db,
    payment: { orderId: number; externalPaymentId: string; amount: Decimal; url: string | null },
  ): Promise<void> {
    await tx.orderPayment.create({ data: payment });
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
    const where = orderWhere(filter);
    const rows = await this.prisma.read<OrderRow & { counted: number }>(
      orderPage(where, sort, offset, limit, countLimit + 1),
    );
    const orders = ordersOf(rows);
    const total = await this.total(where, rows[0]!.counted, countLimit, offset + orders.length);
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
    const rows = await this.prisma.read<OrderRow & { counted: number; horizon: string }>(
      orderChanges(where, after, limit, countLimit + 1),
    );
    const orders = ordersOf(rows).map((order, index) => ({
      ...order,
      position: { changeSeq: BigInt(rows[index]!.changeSeq), id: order.id },
    }));
    const horizon = BigInt(rows[0]!.horizon);
    const total = await this.total(
      remainingChanges(where, after, horizon),
      rows[0]!.counted,
      countLimit,
      orders.length,
    );
    return { total, orders, horizon };
  }

  /** The exact count when it stayed under the limit, else the planner's estimate. */
  private async total(where: Prisma.Sql, counted: number, countLimit: number, atLeast: number): Promise<OrderTotal> {
    if (counted <= countLimit) return { count: Math.max(counted, atLeast), exact: true };
    const [explained] = await this.prisma.read<{ 'QUERY PLAN': Array<{ Plan: { 'Plan Rows': number } }> }>(
      estimatedCount(where),
    );
    const estimate = Math.round(explained!['QUERY PLAN'][0]!.Plan['Plan Rows']);
    return { count: Math.max(estimate, countLimit + 1, atLeast), exact: false };
  }
}

/** The orders of a page's rows: none when the only row is the figures' row of an empty page. */
function ordersOf(rows: OrderRow[]): OrderRecord[] {
  return rows.filter((row) => row.id !== null).map(toOrderRecord);
}

function itemData(item: NewOrderItem) {
  return {
    ...item,
    originalBasePrice: item.basePrice,
    originalFinalPrice: item.finalPrice,
    originalVatRate: item.vatRate,
    originalVatValue: item.vatValue,
  };
}

const decimal = (value: Prisma.Decimal): Decimal => new Decimal(value.toString());

function toItemRecord(row: Prisma.OrderItemGetPayload<object>): OrderItemRecord {
  return {
    id: row.id,
    orderId: row.orderId,
    articleNumber: row.articleNumber,
    name: row.name,
    count: row.count,
    note: row.note,
    priceGivenAs: row.priceGivenAs as OrderItemRecord['priceGivenAs'],
    basePrice: decimal(row.basePrice),
    finalPrice: decimal(row.finalPrice),
    vatRate: decimal(row.vatRate),
    vatValue: decimal(row.vatValue),
    originalBasePrice: decimal(row.originalBasePrice),
    originalFinalPrice: decimal(row.originalFinalPrice),
    originalVatRate: decimal(row.originalVatRate),
    originalVatValue: decimal(row.originalVatValue),
  };
}
