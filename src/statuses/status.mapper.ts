import type { NonExpandedModel } from '../common/http/responses.model.js';
import type { OrderStatusModel } from './dto/order-status.model.js';
import type { OrderStatusRecord } from './statuses.repository.js';

export function toOrderStatusModel(status: OrderStatusRecord): OrderStatusModel {
  return {
    id: status.id,
    name: status.name,
    icon: status.icon,
    color: status.color,
    sort: status.sort,
    complete_order: status.completeOrder,
    cancel_order: status.cancelOrder,
  };
}

export function statusReference(id: number): NonExpandedModel {
  return { id, api_link: `/System/Orders/Statuses/${id}` };
}
