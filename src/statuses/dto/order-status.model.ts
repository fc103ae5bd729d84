import { type Paginator } from '../../common/http/pagination.dto.js';

/** A user-defined order status. */
export class OrderStatusModel {
  /** @example 3 */
  id!: number;
  /** @example "Processing" */
  name!: string;
  /** @example "cog" */
  icon!: string | null;
  /** @example "#7c3aed" */
  color!: string | null;
  /** Display order. @example 30 */
  sort!: number;
  /** Setting this status also finishes the order (done). */
  complete_order!: boolean;
  /** Setting this status also cancels the order. */
  cancel_order!: boolean;
}

export class OrderStatusesModel {
  paginator!: Paginator;
  statuses!: OrderStatusModel[];
}
