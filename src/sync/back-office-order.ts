import type { BackOfficeFee, BackOfficeOrder } from '../back-office/back-office.port.js';
import type { UnitPrice } from '../orders/order-pricing.js';
import type { OrderRecord } from '../orders/order.types.js';

/** The order as the back office should hold it: its state now, whatever event asks for it. */
export function toBackOfficeOrder(order: OrderRecord, externalId: string): BackOfficeOrder {
  const external = order.externalOrderId
    ? ` (${[order.externalOrderPrefix, order.externalOrderId].filter(Boolean).join(' ')})`
    : '';
  return {
    externalId,
    reference: `Order ${order.id}${external}`,
    dateOrder: order.dateOrder,
    currency: order.orderCurrencyCode,
    customer: {
      email: order.email,
      name: order.name ?? order.deliveryName,
      companyName: order.companyName,
      phone: order.phone ?? order.deliveryPhone,
      vatNumber: order.companyVat,
      companyNumber: order.companyNr,
    },
    billingAddress: {
      name: order.name ?? order.deliveryName,
      companyName: order.companyName,
      street: order.street,
      zip: order.zip,
      city: order.city,
      country: order.stateCode,
    },
    deliveryAddress: {
      name: order.deliveryName ?? order.name,
      companyName: order.companyName,
      street: order.deliveryStreet ?? order.street,
      zip: order.deliveryZip ?? order.zip,
      city: order.deliveryCity ?? order.city,
      country: order.deliveryStateCode ?? order.stateCode,
    },
    // The price before the discount and the discount as one amount off the line: MplusKASSA
    // totals a line as quantity × price − discountAmount.
    lines: order.items.map((item) => ({
      articleNumber: item.articleNumber,
      name: item.name,
      count: item.count,
      unitPrice: item.originalFinalPrice,
      vatRate: item.vatRate,
      discount: item.originalFinalPrice.times(item.count).minus(item.total),
    })),
    fees: [
      ...(order.shippingPrice ? [fee('shipping', order.shippingPrice)] : []),
      ...(order.paymentPrice ? [fee('payment', order.paymentPrice)] : []),
    ].filter((one) => !one.amount.isZero()),
    shippingMethodId: order.shippingId,
    paymentMethodId: order.paymentId,
  };
}

function fee(kind: BackOfficeFee['kind'], price: UnitPrice): BackOfficeFee {
  return { kind, amount: price.finalPrice, vatRate: price.vatRate };
}
