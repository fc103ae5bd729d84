import type { Decimal } from '../common/money/money.js';
import type { OrderSyncRecord, SyncStatus } from '../outbox/order-sync.repository.js';
import type { OrderStatusRecord } from '../statuses/statuses.repository.js';
import type { LifecycleFlags } from './order-lifecycle.js';
import type { GivenDiscount, OrderDiscount, OrderFigures } from './order-money.js';
import type { PriceGivenAs, UnitPrice } from './order-pricing.js';

// The order as the code sees it: camelCase, decimal.js amounts, no Prisma types. Repositories
// return these and take the New*/Patch types below; mappers turn them into the wire format.

/** The caller's own data on an order or a line: string keys and values (see order-metadata.ts). */
export type Metadata = Record<string, string>;

export interface OrderItemRecord {
  id: number;
  orderId: number;
  articleNumber: string | null;
  name: string;
  count: number;
  note: string | null;
  priceGivenAs: PriceGivenAs;
  basePrice: Decimal;
  finalPrice: Decimal;
  vatRate: Decimal;
  vatValue: Decimal;
  originalBasePrice: Decimal;
  originalFinalPrice: Decimal;
  originalVatRate: Decimal;
  originalVatValue: Decimal;
  /** The discount per unit as given; the prices above are after it, the original ones before. */
  discount: GivenDiscount | null;
  /** The line's share of the order's discount, with VAT. */
  orderDiscount: Decimal;
  /** What the line costs, with VAT. */
  total: Decimal;
  metadata: Metadata;
}

export interface TrackingRecord {
  id: number;
  shipperId: number;
  trackingNumber: string;
  trackingUrlTemplate: string;
}

export type PaymentStatus = 'success' | 'denied' | 'canceled' | 'unknown';

/** A payment a gateway reported under its payment_id, with the latest status it reported. */
export interface PaymentRecord {
  id: number;
  externalPaymentId: string;
  amount: Decimal;
  url: string | null;
  status: PaymentStatus;
  method: string | null;
  createdAt: Date;
  updatedAt: Date;
}

export interface RefundLine {
  itemId: number;
  count: number;
}

export interface RefundRecord {
  id: number;
  refundId: string;
  amount: Decimal;
  reason: string | null;
  lines: RefundLine[];
  createdAt: Date;
}

/** What an order's money is made of besides its lines: the client's discount and fees. */
export interface OrderMoneyFields {
  discount: OrderDiscount | null;
  shippingPrice: UnitPrice | null;
  paymentPrice: UnitPrice | null;
}

/** The fields of an order a client gives or the gateway sets, without its lines and parcels. */
export interface OrderFields {
  customerId: number | null;
  companyId: number | null;
  channelId: number | null;
  shippingId: number | null;
  paymentId: number | null;
  dateOrder: Date;
  dateMaturity: Date | null;
  email: string | null;
  phone: string | null;
  name: string | null;
  street: string | null;
  city: string | null;
  zip: string | null;
  stateCode: string | null;
  companyName: string | null;
  companyNr: string | null;
  companyVat: string | null;
  deliveryName: string | null;
  deliveryStreet: string | null;
  deliveryCity: string | null;
  deliveryZip: string | null;
  deliveryStateCode: string | null;
  deliveryPhone: string | null;
  deliveryEmail: string | null;
  note: string | null;
  ourNote: string | null;
  ip: string | null;
  domain: string | null;
  mainCurrencyCode: string;
  orderCurrencyCode: string;
  currencyRate: Decimal | null;
  externalOrderPrefix: string | null;
  externalOrderId: string | null;
  metadata: Metadata;
}

export interface OrderRecord extends OrderFields, OrderMoneyFields, LifecycleFlags {
  id: number;
  hash: string;
  /** The total, with VAT: figures.total. */
  money: Decimal;
  figures: OrderFigures;
  /** What the successful payments add up to. */
  paid: Decimal;
  refunded: Decimal;
  /** MplusKASSA has invoiced the order: its final payment was forwarded. */
  invoiced: boolean;
  datePaid: Date | null;
  statusId: number | null;
  status: OrderStatusRecord | null;
  externalPaymentId: string | null;
  externalPaymentUrl: string | null;
  /** api (made through the gateway) or mplus (rung up at the till and imported). */
  source: 'api' | 'mplus';
  sync: OrderSyncRecord | null;
  /** Events the back office has not taken yet. */
  syncPending: boolean;
  version: number;
  createdAt: Date;
  updatedAt: Date;
  /** When the order was archived (LifecycleFlags.archived), or null. */
  deletedAt: Date | null;
  items: OrderItemRecord[];
  trackings: TrackingRecord[];
  payments: PaymentRecord[];
  refunds: RefundRecord[];
}

export type NewOrderItem = Omit<OrderItemRecord, 'id' | 'orderId'>;

export interface NewOrder extends OrderFields, OrderMoneyFields {
  hash: string;
  source: 'api' | 'mplus';
  paid?: Decimal;
  datePaid?: Date | null;
  sent?: boolean;
  delivered?: boolean;
  canceled?: boolean;
  money: Decimal;
  figures: OrderFigures;
  items: NewOrderItem[];
}

/** What a change may set on the order row itself; the version is incremented by every patch. */
export type OrderPatch = Partial<
  Pick<
    OrderRecord,
    | 'money'
    | 'figures'
    | 'discount'
    | 'shippingPrice'
    | 'paymentPrice'
    | 'paid'
    | 'refunded'
    | 'invoiced'
    | 'datePaid'
    | 'statusId'
    | 'sent'
    | 'delivered'
    | 'done'
    | 'canceled'
    | 'externalPaymentId'
    | 'externalPaymentUrl'
    | 'deliveryName'
    | 'deliveryStreet'
    | 'deliveryCity'
    | 'deliveryZip'
    | 'deliveryStateCode'
    | 'deliveryPhone'
    | 'deliveryEmail'
    | 'metadata'
    | 'archived'
  >
>;

/** A line as a change leaves it: written whole (its money follows from the whole order's). */
export type ChangedLine = Omit<OrderItemRecord, 'orderId'>;

export interface OrderListFilter {
  channelId?: number;
  companyId?: number;
  customerId?: number;
  done?: boolean;
  canceled?: boolean;
  statusId?: number;
  from?: Date;
  to?: Date;
  trackingNumber?: string;
  emailNormalized?: string;
  externalOrderId?: string;
  syncStatus?: SyncStatus;
  updatedSince?: Date;
  orderId?: number;
  /** The external id again (its Kwik name): both apply when both are given. */
  orderReference?: string;
  /** The status id again (its Kwik name). */
  orderStatusId?: number;
  /** Orders in this lifecycle state (see lifecycleState): the Kwik fulfillment status. */
  lifecycleState?: FulfillmentState;
  /** Orders whose metadata has every one of these keys with its value. */
  metadata?: Metadata;
  /** The note contains this, case-insensitively. */
  noteContains?: string;
  amountTotal?: Decimal;
  /** Dates (YYYY-MM-DD) in `timeZone`, both days included. */
  dateStart?: string;
  dateEnd?: string;
  timeZone?: string;
  /** Archived orders are listed too. */
  withArchived?: boolean;
}

/** How many orders a list matches: counted, or estimated when counting would cost too much. */
export interface OrderTotal {
  count: number;
  exact: boolean;
}

export type OrderSortKey = 'dateOrder' | 'id' | 'updatedAt';

/** A position in the changes feed: after the order `id` changed by transaction `changeSeq`. */
export interface ChangePosition {
  changeSeq: bigint;
  id: number;
}

/** The lifecycle states a list can be filtered on: every one but archived (see `archived`). */
export const FULFILLMENT_STATES = ['open', 'sent', 'delivered', 'done', 'canceled'] as const;
export type FulfillmentState = (typeof FULFILLMENT_STATES)[number];
