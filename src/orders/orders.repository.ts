import { Injectable } from '@nestjs/common';
import { Decimal } from '../common/money/money.js';
import type { Db } from '../database/prisma.service.js';
import { Prisma } from '../generated/prisma/client.js';
import { type SyncStatus, toSyncRecord } from '../outbox/outbox.repository.js';
import { toStatusRecord } from '../statuses/statuses.repository.js';
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
  TrackingRecord,
} from './order.types.js';

// Every Prisma call about orders, their lines, parcels and payments. Methods take a client or a
// transaction (`Db`) and speak in the types of order.types.ts.

const WITH_LINES = {
  items: { orderBy: { id: 'asc' } },
  trackings: { orderBy: { id: 'asc' }, include: { shipper: { select: { trackingUrlTemplate: true } } } },
  status: true,
  sync: true,
  // One unprocessed event is enough to know the order is pending.
  syncEvents: { where: { processedAt: null }, select: { id: true }, take: 1 },
} satisfies Prisma.OrderInclude;

type OrderRow = Prisma.OrderGetPayload<{ include: typeof WITH_LINES }>;

@Injectable()
export class OrdersRepository {
  async findById(db: Db, id: number): Promise<OrderRecord | null> {
    const row = await db.order.findUnique({ where: { id }, include: WITH_LINES });
    return row && toOrderRecord(row);
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

  async insert(tx: Db, order: NewOrder): Promise<OrderRecord> {
    const { items, externalOrderPrefix, ...fields } = order;
    const row = await tx.order.create({
      data: {
        ...fields,
        emailNormalized: fields.email?.toLowerCase() ?? null,
        externalOrderPrefix: externalOrderPrefix ?? '',
        items: { create: items.map(itemData) },
      },
      include: WITH_LINES,
    });
    return toOrderRecord(row);
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

  /** One page of orders, and how many match in all. */
  async page(
    db: Db,
    filter: OrderListFilter,
    sort: { key: OrderSortKey; descending: boolean },
    offset: number,
    limit: number,
  ): Promise<{ total: number; orders: OrderRecord[] }> {
    const where = toWhere(filter);
    const direction = sort.descending ? 'desc' : 'asc';
    const [total, rows] = await Promise.all([
      db.order.count({ where }),
      db.order.findMany({
        where,
        orderBy: sort.key === 'id' ? [{ id: direction }] : [{ [sort.key]: direction }, { id: direction }],
        skip: offset,
        take: limit,
        include: WITH_LINES,
      }),
    ]);
    return { total, orders: rows.map(toOrderRecord) };
  }

  /**
   * Orders changed after `after`, in the order their changes committed, up to `horizon`: the
   * oldest transaction still running. Everything before the horizon has committed or aborted,
   * so a later read from the last position cannot miss an order that commits late.
   */
  async changes(
    db: Db,
    filter: OrderListFilter,
    after: ChangePosition | null,
    limit: number,
  ): Promise<{ total: number; orders: Array<OrderRecord & { position: ChangePosition }>; horizon: bigint }> {
    const [{ horizon }] = await db.$queryRaw<[{ horizon: string }]>`
      SELECT pg_snapshot_xmin(pg_current_snapshot())::text AS horizon`;
    const where: Prisma.OrderWhereInput = {
      AND: [
        toWhere(filter),
        { changeSeq: { lt: BigInt(horizon) } },
        after
          ? { OR: [{ changeSeq: { gt: after.changeSeq } }, { changeSeq: after.changeSeq, id: { gt: after.id } }] }
          : {},
      ],
    };
    const [total, rows] = await Promise.all([
      db.order.count({ where }),
      db.order.findMany({ where, orderBy: [{ changeSeq: 'asc' }, { id: 'asc' }], take: limit, include: WITH_LINES }),
    ]);
    return {
      total,
      orders: rows.map((row) => ({ ...toOrderRecord(row), position: { changeSeq: row.changeSeq, id: row.id } })),
      horizon: BigInt(horizon),
    };
  }
}

function toWhere(filter: OrderListFilter): Prisma.OrderWhereInput {
  return {
    channelId: filter.channelId,
    companyId: filter.companyId,
    customerId: filter.customerId,
    done: filter.done,
    canceled: filter.canceled,
    statusId: filter.statusId,
    dateOrder: filter.from || filter.to ? { gte: filter.from, lte: filter.to } : undefined,
    updatedAt: filter.updatedSince ? { gte: filter.updatedSince } : undefined,
    emailNormalized: filter.emailNormalized,
    externalOrderId: filter.externalOrderId,
    ...syncStatusWhere(filter.syncStatus),
    trackings: filter.trackingNumber ? { some: { trackingNumber: filter.trackingNumber } } : undefined,
  };
}

/** The sync status filter: failed and retrying are stored; pending and synced follow from the outbox. */
function syncStatusWhere(status: SyncStatus | undefined): Prisma.OrderWhereInput {
  switch (status) {
    case 'failed':
    case 'retrying':
      return { sync: { status } };
    case 'pending':
      return { sync: { status: 'ok' }, syncEvents: { some: { processedAt: null } } };
    case 'synced':
      return { sync: { status: 'ok' }, syncEvents: { none: { processedAt: null } } };
    case undefined:
      return {};
  }
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

function toTrackingRecord(row: OrderRow['trackings'][number]): TrackingRecord {
  return {
    id: row.id,
    shipperId: row.shipperId,
    trackingNumber: row.trackingNumber,
    trackingUrlTemplate: row.shipper.trackingUrlTemplate,
  };
}

function toOrderRecord(row: OrderRow): OrderRecord {
  const { items, trackings, status, sync, syncEvents, emailNormalized: _normalized, changeSeq: _seq, ...fields } = row;
  return {
    ...fields,
    currencyRate: fields.currencyRate && decimal(fields.currencyRate),
    money: decimal(fields.money),
    paid: decimal(fields.paid),
    externalOrderPrefix: fields.externalOrderPrefix || null,
    source: fields.source as OrderRecord['source'],
    sync: sync && toSyncRecord(sync),
    syncPending: syncEvents.length > 0,
    status: status && toStatusRecord(status),
    items: items.map(toItemRecord),
    trackings: trackings.map(toTrackingRecord),
  };
}
