import { type Paginator } from '../../common/http/pagination.dto.js';

export class DeliveryMethodModel {
  /** The code to map order `shipping` ids to (MPLUS_DELIVERY_METHODS). @example "POSTNL" */
  code!: string;
  /** @example "PostNL parcel" */
  description!: string;
  enabled!: boolean;
}

export class DeliveryMethodsModel {
  paginator!: Paginator;
  delivery_methods!: DeliveryMethodModel[];
}

export class OrderCategoryModel {
  /** @example 1 */
  number!: number;
  /** @example "Webshop" */
  description!: string;
  /** Whether orders of this category may be cancelled in MplusKASSA. */
  allow_cancel!: boolean;
}

export class OrderCategoriesModel {
  paginator!: Paginator;
  order_categories!: OrderCategoryModel[];
}
