import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';
import { toAtom, toAtomOrNull } from '../common/http/dates.js';
import type { NonExpandedModel } from '../common/http/responses.model.js';
import { Decimal, formatMoney, toJsonNumber } from '../common/money/money.js';
import { trackingUrl } from '../shippers/shippers.service.js';
import { statusReference, toOrderStatusModel } from '../statuses/status.mapper.js';
import type { HistoryEntryModel } from './dto/history.model.js';
import type { ArticleModel, DiscountModel, OrderItemModel, OrderModel, PriceModel } from './dto/order.model.js';
import type { HistoryEntryRecord } from './history/order-history.repository.js';
import { allowedTransitions, lifecycleState } from './order-lifecycle.js';
import { type GivenDiscount, balanceDue, refundable } from './order-money.js';
import type { UnitPrice } from './order-pricing.js';
import type { OrderItemRecord, OrderRecord } from './order.types.js';
import { syncStatus } from '../outbox/order-sync.repository.js';

// The order on the wire: Retailys' OrderModel field by field, then the gateway's additions.
// Nested objects the gateway does not own (customer, company, channel, shipping, payment) are
// references in both modes; `expanded=true` expands the status, which the gateway does own.

function reference(path: string, id: number | null): NonExpandedModel | null {
  return id === null ? null : { id, api_link: `${path}/${id}` };
}

function article(articleNumber: string | null): ArticleModel | null {
  return articleNumber === null ? null : { id: Number(articleNumber), article_number: articleNumber };
}

/** A discount as given: one of amount and percent, the other null. */
function discountModel(discount: GivenDiscount): DiscountModel {
  return {
    amount: discount.kind === 'amount' ? toJsonNumber(discount.value) : null,
    percent: discount.kind === 'percent' ? toJsonNumber(discount.value) : null,
  };
}

function fillTemplate(template: string, order: OrderRecord): string | null {
  if (!template) return null;
  return template.replaceAll('{id}', String(order.id)).replaceAll('{hash}', order.hash);
}

@Injectable()
export class OrderMapper {
  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  toModel(order: OrderRecord, expanded: boolean): OrderModel {
    const currency = order.orderCurrencyCode;
    return {
      id: order.id,
      customer: reference('/System/People', order.customerId),
      company: reference('/System/Companies', order.companyId),
      channel: reference('/System/Channels', order.channelId),
      date_order: toAtom(order.dateOrder),
      date_maturity: toAtomOrNull(order.dateMaturity),
      email: order.email,
      phone: order.phone,
      name: order.name,
      street: order.street,
      city: order.city,
      zip: order.zip,
      state_code: order.stateCode,
      company_name: order.companyName,
      company_nr: order.companyNr,
      company_vat: order.companyVat,
      delivery_name: order.deliveryName,
      delivery_street: order.deliveryStreet,
      delivery_city: order.deliveryCity,
      delivery_zip: order.deliveryZip,
      delivery_state_code: order.deliveryStateCode,
      delivery_phone: order.deliveryPhone,
      delivery_email: order.deliveryEmail,
      note: order.note,
      our_note: order.ourNote,
      hash: order.hash,
      main_currency_code: order.mainCurrencyCode,
      order_currency_code: currency,
      currency_rate: order.currencyRate && toJsonNumber(order.currencyRate),
      money: toJsonNumber(order.money),
      paid: toJsonNumber(order.paid),
      date_paid: toAtomOrNull(order.datePaid),
      amount_subtotal: toJsonNumber(order.figures.subtotal),
      amount_discount: toJsonNumber(order.figures.discount),
      amount_shipping: toJsonNumber(order.figures.shipping),
      amount_payment_fee: toJsonNumber(order.figures.paymentFee),
      amount_tax: toJsonNumber(order.figures.tax),
      amount_total: toJsonNumber(order.money),
      amount_paid: toJsonNumber(order.paid),
      amount_refunded: toJsonNumber(order.refunded),
      balance_due: toJsonNumber(balanceDue(order)),
      taxes: order.figures.taxes.map((tax) => ({
        rate: toJsonNumber(tax.rate),
        base: toJsonNumber(tax.base),
        tax: toJsonNumber(tax.tax),
      })),
      discount: order.discount && { ...discountModel(order.discount), code: order.discount.code },
      shipping_price: order.shippingPrice && this.unitPriceModel(order.shippingPrice, currency),
      payment_price: order.paymentPrice && this.unitPriceModel(order.paymentPrice, currency),
      payments: order.payments.map((payment) => ({
        payment_id: payment.externalPaymentId,
        amount: toJsonNumber(payment.amount),
        method: payment.method,
        status: payment.status,
        url: payment.url,
        date: toAtom(payment.createdAt),
        updated_at: toAtom(payment.updatedAt),
      })),
      refunds: order.refunds.map((refund) => ({
        refund_id: refund.refundId,
        amount: toJsonNumber(refund.amount),
        reason: refund.reason,
        items: refund.lines.map((line) => ({ item_id: line.itemId, count: line.count })),
        date: toAtom(refund.createdAt),
      })),
      items: order.items.map((item) => this.itemModel(item, currency)),
      weight: null,
      shipping: reference('/System/Channels/Shippings', order.shippingId),
      payment: reference('/System/Channels/Payments', order.paymentId),
      trackings: order.trackings.map((tracking) => ({
        shipper_id: tracking.shipperId,
        tracking_number: tracking.trackingNumber,
        tracking_url: trackingUrl(tracking.trackingUrlTemplate, tracking.trackingNumber),
      })),
      sent: order.sent,
      delivered: order.delivered,
      done: order.done,
      canceled: order.canceled,
      order_url: fillTemplate(this.config.ORDER_URL_TEMPLATE, order),
      invoice_url: fillTemplate(this.config.INVOICE_URL_TEMPLATE, order),
      ip: order.ip,
      domain: order.domain,
      external_order_prefix: order.externalOrderPrefix,
      external_order_id: order.externalOrderId,
      external_payment_id: order.externalPaymentId,
      external_payment_url: order.externalPaymentUrl,
      status_id: order.statusId,
      status: order.status && (expanded ? toOrderStatusModel(order.status) : statusReference(order.status.id)),
      lifecycle_state: lifecycleState(order),
      // A refund is possible in every state, but only of what was paid and not refunded yet.
      allowed_transitions: allowedTransitions(order).filter((action) => action !== 'refund' || refundable(order).gt(0)),
      version: order.version,
      sync: {
        status: syncStatus(order.sync?.status, order.syncPending),
        attempts: order.sync?.attempts ?? 0,
        last_error: order.sync?.lastError ?? null,
        mplus_order_id: order.sync?.backOfficeOrderId ?? null,
        synced_at: toAtomOrNull(order.sync?.syncedAt ?? null),
      },
      source: order.source,
      metadata: order.metadata,
      created_at: toAtom(order.createdAt),
      updated_at: toAtom(order.updatedAt),
      deleted_at: toAtomOrNull(order.deletedAt),
    };
  }

  historyModel(entry: HistoryEntryRecord): HistoryEntryModel {
    return {
      id: entry.id,
      type: entry.type,
      action: entry.action,
      record: { name: entry.recordName, status: entry.recordStatus },
      changes: entry.changes,
      api_key:
        entry.apiKeyId === null && entry.apiKeyName === null ? null : { id: entry.apiKeyId, name: entry.apiKeyName },
      request_id: entry.requestId,
      created_at: toAtom(entry.createdAt),
    };
  }

  private itemModel(item: OrderItemRecord, currency: string): OrderItemModel {
    return {
      id: item.id,
      article: article(item.articleNumber),
      name: item.name,
      count: item.count,
      ordered: 0,
      waiting_count: 0,
      note: item.note,
      price: this.priceModel(item.basePrice, item.finalPrice, item.vatRate, item.vatValue, currency),
      price_original: this.priceModel(
        item.originalBasePrice,
        item.originalFinalPrice,
        item.originalVatRate,
        item.originalVatValue,
        currency,
      ),
      discount: item.discount && discountModel(item.discount),
      order_discount: toJsonNumber(item.orderDiscount),
      total: toJsonNumber(item.total),
      metadata: item.metadata,
    };
  }

  private unitPriceModel(price: UnitPrice, currency: string): PriceModel {
    return this.priceModel(price.basePrice, price.finalPrice, price.vatRate, price.vatValue, currency);
  }

  private priceModel(base: Decimal, final: Decimal, vat: Decimal, vatValue: Decimal, currency: string): PriceModel {
    const locale = this.config.MONEY_LOCALE;
    const basePrice = toJsonNumber(base);
    const finalPrice = toJsonNumber(final);
    const vatValueNumber = toJsonNumber(vatValue);
    return {
      base_price: basePrice,
      base_price_word: formatMoney(basePrice, currency, locale),
      final_price: finalPrice,
      final_price_word: formatMoney(finalPrice, currency, locale),
      vat: toJsonNumber(vat),
      vat_value: vatValueNumber,
      vat_value_word: formatMoney(vatValueNumber, currency, locale),
      currency,
    };
  }
}
