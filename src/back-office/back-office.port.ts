import type { Decimal } from '../common/money/money.js';

// The back office as the gateway needs it, in the gateway's terms. MplusKASSA is one
// implementation (src/mplus); nothing outside it knows about SOAP, cents or result codes.
//
// Every call answers an Outcome rather than throwing, so the sync worker can choose between
// retrying later, stopping with a reason, and carrying on.

/** The back office did what was asked (or it had been done already). */
export interface Accepted<T> {
  kind: 'accepted';
  value: T;
}

/** It will not work by trying again: the back office said no, or the request is wrong. */
export interface Rejected {
  kind: 'rejected';
  /** The back office's own result or fault code, e.g. CREATE-ORDER-RESULT-FAILED. */
  code: string;
  message: string;
}

/** It may work later: the back office could not be reached or had trouble. */
export interface Retryable {
  kind: 'retryable';
  reason: string;
  /** The request was sent in full, so a write may have taken effect: look before repeating it. */
  ambiguous?: boolean;
}

export type Outcome<T> = Accepted<T> | Rejected | Retryable;

export const accepted = <T>(value: T): Accepted<T> => ({ kind: 'accepted', value });
export const rejected = (code: string, message: string): Rejected => ({ kind: 'rejected', code, message });

export interface PostalAddress {
  name: string | null;
  companyName: string | null;
  street: string | null;
  zip: string | null;
  city: string | null;
  /** ISO 3166-1 alpha-2. */
  country: string | null;
}

export interface BackOfficeCustomer {
  email: string | null;
  name: string | null;
  companyName: string | null;
  phone: string | null;
  vatNumber: string | null;
  companyNumber: string | null;
}

export interface BackOfficeLine {
  articleNumber: string | null;
  name: string;
  count: number;
  /** Unit price with VAT before any discount, in the order currency. */
  unitPrice: Decimal;
  /** VAT rate in percent. */
  vatRate: Decimal;
  /** Taken off the line as a whole, with VAT: its own discount on every unit and its share of the order's. */
  discount: Decimal;
}

/** A fee the order charges: a line of one unit on the article the back office keeps for it. */
export interface BackOfficeFee {
  kind: 'shipping' | 'payment';
  /** With VAT. */
  amount: Decimal;
  vatRate: Decimal;
}

/** An order as the gateway wants the back office to hold it. */
export interface BackOfficeOrder {
  /** Stable per order and unique: what makes a repeated create find the first one. */
  externalId: string;
  /** A human reference: the gateway's order number and the client's external id. */
  reference: string;
  dateOrder: Date;
  currency: string;
  customer: BackOfficeCustomer;
  billingAddress: PostalAddress;
  deliveryAddress: PostalAddress;
  lines: BackOfficeLine[];
  fees: BackOfficeFee[];
  shippingMethodId: number | null;
  paymentMethodId: number | null;
}

export interface BackOfficePayment {
  /** The payment gateway's id: what makes a repeated payment find the first one. */
  reference: string;
  amount: Decimal;
  paymentMethodId: number | null;
  /** Paid once the goods have left: the back office may invoice now. */
  final: boolean;
}

export interface BackOfficeRefund {
  /** The refund's id: what makes a repeated refund find the first one. */
  reference: string;
  /** With VAT. */
  amount: Decimal;
  /** The back office has invoiced the order: the refund credits the invoice; otherwise it pays the amount back. */
  invoiced: boolean;
  paymentMethodId: number | null;
}

export interface RefundMethod {
  method: string;
  /** Why a refund on it would be refused (it takes no negative amounts); null when nothing says so. */
  problem: string | null;
}

/** An order as the back office reports it. */
export interface BackOfficeOrderState {
  backOfficeOrderId: string;
  /** Our externalId when the gateway created it; whatever the till wrote (or null) otherwise. */
  externalId: string | null;
  createdAt: Date;
  customer: { email: string | null; name: string | null };
  lines: Array<{
    articleNumber: string;
    name: string;
    count: number;
    unitPrice: Decimal;
    vatRate: Decimal;
    /** Taken off the line as a whole, with VAT. */
    discount: Decimal;
  }>;
  total: Decimal;
  delivered: boolean;
  canceled: boolean;
  payments: Array<{ id: string; reference: string | null; amount: Decimal; method: string }>;
}

export interface ChangedOrders {
  orders: BackOfficeOrderState[];
  /** Where to continue from; equal to the marker given when nothing changed. */
  marker: string;
  /** False when the back office has more changes right away. */
  caughtUp: boolean;
}

/** An article of the back office's catalogue, as order lines are checked against it. */
export interface CatalogueArticle {
  articleNumber: string;
  productNumber: string;
  name: string;
  active: boolean;
  /** VAT rate in percent; null when the back office gives none it can be read from. */
  vatRate: Decimal | null;
  /** Unit price with VAT, in the administration's currency. */
  priceIncl: Decimal | null;
  pluNumber: string | null;
  /** The back office's marker of the article's product when it was read. */
  syncMarker: string;
}

export interface ChangedArticles {
  articles: CatalogueArticle[];
  /** Where to continue from; equal to the marker given when nothing changed. */
  marker: string;
  /** False when the back office has more changes right away. */
  caughtUp: boolean;
}

export interface DeliveryMethod {
  code: string;
  description: string;
  enabled: boolean;
}

export interface OrderCategory {
  number: number;
  description: string;
  allowCancel: boolean;
}

/** What the gateway knows of earlier tries of a change. */
export interface Attempt {
  /**
   * The change was never sent before (the gateway records each first send before it is made), so
   * the back office cannot have it: nothing to look for first. Left out: it may have been.
   */
  first: boolean;
}

export interface BackOfficePort {
  /** Creates the order, or (unless this is the first try) finds the one a previous try created. */
  createOrder(order: BackOfficeOrder, attempt?: Attempt): Promise<Outcome<{ backOfficeOrderId: string }>>;
  /** Replaces lines and addresses with the gateway's. */
  updateOrder(backOfficeOrderId: string, order: BackOfficeOrder): Promise<Outcome<void>>;
  /** Records the payment, unless (on a later try) a previous try did. */
  recordPayment(backOfficeOrderId: string, payment: BackOfficePayment, attempt?: Attempt): Promise<Outcome<void>>;
  /** Refunds money paid, unless (on a later try) a previous try did. */
  refund(backOfficeOrderId: string, refund: BackOfficeRefund, attempt?: Attempt): Promise<Outcome<void>>;
  markDelivered(backOfficeOrderId: string): Promise<Outcome<void>>;
  cancelOrder(backOfficeOrderId: string): Promise<Outcome<void>>;
  /** Orders created or changed in the back office after `marker` (null: from the beginning). */
  changedOrders(marker: string | null, limit: number): Promise<Outcome<ChangedOrders>>;
  /** Articles added or changed in the back office after `marker` (null: the whole catalogue), up to `limit` products. */
  changedArticles(marker: string | null, limit: number): Promise<Outcome<ChangedArticles>>;
  /** Those of these articles the back office has, as it has them now. */
  findArticles(articleNumbers: string[]): Promise<Outcome<CatalogueArticle[]>>;
  /**
   * The method a refund of an order not invoiced yet would be paid back with (a negative
   * payment), for an order of this gateway payment method id, and whether the back office takes it.
   */
  refundMethod(paymentMethodId: number | null): Promise<Outcome<RefundMethod>>;
  deliveryMethods(): Promise<Outcome<DeliveryMethod[]>>;
  orderCategories(): Promise<Outcome<OrderCategory[]>>;
  /** Whether the back office answers, and its version. */
  version(): Promise<Outcome<string>>;
  close(): void;
}

export const BACK_OFFICE = Symbol('BACK_OFFICE');
