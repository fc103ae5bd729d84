import { ApiProperty, getSchemaPath } from '@nestjs/swagger';
import { Paginator } from '../../common/http/pagination.dto.js';
import { NonExpandedModel } from '../../common/http/responses.model.js';
import { OrderStatusModel } from '../../statuses/dto/order-status.model.js';
import { TRANSITIONS, type LifecycleAction, type LifecycleState } from '../order-lifecycle.js';

export class PriceModel {
  /** Unit price without VAT. @example 10 */
  base_price!: number;
  /** @example "€10.00" */
  base_price_word!: string;
  /** Unit price with VAT. @example 12.1 */
  final_price!: number;
  /** @example "€12.10" */
  final_price_word!: string;
  /** VAT rate in percent. @example 21 */
  vat!: number;
  /** VAT per unit. @example 2.1 */
  vat_value!: number;
  /** @example "€2.10" */
  vat_value_word!: string;
  /** @example "EUR" */
  currency!: string;
}

/** A discount on each unit of a line, as given: one of amount and percent, the other null. */
export class DiscountModel {
  /** Taken off each unit's price as given (with or without VAT). @example 1.5 */
  amount!: number | null;
  /** Percent taken off each unit's price. @example null */
  percent!: number | null;
}

/** The order's discount as given: one of amount (with VAT) and percent, the other null. */
export class OrderDiscountModel {
  /** @example 5 */
  amount!: number | null;
  /** @example null */
  percent!: number | null;
  /** @example "WELCOME5" */
  code!: string | null;
}

/** The VAT of one rate: over what the order's lines and fees at that rate cost. */
export class TaxModel {
  /** VAT rate in percent. @example 21 */
  rate!: number;
  /** What the lines and fees at this rate cost without VAT. @example 20 */
  base!: number;
  /** The VAT at this rate, rounded once (half away from zero), as MplusKASSA computes it. @example 4.2 */
  tax!: number;
}

/** A payment a payment gateway reported, with the latest status reported under its payment_id. */
export class PaymentModel {
  /** @example "pay_8f2a1c" */
  payment_id!: string;
  /** @example 24.2 */
  amount!: number;
  /** @example "ideal" */
  method!: string | null;
  /** success, denied, canceled or unknown; a success is final. @example "success" */
  @ApiProperty({ enum: ['success', 'denied', 'canceled', 'unknown'], example: 'success' })
  status!: string;
  /** @example null */
  url!: string | null;
  /** When the payment was first reported. @example "2024-05-02T08:20:00+00:00" */
  date!: string;
  /** When its latest report came. @example "2024-05-02T08:20:00+00:00" */
  updated_at!: string;
}

export class RefundLineModel {
  /** @example 9001 */
  item_id!: number;
  /** @example 1 */
  count!: number;
}

export class RefundModel {
  /** The refund's id: the client's, or one the gateway made. @example "rf_2b7c91" */
  refund_id!: string;
  /** With VAT, in the order currency. @example 12.1 */
  amount!: number;
  /** @example "Damaged in transit" */
  reason!: string | null;
  /** The lines refunded, when the refund was given by lines. */
  items!: RefundLineModel[];
  /** @example "2024-05-04T10:00:00+00:00" */
  date!: string;
}

export class ArticleModel {
  /** The article number as a number. @example 1001 */
  id!: number;
  /** @example "1001" */
  article_number!: string;
}

/** The metadata of an order or a line, as reads show it. */
function ApiMetadata(): PropertyDecorator {
  return ApiProperty({
    type: 'object',
    additionalProperties: { type: 'string' },
    description: 'Your own data (string keys and values), as set on create and changed since. An addition to Retailys.',
    example: { shop_order: 'A-1001' },
  });
}

export class OrderItemModel {
  /** @example 9001 */
  id!: number;
  /** The MplusKASSA article, when the line has an article number. */
  article!: ArticleModel | null;
  /** @example "Coffee mug" */
  name!: string;
  /** @example 2 */
  count!: number;
  /** Always 0: the gateway orders nothing from suppliers. */
  ordered!: number;
  /** Always 0: the gateway keeps no stock. */
  waiting_count!: number;
  /** @example "Gift wrap" */
  note!: string | null;
  /** Unit price after the line's discount. */
  price!: PriceModel;
  /** Unit price before the line's discount (equal to price without one). */
  price_original!: PriceModel;
  /** The line's discount per unit, as given. An addition to Retailys. */
  discount!: DiscountModel | null;
  /** The line's share of the order's discount, with VAT. An addition to Retailys. @example 0 */
  order_discount!: number;
  /** What the line costs, with VAT: price.final_price × count − order_discount. An addition to Retailys. @example 24.2 */
  total!: number;
  @ApiMetadata()
  metadata!: Record<string, string>;
}

export class TrackingModel {
  /** @example 1 */
  shipper_id!: number;
  /** @example "Z123456" */
  tracking_number!: string;
  /** @example "https://www.ppl.cz/vyhledat-zasilku?shipmentId=Z123456" */
  tracking_url!: string;
}

export class OrderSyncModel {
  /**
   * pending (changes not yet in MplusKASSA), synced, retrying (MplusKASSA could not be reached;
   * retried with back-off) or failed (MplusKASSA refused; see last_error, then resync).
   * @example "synced"
   */
  @ApiProperty({ enum: ['pending', 'synced', 'retrying', 'failed'] })
  status!: string;
  /** Failed attempts since the last success. @example 0 */
  attempts!: number;
  /** Why the last attempt failed. @example null */
  last_error!: string | null;
  /** The order's id in MplusKASSA. @example "556c65df846800a75c6a27e075c31600" */
  mplus_order_id!: string | null;
  /** When MplusKASSA last took a change. @example "2024-05-02T08:15:02+00:00" */
  synced_at!: string | null;
}

/** An order, as Retailys' OrderModel, with the gateway's additions marked as such. */
export class OrderModel {
  /** The order number. @example 12345 */
  id!: number;
  /**
   * The customer (a person) as Retailys refers to it: its id, and in `api_link` its path on Retailys
   * (`/System/People/678`). The gateway keeps the id only and serves no such resource, so `expanded=true`
   * leaves this as it is (only `status` expands).
   */
  customer!: NonExpandedModel | null;
  /**
   * The company as Retailys refers to it: its id, and in `api_link` its path on Retailys
   * (`/System/Companies/1`). The gateway keeps the id only and serves no such resource, so `expanded=true`
   * leaves this as it is (only `status` expands).
   */
  company!: NonExpandedModel | null;
  /**
   * The sales channel as Retailys refers to it: its id, and in `api_link` its path on Retailys
   * (`/System/Channels/3`). The gateway keeps the id only and serves no such resource, so `expanded=true`
   * leaves this as it is (only `status` expands).
   */
  channel!: NonExpandedModel | null;
  /** @example "2024-05-02T08:15:00+00:00" */
  date_order!: string;
  /** @example "2024-05-16T00:00:00+00:00" */
  date_maturity!: string | null;
  /** Null only for orders rung up at the till without a customer. @example "jan@example.cz" */
  email!: string | null;
  /** @example "+420600000000" */
  phone!: string | null;
  /** @example "Jan Novák" */
  name!: string | null;
  /** @example "Dlouhá 1" */
  street!: string | null;
  /** @example "Praha" */
  city!: string | null;
  /** @example "11000" */
  zip!: string | null;
  /** @example "CZ" */
  state_code!: string | null;
  /** An addition to Retailys. @example "Novák s.r.o." */
  company_name!: string | null;
  /** @example "12345678" */
  company_nr!: string | null;
  /** @example "CZ12345678" */
  company_vat!: string | null;
  /** @example "Jan Novák" */
  delivery_name!: string | null;
  /** @example "Dlouhá 1" */
  delivery_street!: string | null;
  /** @example "Praha" */
  delivery_city!: string | null;
  /** @example "11000" */
  delivery_zip!: string | null;
  /** @example "CZ" */
  delivery_state_code!: string | null;
  /** @example "+420600000000" */
  delivery_phone!: string | null;
  /** @example "jan@example.cz" */
  delivery_email!: string | null;
  /** @example "Please ring twice" */
  note!: string | null;
  /** @example "VIP" */
  our_note!: string | null;
  /** Secret of the order, for payment links. @example "4f1c9a0e7b2d4c6f8a1b3c5d7e9f0a2b" */
  hash!: string;
  /** @example "EUR" */
  main_currency_code!: string;
  /** @example "EUR" */
  order_currency_code!: string;
  /** @example 1 */
  currency_rate!: number | null;
  /** Order total with VAT, in the order currency. @example 24.2 */
  money!: number;
  /** Amount paid so far. @example 0 */
  paid!: number;
  /** When the last successful payment was recorded. @example null */
  date_paid!: string | null;
  /**
   * What the lines cost before any discount, with VAT (every amount_ figure but amount_tax
   * includes VAT). An addition to Retailys, named as in the Kwik Orders API. @example 24.2
   */
  amount_subtotal!: number;
  /** Every discount: the lines' own and the order's, with VAT. @example 0 */
  amount_discount!: number;
  /** The shipping fee, with VAT. @example 0 */
  amount_shipping!: number;
  /** The payment fee, with VAT. @example 0 */
  amount_payment_fee!: number;
  /** The VAT amount_total contains (the sum of taxes[].tax), not added to it. @example 4.2 */
  amount_tax!: number;
  /** amount_subtotal − amount_discount + amount_shipping + amount_payment_fee; always equal to money. @example 24.2 */
  amount_total!: number;
  /** What the successful payments add up to; equal to paid. @example 0 */
  amount_paid!: number;
  /** What was refunded. @example 0 */
  amount_refunded!: number;
  /** What the order still owes: amount_total − amount_paid, never below 0. @example 24.2 */
  balance_due!: number;
  /** VAT per rate, lowest rate first. */
  taxes!: TaxModel[];
  /** The order's discount (a voucher), as given. */
  discount!: OrderDiscountModel | null;
  /** The shipping fee (one unit). */
  shipping_price!: PriceModel | null;
  /** The payment fee (one unit). */
  payment_price!: PriceModel | null;
  /** Every payment reported under a payment_id, oldest first. */
  payments!: PaymentModel[];
  refunds!: RefundModel[];
  items!: OrderItemModel[];
  /** Not tracked by the gateway. @example null */
  weight!: number | null;
  /**
   * The shipping method as Retailys refers to it: its id, and in `api_link` its path on Retailys
   * (`/System/Channels/Shippings/4`). The gateway keeps the id only and serves no such resource, so `expanded=true`
   * leaves this as it is (only `status` expands).
   */
  shipping!: NonExpandedModel | null;
  /**
   * The payment method as Retailys refers to it: its id, and in `api_link` its path on Retailys
   * (`/System/Channels/Payments/2`). The gateway keeps the id only and serves no such resource, so `expanded=true`
   * leaves this as it is (only `status` expands).
   */
  payment!: NonExpandedModel | null;
  trackings!: TrackingModel[];
  sent!: boolean;
  delivered!: boolean;
  done!: boolean;
  canceled!: boolean;
  /** @example "https://shop.example.cz/order/12345?hash=4f1c9a0e7b2d4c6f8a1b3c5d7e9f0a2b" */
  order_url!: string | null;
  /** @example null */
  invoice_url!: string | null;
  /** @example "203.0.113.5" */
  ip!: string | null;
  /** An addition to Retailys. @example "shop.example.cz" */
  domain!: string | null;
  /** @example "WEB" */
  external_order_prefix!: string | null;
  /** @example "1001" */
  external_order_id!: string | null;
  /** Transaction id of the last successful payment. @example "pay_8f2a1c" */
  external_payment_id!: string | null;
  /** Payment recovery URL of the last successful payment. @example null */
  external_payment_url!: string | null;
  /** Current status id (decision 1). @example 1 */
  status_id!: number | null;
  /** Current status: a reference, or the full status with expanded=true. */
  @ApiProperty({
    nullable: true,
    oneOf: [{ $ref: getSchemaPath(NonExpandedModel) }, { $ref: getSchemaPath(OrderStatusModel) }],
  })
  status!: NonExpandedModel | OrderStatusModel | null;
  /** Where the order is in its lifecycle. An addition to Retailys. */
  @ApiProperty({ enum: ['open', 'sent', 'delivered', 'done', 'canceled', 'archived'], example: 'open' })
  lifecycle_state!: LifecycleState;
  /** The routes that would change the order now. An addition to Retailys. */
  @ApiProperty({
    isArray: true,
    enum: TRANSITIONS,
    example: ['sent', 'paid'],
  })
  allowed_transitions!: LifecycleAction[];
  /** Incremented by every change. An addition to Retailys. @example 1 */
  version!: number;
  /** Where the order stands in MplusKASSA. An addition to Retailys. */
  sync!: OrderSyncModel;
  /** Where the order was made: api, or mplus for orders rung up at the till. An addition to Retailys. */
  @ApiProperty({ enum: ['api', 'mplus'], example: 'api' })
  source!: 'api' | 'mplus';
  @ApiMetadata()
  metadata!: Record<string, string>;
  /** An addition to Retailys. @example "2024-05-02T08:15:01+00:00" */
  created_at!: string;
  /** An addition to Retailys. @example "2024-05-02T08:15:01+00:00" */
  updated_at!: string;
  /**
   * When the order was archived (DELETE): it is then left out of lists unless `archived=true` and
   * takes no change until an admin restores it. Null otherwise. An addition to Retailys.
   * @example null
   */
  deleted_at!: string | null;
}

/** The paginator of order lists, which may estimate a large total. */
export class OrdersPaginator extends Paginator {
  /**
   * False when `total` (and so `pages`) is Postgres's estimate: the list matched more orders than
   * the gateway counts exactly (see exact_total). An addition to Retailys.
   */
  total_exact!: boolean;
}

export class OrdersModel {
  paginator!: OrdersPaginator;
  orders!: OrderModel[];
  /**
   * When reading changes (updated_since or cursor): pass as `cursor` to continue. Null otherwise.
   * An addition to Retailys.
   */
  next_cursor!: string | null;
}
