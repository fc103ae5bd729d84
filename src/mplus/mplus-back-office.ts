import {
  type Attempt,
  type BackOfficeCustomer,
  type BackOfficeOrder,
  type BackOfficeOrderState,
  type BackOfficePayment,
  type BackOfficePort,
  type BackOfficeRefund,
  type RefundMethod,
  type CatalogueArticle,
  type ChangedArticles,
  type ChangedOrders,
  type DeliveryMethod,
  type OrderCategory,
  type Outcome,
  type PostalAddress,
  accepted,
  rejected,
} from '../back-office/back-office.port.js';
import { LRUCache } from 'lru-cache';
import { Decimal } from '../common/money/money.js';
import { fromMplusDateTime, toMplusDate, toMplusDateTime } from './mplus-time.js';
import type { MplusSoapClient } from './soap/mplus-soap.client.js';
import type {
  MplusAddress,
  MplusApiVersion,
  MplusDeliveryMethod,
  MplusLine,
  MplusOrder,
  MplusOrderCategory,
  MplusPayment,
  MplusPaymentMethod,
  MplusProduct,
  MplusRelation,
  MplusVatGroup,
} from './soap/mplus.types.js';

// The back office as MplusKASSA: the port's calls as sequences of SOAP operations, with the
// rules an integrator expects (those of APIcenter's connector):
//   - a create first looks for the order by extOrderId and adopts it, so a retry after a
//     timeout never makes a second order; EXT-ORDER-ID-ALREADY-EXISTS is adopted the same way;
//   - the relation is found by e-mail (exact match), created when missing (a company name makes
//     a company relation with the person as contact) and updated when name or address changed;
//     orders without an e-mail go to the configured default relation;
//   - every article must exist, and every VAT rate must have a VAT group;
//   - updates send the whole order (lines replaced), echoing the version read just before;
//   - a payment first looks at the order's payments, so a retried payment is not paid twice;
//   - discounts go on the line (discountAmount off the line as a whole, DISCOUNT-TYPE-EXTERNAL-
//     DISCOUNT), fees are lines of one unit on their configured articles;
//   - a refund of an invoiced order credits the invoice (creditInvoice, which credits it whole);
//     a refund of an order not invoiced (a deposit) is a negative payment (payOrder prepay=true)
//     on a method that allows negative amounts, found again by its externalPaymentId.

export interface MplusSettings {
  employeeNumber: number;
  branchNumber: number;
  /** The administration's currency; orders in others are refused. */
  currency: string;
  defaultPaymentMethod: string;
  /** Gateway payment method id (an order's `payment`) → MplusKASSA payment method code. */
  paymentMethods: ReadonlyMap<number, string>;
  /** Gateway shipping id (an order's `shipping`) → MplusKASSA delivery method code. */
  deliveryMethods: ReadonlyMap<number, string>;
  orderCategoryNumber: number | null;
  /** The default debtor: the relation of orders without an e-mail, or of every order (policy always). */
  defaultRelationNumber: number | null;
  defaultRelationPolicy: 'no-email' | 'always';
  /** Gateway payment method id → the payment term (days) the customer's relation gets. */
  paymentTerms: ReadonlyMap<number, number>;
  /** Articles the shipping and payment fees are entered on (null: not configured). */
  shippingArticleNumber: number | null;
  paymentFeeArticleNumber: number | null;
  /** Payment method a refund of an order not invoiced is paid back with; '' for its first payment's. */
  refundPaymentMethod: string;
}

type Raw = Record<string, unknown>;

const VAT_CACHE_MS = 10 * 60_000;

/**
 * How long a relation found or written for an e-mail is taken for granted: orders of a customer
 * seen within this time go to that relation without asking MplusKASSA, as long as the name and
 * address they carry are what was last written. Changed at the till meanwhile, the relation
 * keeps what the till made of it until then; a refused order forgets it at once.
 */
const CUSTOMER_CACHE_MS = 10 * 60_000;
/** Likewise for articles found to exist: a refused order forgets its articles. */
const ARTICLE_CACHE_MS = 10 * 60_000;
const CACHE_ENTRIES = 10_000;

/** The mapping of `MAYBE_SENT`: without word of earlier tries, a change may have gone through. */
const MAYBE_SENT: Attempt = { first: false };

export class MplusBackOffice implements BackOfficePort {
  /** MplusKASSA's VAT groups by rate and by code (see VAT_CACHE_MS). */
  private readonly vatTables = new CachedRead(() => this.readVatTables(), VAT_CACHE_MS);
  /** Its payment methods, for refunds (see VAT_CACHE_MS). */
  private readonly paymentMethodList = new CachedRead(() => this.readPaymentMethods(), VAT_CACHE_MS);
  /** Relations by normalized e-mail, as last found or written (see CUSTOMER_CACHE_MS). */
  private readonly customers = new LRUCache<string, { relationNumber: number; relation: MplusRelation }>({
    max: CACHE_ENTRIES,
    ttl: CUSTOMER_CACHE_MS,
  });
  /** Article numbers MplusKASSA has (see ARTICLE_CACHE_MS). */
  private readonly articles = new LRUCache<number, true>({ max: CACHE_ENTRIES, ttl: ARTICLE_CACHE_MS });
  /** Article lookups in flight, by article number. */
  private readonly articleLookups = new Map<number, Promise<Outcome<Set<number>>>>();

  constructor(
    private readonly client: MplusSoapClient,
    private readonly settings: MplusSettings,
  ) {}

  async createOrder(
    order: BackOfficeOrder,
    attempt: Attempt = MAYBE_SENT,
  ): Promise<Outcome<{ backOfficeOrderId: string }>> {
    if (!attempt.first) {
      const existing = await this.findByExternalId(order.externalId);
      if (existing.kind !== 'accepted' || existing.value) {
        return existing.kind === 'accepted' ? accepted({ backOfficeOrderId: existing.value!.orderId }) : existing;
      }
    }
    const relationNumber = await this.resolveRelation(order.customer, order.billingAddress, order.paymentMethodId);
    if (relationNumber.kind !== 'accepted') return relationNumber;
    const mplusOrder = await this.toMplusOrder(order, { orderId: '' }, relationNumber.value);
    if (mplusOrder.kind !== 'accepted') return mplusOrder;

    const created = await this.client.call<{ result: string; info?: { orderId: string }; errorMessage: string }>(
      'createOrder',
      { order: mplusOrder.value },
    );
    if (created.kind !== 'accepted') return created;
    const { result, info, errorMessage } = created.value;
    if (result === 'CREATE-ORDER-RESULT-OK' && info?.orderId) return accepted({ backOfficeOrderId: info.orderId });
    if (result === 'CREATE-ORDER-RESULT-EXT-ORDER-ID-ALREADY-EXISTS') {
      const found = await this.findByExternalId(order.externalId);
      if (found.kind !== 'accepted') return found;
      if (found.value) return accepted({ backOfficeOrderId: found.value.orderId });
    }
    // What was taken for granted may be why: ask again next time.
    this.forgetCustomer(order.customer.email);
    for (const line of mplusOrder.value.lineList ?? []) this.articles.delete(line.articleNumber);
    return rejected(result, errorMessage || result);
  }

  async updateOrder(backOfficeOrderId: string, order: BackOfficeOrder): Promise<Outcome<void>> {
    // ORDER-HAS-CHANGED means someone changed it between our read and our write: read again.
    for (let attempt = 1; attempt <= 3; attempt += 1) {
      const current = await this.getOrder(backOfficeOrderId);
      if (current.kind !== 'accepted') return current;
      if (!current.value) {
        return rejected('UPDATE-ORDER-RESULT-NOT-FOUND', `MplusKASSA has no order ${backOfficeOrderId}`);
      }
      const { versionNumber, changeCounter, relationNumber } = current.value;
      const mplusOrder = await this.toMplusOrder(
        order,
        { orderId: backOfficeOrderId, versionNumber, changeCounter },
        relationNumber ?? null,
      );
      if (mplusOrder.kind !== 'accepted') return mplusOrder;
      const updated = await this.client.call<{ result: string; errorMessage: string }>('updateOrder', {
        order: mplusOrder.value,
      });
      if (updated.kind !== 'accepted') return updated;
      const { result, errorMessage } = updated.value;
      if (result === 'UPDATE-ORDER-RESULT-OK' || result === 'UPDATE-ORDER-RESULT-NO-CHANGES') {
        return accepted(undefined);
      }
      // Older servers said "no changes" this way.
      if (result === 'UPDATE-ORDER-RESULT-FAILED' && /no changes/i.test(errorMessage)) return accepted(undefined);
      if (result !== 'UPDATE-ORDER-RESULT-ORDER-HAS-CHANGED') return rejected(result, errorMessage || result);
    }
    return { kind: 'retryable', reason: 'updateOrder: the order kept changing in MplusKASSA (ORDER-HAS-CHANGED)' };
  }

  async recordPayment(
    backOfficeOrderId: string,
    payment: BackOfficePayment,
    attempt: Attempt = MAYBE_SENT,
  ): Promise<Outcome<void>> {
    if (!attempt.first) {
      const current = await this.getOrder(backOfficeOrderId);
      if (current.kind !== 'accepted') return current;
      if (!current.value) return rejected('PAY-ORDER-RESULT-FAILED', `MplusKASSA has no order ${backOfficeOrderId}`);
      if (current.value.paymentList?.some((one) => one.externalPaymentId === payment.reference)) {
        return accepted(undefined);
      }
    }
    const amount = this.cents(payment.amount);
    if (amount === null) return rejected('AMOUNT', `${payment.amount.toString()} is not a whole number of cents`);
    const method = this.paymentMethodOf(payment.paymentMethodId);
    // prepay: a deposit on an order not yet shipped; otherwise MplusKASSA also delivers and invoices.
    return this.pay(backOfficeOrderId, !payment.final, {
      method,
      description: `Payment ${payment.reference}`,
      amount,
      externalPaymentId: payment.reference,
    });
  }

  async refund(backOfficeOrderId: string, refund: BackOfficeRefund): Promise<Outcome<void>> {
    // The order is read whatever the attempt: what it holds says how to refund and whether a
    // previous try did already.
    const current = await this.getOrder(backOfficeOrderId);
    if (current.kind !== 'accepted') return current;
    const order = current.value;
    if (!order) return rejected('REFUND-FAILED', `MplusKASSA has no order ${backOfficeOrderId}`);
    if (refund.invoiced) {
      // creditInvoice adds the credit invoice to the order's invoices: a second one means done.
      const [invoiceId, ...credits] = order.invoiceIds ?? [];
      if (!invoiceId) {
        return rejected('NOT-INVOICED', `MplusKASSA has no invoice of order ${backOfficeOrderId} to credit.`);
      }
      if (credits.length > 0) return accepted(undefined);
      const credited = await this.client.call<{ result: string; message: string }>('creditInvoice', { invoiceId });
      if (credited.kind !== 'accepted') return credited;
      const { result, message } = credited.value;
      return result === 'CREDIT-INVOICE-RESULT-OK' ? accepted(undefined) : rejected(result, message || result);
    }
    const reference = `refund:${refund.reference}`;
    if (order.paymentList?.some((payment) => payment.externalPaymentId === reference)) return accepted(undefined);
    const amount = this.cents(refund.amount);
    if (amount === null) return rejected('AMOUNT', `${refund.amount.toString()} is not a whole number of cents`);
    const method = await this.refundMethodFor(order, refund);
    if (method.kind !== 'accepted') return method;
    return this.pay(backOfficeOrderId, true, {
      method: method.value,
      description: `Refund ${refund.reference}`,
      amount: -amount,
      externalPaymentId: reference,
    });
  }

  /** One payment (negative: paid back) by payOrder, at the configured branch and employee. */
  private async pay(
    orderId: string,
    prepay: boolean,
    payment: Pick<MplusPayment, 'method' | 'description' | 'amount' | 'externalPaymentId'>,
  ): Promise<Outcome<void>> {
    const { branchNumber, employeeNumber } = this.settings;
    const paid = await this.client.call<{ result: string; errorMessage: string }>('payOrder', {
      request: { orderId, prepay, paymentList: [{ ...payment, branchNumber, employeeNumber }] },
    });
    if (paid.kind !== 'accepted') return paid;
    const { result, errorMessage } = paid.value;
    if (result === 'PAY-ORDER-RESULT-OK') return accepted(undefined);
    if (result === 'PAY-ORDER-RESULT-ORDER-HAS-CHANGED') return { kind: 'retryable', reason: `payOrder: ${result}` };
    return rejected(result, errorMessage || result);
  }

  /**
   * The method a deposit is paid back with: MPLUS_REFUND_PAYMENT_METHOD, else the method of the
   * order's first payment when MplusKASSA allows negative amounts on it.
   */
  private async refundMethodFor(order: MplusOrder, refund: BackOfficeRefund): Promise<Outcome<string>> {
    if (this.settings.refundPaymentMethod) return accepted(this.settings.refundPaymentMethod);
    const first =
      order.paymentList?.find((payment) => payment.amount > 0)?.method ?? this.paymentMethodOf(refund.paymentMethodId);
    const negative = await this.takesNegativeAmounts(first);
    if (negative.kind !== 'accepted') return negative;
    return negative.value ? accepted(first) : rejected('NO-REFUND-METHOD', noNegativeAmounts(first));
  }

  async refundMethod(paymentMethodId: number | null): Promise<Outcome<RefundMethod>> {
    const method = this.settings.refundPaymentMethod || this.paymentMethodOf(paymentMethodId);
    const negative = await this.takesNegativeAmounts(method);
    if (negative.kind !== 'accepted') return negative;
    // A method MplusKASSA does not list (null) is left to payOrder to judge.
    return accepted({ method, problem: negative.value === false ? noNegativeAmounts(method) : null });
  }

  /** Whether MplusKASSA takes negative amounts on the method; null when it does not list it. */
  private async takesNegativeAmounts(method: string): Promise<Outcome<boolean | null>> {
    const listed = await this.paymentMethodList.get();
    if (listed.kind !== 'accepted') return listed;
    return accepted(listed.value.find((one) => one.method === method)?.allowNegativeAmount ?? null);
  }

  /** The MplusKASSA method of a gateway payment method id (MPLUS_PAYMENT_METHODS), else MPLUS_PAYMENT_METHOD. */
  private paymentMethodOf(paymentMethodId: number | null): string {
    return (
      (paymentMethodId !== null && this.settings.paymentMethods.get(paymentMethodId)) ||
      this.settings.defaultPaymentMethod
    );
  }

  async markDelivered(backOfficeOrderId: string): Promise<Outcome<void>> {
    const delivered = await this.client.call<{ result: string; errorMessage: string }>('deliverOrder', {
      request: { orderId: backOfficeOrderId },
    });
    if (delivered.kind !== 'accepted') return delivered;
    const { result, errorMessage } = delivered.value;
    if (result === 'DELIVER-ORDER-RESULT-OK' || result === 'DELIVER-ORDER-RESULT-ALREADY-DELIVERED') {
      return accepted(undefined);
    }
    return rejected(result, errorMessage || result);
  }

  async cancelOrder(backOfficeOrderId: string): Promise<Outcome<void>> {
    const canceled = await this.client.call<{ result: string; message: string }>('cancelOrder', {
      orderId: backOfficeOrderId,
    });
    if (canceled.kind !== 'accepted') return canceled;
    const { result, message } = canceled.value;
    if (
      ['CANCEL-ORDER-RESULT-OK', 'CANCEL-ORDER-RESULT-PENDING', 'CANCEL-ORDER-RESULT-ALREADY-CANCELLED'].includes(
        result,
      )
    ) {
      return accepted(undefined);
    }
    return rejected(result, message || result);
  }

  async changedOrders(marker: string | null, limit: number): Promise<Outcome<ChangedOrders>> {
    // A sync marker is an inclusive lower bound: continue from the highest one seen, plus one.
    const from = marker === null ? 1 : Number(marker) + 1;
    const listed = await this.client.call<{ orderList?: Raw[] }>('getOrders', {
      request: {
        syncMarker: from,
        syncMarkerLimit: limit,
        articlePluNumbers: [],
        articleBarcodes: [],
        includeLineList: true,
      },
    });
    if (listed.kind !== 'accepted') return listed;
    const orders = ((listed.value.orderList ?? []) as unknown as MplusOrder[]).sort(
      (a, b) => (a.syncMarker ?? 0) - (b.syncMarker ?? 0),
    );
    const vat = await this.vatTables.get();
    if (vat.kind !== 'accepted') return vat;
    const emails = new Map<number, string | null>();
    const states: BackOfficeOrderState[] = [];
    for (const order of orders) {
      let email: string | null = null;
      if (order.relationNumber) {
        if (!emails.has(order.relationNumber)) {
          const relation = await this.client.call<{ result: string; relation?: MplusRelation }>('getRelation', {
            relationNumber: order.relationNumber,
          });
          if (relation.kind !== 'accepted') return relation;
          emails.set(order.relationNumber, relation.value.relation?.email || null);
        }
        email = emails.get(order.relationNumber) ?? null;
      }
      states.push(this.toState(order, email, vat.value.rates));
    }
    const last = orders.at(-1)?.syncMarker;
    return accepted({
      orders: states,
      marker: last !== undefined ? String(last) : (marker ?? '0'),
      caughtUp: orders.length < limit,
    });
  }

  async changedArticles(marker: string | null, limit: number): Promise<Outcome<ChangedArticles>> {
    // The product is what carries the marker (an article's change gives its product a new one),
    // and a marker is an inclusive lower bound, as for orders.
    const from = marker === null ? 1 : Number(marker) + 1;
    const listed = await this.client.call<{ productList?: MplusProduct[] }>('getProducts', {
      request: { pluNumbers: [], syncMarker: from, syncMarkerLimit: limit },
    });
    if (listed.kind !== 'accepted') return listed;
    const products = (listed.value.productList ?? []).sort((a, b) => (a.syncMarker ?? 0) - (b.syncMarker ?? 0));
    const articles = await this.catalogueArticles(products);
    if (articles.kind !== 'accepted') return articles;
    const last = products.at(-1)?.syncMarker;
    return accepted({
      articles: articles.value,
      marker: last !== undefined ? String(last) : (marker ?? '0'),
      caughtUp: products.length < limit,
    });
  }

  async findArticles(articleNumbers: string[]): Promise<Outcome<CatalogueArticle[]>> {
    const listed = await this.client.call<{ productList?: MplusProduct[] }>('getProducts', {
      request: { articleNumbers: articleNumbers.map(Number), pluNumbers: [] },
    });
    if (listed.kind !== 'accepted') return listed;
    const wanted = new Set(articleNumbers.map((number) => String(Number(number))));
    const articles = await this.catalogueArticles(listed.value.productList ?? []);
    if (articles.kind !== 'accepted') return articles;
    // Filtering by article numbers still answers the enclosing products, with all their articles.
    return accepted(articles.value.filter((article) => wanted.has(article.articleNumber)));
  }

  /** The products' articles as the catalogue mirror keeps them. */
  private async catalogueArticles(products: MplusProduct[]): Promise<Outcome<CatalogueArticle[]>> {
    const vat = await this.vatTables.get();
    if (vat.kind !== 'accepted') return vat;
    const articles: CatalogueArticle[] = [];
    for (const product of products) {
      for (const article of product.articleList ?? []) {
        if (article.articleNumber === undefined) continue;
        const vatRate =
          article.vatPercentage !== undefined
            ? new Decimal(article.vatPercentage)
            : article.vatCode !== undefined
              ? (vat.value.rates.get(article.vatCode) ?? null)
              : null;
        articles.push({
          articleNumber: String(article.articleNumber),
          productNumber: String(product.productNumber ?? 0),
          name: article.description || product.description || `Article ${article.articleNumber}`,
          active: article.active !== false,
          vatRate,
          // MplusKASSA keeps prices in cents.
          priceIncl: article.priceIncl !== undefined ? new Decimal(article.priceIncl).dividedBy(100) : null,
          pluNumber: article.pluNumber || null,
          syncMarker: String(product.syncMarker ?? article.syncMarker ?? 0),
        });
      }
    }
    return accepted(articles);
  }

  async deliveryMethods(): Promise<Outcome<DeliveryMethod[]>> {
    const listed = await this.client.call<{ deliveryMethodList?: MplusDeliveryMethod[] }>('getDeliveryMethods', {});
    if (listed.kind !== 'accepted') return listed;
    return accepted(
      (listed.value.deliveryMethodList ?? []).map((method) => ({
        code: method.deliveryMethod,
        description: method.description,
        enabled: method.enabled ?? true,
      })),
    );
  }

  async orderCategories(): Promise<Outcome<OrderCategory[]>> {
    const listed = await this.client.call<{ orderCategory?: MplusOrderCategory[] }>('getOrderCategories', {});
    if (listed.kind !== 'accepted') return listed;
    return accepted(
      (listed.value.orderCategory ?? []).map((category) => ({
        number: category.orderCategoryNumber,
        description: category.orderCategoryDescription,
        allowCancel: category.allowCancel,
      })),
    );
  }

  async version(): Promise<Outcome<string>> {
    const answered = await this.client.call<MplusApiVersion & Raw>('getApiVersion', {});
    if (answered.kind !== 'accepted') return answered;
    const { majorNumber, minorNumber, revisionNumber } = answered.value;
    return accepted(`${majorNumber}.${minorNumber}.${revisionNumber}`);
  }

  close(): void {
    this.client.close();
  }

  // -------------------------------------------------------------------------------------------

  private async findByExternalId(extOrderId: string): Promise<Outcome<MplusOrder | null>> {
    const found = await this.client.call<{ result: string; order?: MplusOrder }>('findOrder', { extOrderId });
    if (found.kind !== 'accepted') return found;
    return accepted(found.value.result === 'GET-ORDER-RESULT-OK' && found.value.order ? found.value.order : null);
  }

  private async getOrder(orderId: string): Promise<Outcome<MplusOrder | null>> {
    const found = await this.client.call<{ result: string; order?: MplusOrder }>('getOrder', { orderId });
    if (found.kind !== 'accepted') return found;
    return accepted(found.value.result === 'GET-ORDER-RESULT-OK' && found.value.order ? found.value.order : null);
  }

  /** The relation number for the order's customer: found by e-mail, created or brought up to date. */
  private async resolveRelation(
    customer: BackOfficeCustomer,
    address: PostalAddress,
    paymentMethodId: number | null,
  ): Promise<Outcome<number>> {
    const fallback = this.settings.defaultRelationNumber;
    if (fallback !== null && (this.settings.defaultRelationPolicy === 'always' || !customer.email)) {
      return accepted(fallback);
    }
    if (!customer.email) {
      return rejected(
        'NO-RELATION',
        'The order has no e-mail and no default relation is configured (MPLUS_DEFAULT_RELATION_NUMBER).',
      );
    }
    const term = paymentMethodId !== null ? this.settings.paymentTerms.get(paymentMethodId) : undefined;
    const wanted = { ...relationFor(customer, address), ...(term !== undefined ? { paymentWithinDays: term } : {}) };
    const email = normalizedEmail(customer.email);
    const known = this.customers.get(email);
    if (known && !relationDiffers(known.relation, wanted)) return accepted(known.relationNumber);
    const resolved = await this.findOrWriteRelation(customer.email, wanted);
    if (resolved.kind === 'accepted') this.customers.set(email, resolved.value);
    return resolved.kind === 'accepted' ? accepted(resolved.value.relationNumber) : resolved;
  }

  /** The relation of this e-mail, brought up to date or created: its number and the relation as written. */
  private async findOrWriteRelation(
    email: string,
    wanted: MplusRelation,
  ): Promise<Outcome<{ relationNumber: number; relation: MplusRelation }>> {
    const found = await this.client.call<{ result: string; relation?: MplusRelation }>('findRelationV2', {
      request: { relation: { email }, exactMatch: true },
    });
    if (found.kind !== 'accepted') return found;
    const existing = found.value.result === 'FIND-RELATION-RESULT-OK' ? found.value.relation : undefined;
    if (existing?.relationNumber) {
      const relationNumber = existing.relationNumber;
      if (!relationDiffers(existing, wanted)) return accepted({ relationNumber, relation: existing });
      // Read, modify, write: whether the server keeps fields left out is not documented.
      const relation = { ...existing, ...wanted, relationNumber };
      const updated = await this.client.call<{ result: string; errorMessage: string }>('updateRelation', { relation });
      if (updated.kind !== 'accepted') return updated;
      if (updated.value.result !== 'UPDATE-RELATION-RESULT-OK') {
        return rejected(updated.value.result, updated.value.errorMessage || updated.value.result);
      }
      return accepted({ relationNumber, relation });
    }
    const created = await this.client.call<{ result: string; relationNumber: number; errorMessage: string }>(
      'createRelation',
      { relation: wanted },
    );
    if (created.kind !== 'accepted') return created;
    if (created.value.result !== 'CREATE-RELATION-RESULT-OK') {
      return rejected(created.value.result, created.value.errorMessage || created.value.result);
    }
    return accepted({ relationNumber: created.value.relationNumber, relation: wanted });
  }

  private forgetCustomer(email: string | null): void {
    if (email) this.customers.delete(normalizedEmail(email));
  }

  private async toMplusOrder(
    order: BackOfficeOrder,
    identity: Pick<MplusOrder, 'orderId' | 'versionNumber' | 'changeCounter'>,
    relationNumber: number | null,
  ): Promise<Outcome<MplusOrder>> {
    if (order.currency !== this.settings.currency) {
      return rejected('CURRENCY', `MplusKASSA keeps ${this.settings.currency}; this order is in ${order.currency}.`);
    }
    const withoutArticle = order.lines.find((line) => line.articleNumber === null);
    if (withoutArticle) {
      return rejected(
        'NO-ARTICLE-NUMBER',
        `The line "${withoutArticle.name}" has no article_number; MplusKASSA needs one on every line.`,
      );
    }
    const feeLines: Array<{
      articleNumber: number;
      name: string;
      count: number;
      unitPrice: Decimal;
      vatRate: Decimal;
      discount: Decimal;
    }> = [];
    for (const fee of order.fees) {
      const articleNumber =
        fee.kind === 'shipping' ? this.settings.shippingArticleNumber : this.settings.paymentFeeArticleNumber;
      if (articleNumber === null) {
        const setting = fee.kind === 'shipping' ? 'MPLUS_SHIPPING_ARTICLE_NUMBER' : 'MPLUS_PAYMENT_FEE_ARTICLE_NUMBER';
        return rejected('NO-FEE-ARTICLE', `The order has a ${fee.kind} fee and ${setting} is not set.`);
      }
      feeLines.push({
        articleNumber,
        name: fee.kind === 'shipping' ? 'Shipping' : 'Payment fee',
        count: 1,
        unitPrice: fee.amount,
        vatRate: fee.vatRate,
        discount: new Decimal(0),
      });
    }
    const lines = [...order.lines.map((line) => ({ ...line, articleNumber: Number(line.articleNumber) })), ...feeLines];
    const articles = await this.checkArticles(lines.map((line) => line.articleNumber));
    if (articles.kind !== 'accepted') return articles;
    const vat = await this.vatTables.get();
    if (vat.kind !== 'accepted') return vat;
    const lineList: MplusLine[] = [];
    for (const line of lines) {
      const vatCode = vat.value.codes.get(line.vatRate.toString());
      if (vatCode === undefined) {
        return rejected('NO-VAT-CODE', `MplusKASSA has no VAT group for ${line.vatRate.toString()}%.`);
      }
      const price = this.cents(line.unitPrice);
      if (price === null) return rejected('AMOUNT', `${line.unitPrice.toString()} is not a whole number of cents`);
      const discount = this.cents(line.discount);
      if (discount === null) return rejected('AMOUNT', `${line.discount.toString()} is not a whole number of cents`);
      lineList.push({
        articleNumber: line.articleNumber,
        text: line.name,
        // Always explicit: the server's default scale is undocumented (0 or 2 depending on the client).
        data: {
          quantity: line.count,
          decimalPlaces: 0,
          price,
          vatCode,
          ...(discount !== 0 ? { discountType: 'DISCOUNT-TYPE-EXTERNAL-DISCOUNT', discountAmount: discount } : {}),
        },
      });
    }
    const deliveryMethod =
      order.shippingMethodId !== null ? this.settings.deliveryMethods.get(order.shippingMethodId) : undefined;
    const { branchNumber, employeeNumber, orderCategoryNumber } = this.settings;
    return accepted({
      ...identity,
      extOrderId: order.externalId,
      orderType: 'ORDER-TYPE-SALES-ORDER',
      entryBranchNumber: branchNumber,
      employeeNumber,
      entryTimestamp: toMplusDateTime(order.dateOrder),
      ...(relationNumber !== null ? { relationNumber } : {}),
      deliveryAddress: mplusAddress(order.deliveryAddress),
      invoiceAddress: mplusAddress(order.billingAddress),
      financialDate: toMplusDate(order.dateOrder),
      financialBranchNumber: branchNumber,
      reference: order.reference,
      vatMethod: 'VAT-METHOD-INCLUSIVE',
      ...(deliveryMethod ? { deliveryMethod } : {}),
      ...(orderCategoryNumber !== null ? { orderCategoryNumber } : {}),
      lineList,
    });
  }

  private async checkArticles(articleNumbers: number[]): Promise<Outcome<void>> {
    const wanted = [...new Set(articleNumbers)].filter((number) => !this.articles.has(number));
    if (wanted.length === 0) return accepted(undefined);
    // Workers forwarding orders with the same articles at once ask MplusKASSA once between them.
    const fresh = wanted.filter((number) => !this.articleLookups.has(number));
    if (fresh.length > 0) {
      const lookup = this.lookUpArticles(fresh);
      for (const number of fresh) this.articleLookups.set(number, lookup);
      void lookup.finally(() => {
        for (const number of fresh) if (this.articleLookups.get(number) === lookup) this.articleLookups.delete(number);
      });
    }
    const known = new Set<number>();
    for (const lookup of new Set(
      wanted.map((number) => this.articleLookups.get(number) ?? this.lookUpArticles([number])),
    )) {
      const found = await lookup;
      if (found.kind !== 'accepted') return found;
      for (const number of found.value) known.add(number);
    }
    const missing = wanted.filter((number) => !known.has(number) && !this.articles.has(number));
    if (missing.length > 0) return rejected('UNKNOWN-ARTICLE', `MplusKASSA has no article ${missing.join(', ')}.`);
    return accepted(undefined);
  }

  /** The numbers of those articles MplusKASSA has, remembered as known (see ARTICLE_CACHE_MS). */
  private async lookUpArticles(numbers: number[]): Promise<Outcome<Set<number>>> {
    const found = await this.findArticles(numbers.map(String));
    if (found.kind !== 'accepted') return found;
    const known = new Set(found.value.map((article) => Number(article.articleNumber)));
    for (const number of known) this.articles.set(number, true);
    return accepted(known);
  }

  private async readVatTables(): Promise<Outcome<{ codes: Map<string, number>; rates: Map<number, Decimal> }>> {
    const listed = await this.client.call<{ vatGroup?: MplusVatGroup[] }>('getVatGroupList', {});
    if (listed.kind !== 'accepted') return listed;
    const codes = new Map<string, number>();
    const rates = new Map<number, Decimal>();
    for (const group of listed.value.vatGroup ?? []) {
      const rate = new Decimal(group.vatPercentage);
      if (!codes.has(rate.toString())) codes.set(rate.toString(), group.vatCode);
      rates.set(group.vatCode, rate);
    }
    return accepted({ codes, rates });
  }

  private async readPaymentMethods(): Promise<Outcome<MplusPaymentMethod[]>> {
    const listed = await this.client.call<{ paymentMethodList?: MplusPaymentMethod[] }>('getPaymentMethods', {});
    return listed.kind === 'accepted' ? accepted(listed.value.paymentMethodList ?? []) : listed;
  }

  private cents(amount: Decimal): number | null {
    const cents = amount.times(100);
    return cents.isInteger() ? cents.toNumber() : null;
  }

  private toState(order: MplusOrder, email: string | null, rates: Map<number, Decimal>): BackOfficeOrderState {
    return {
      backOfficeOrderId: order.orderId,
      externalId: order.extOrderId || null,
      createdAt: fromMplusDateTime(order.entryTimestamp) ?? new Date(),
      customer: { email, name: order.relationName || order.invoiceAddress?.name || null },
      lines: (order.lineList ?? []).map((line) => {
        const data = line.data ?? { quantity: 0 };
        return {
          articleNumber: String(line.articleNumber),
          name: line.text || `Article ${line.articleNumber}`,
          count: quantityOf(data),
          unitPrice: new Decimal(data.price ?? 0).dividedBy(100),
          discount: new Decimal(lineDiscount(data)).dividedBy(100),
          vatRate:
            data.vatPercentage !== undefined
              ? new Decimal(data.vatPercentage)
              : (rates.get(data.vatCode ?? -1) ?? new Decimal(0)),
        };
      }),
      total: new Decimal(order.totalInclAmount ?? 0).dividedBy(100),
      delivered: order.deliveryState === 'ORDER-DELIVERY-STATE-COMPLETE',
      canceled: order.cancelState === 'ORDER-CANCEL-STATE-COMPLETE',
      payments: (order.paymentList ?? []).map((payment, index) => ({
        id: payment.paymentId || `${order.orderId}-${index}`,
        reference: payment.externalPaymentId || null,
        amount: new Decimal(payment.amount).dividedBy(100),
        method: payment.method,
      })),
    };
  }
}

/**
 * How many units a line's quantity is. MplusKASSA writes an integer quantity and the number of
 * decimal places it has; where an answer leaves `decimalPlaces` out, it is read as 2, as
 * MplusKASSA's own generated client reads it (the gateway itself always sends it: 0).
 */
export const DEFAULT_QUANTITY_DECIMALS = 2;

export function quantityOf(data: { quantity: number; decimalPlaces?: number }): number {
  return data.quantity / 10 ** (data.decimalPlaces ?? DEFAULT_QUANTITY_DECIMALS);
}

/** What a line's discount takes off it, in cents: the amount, or the percentage of quantity × price. */
function lineDiscount(data: MplusLine['data'] & object): number {
  if (data.discountAmount !== undefined) return data.discountAmount;
  if (!data.discountPercentage) return 0;
  const gross = quantityOf(data) * (data.price ?? 0);
  return Math.round((gross * data.discountPercentage) / 100);
}

/** E-mails are one customer whatever their case (MplusKASSA's exact match ignores case too). */
function normalizedEmail(email: string): string {
  return email.trim().toLowerCase();
}

function mplusAddress(address: PostalAddress): MplusAddress {
  const fields: MplusAddress = {
    name: address.name ?? undefined,
    companyName: address.companyName ?? undefined,
    address: address.street ?? undefined,
    zipcode: address.zip ?? undefined,
    city: address.city ?? undefined,
    country: address.country ?? undefined,
  };
  return Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== undefined));
}

/** The relation an order's customer should have: a company with the person as contact, or a person. */
function relationFor(customer: BackOfficeCustomer, address: PostalAddress): MplusRelation {
  const person = customer.name ?? address.name ?? customer.email ?? '';
  const common: MplusRelation = {
    email: customer.email ?? undefined,
    address: address.street ?? undefined,
    zipcode: address.zip ?? undefined,
    city: address.city ?? undefined,
    country: address.country ?? undefined,
    telephone: customer.phone ?? undefined,
  };
  const relation: MplusRelation = customer.companyName
    ? {
        ...common,
        name: customer.companyName,
        companyName: customer.companyName,
        contact: person,
        vatNumber: customer.vatNumber ?? undefined,
        commerceNumber: customer.companyNumber ?? undefined,
      }
    : { ...common, name: person };
  return Object.fromEntries(Object.entries(relation).filter(([, value]) => value !== undefined));
}

const COMPARED: Array<keyof MplusRelation> = [
  'name',
  'contact',
  'companyName',
  'address',
  'zipcode',
  'city',
  'country',
  'paymentWithinDays',
];

function relationDiffers(existing: MplusRelation, wanted: MplusRelation): boolean {
  return COMPARED.some((field) => wanted[field] !== undefined && (existing[field] ?? '') !== wanted[field]);
}

function noNegativeAmounts(method: string): string {
  return `MplusKASSA takes no negative amounts on ${method}; set MPLUS_REFUND_PAYMENT_METHOD to a method that does.`;
}

/** A read from MplusKASSA kept for `ttlMs` once it succeeded; callers that find it stale share one read. */
class CachedRead<T> {
  private kept: { value: T; at: number } | undefined;
  private reading: Promise<Outcome<T>> | undefined;

  constructor(
    private readonly read: () => Promise<Outcome<T>>,
    private readonly ttlMs: number,
  ) {}

  get(): Promise<Outcome<T>> {
    if (this.kept && Date.now() - this.kept.at < this.ttlMs) return Promise.resolve(accepted(this.kept.value));
    this.reading ??= this.read()
      .then((outcome) => {
        if (outcome.kind === 'accepted') this.kept = { value: outcome.value, at: Date.now() };
        return outcome;
      })
      .finally(() => {
        this.reading = undefined;
      });
    return this.reading;
  }
}
