import { type Paginator } from '../../common/http/pagination.dto.js';

export class ShipperModel {
  /** @example 1 */
  id!: number;
  /** @example "PPL" */
  name!: string;
  /**
   * Parcel tracking page, with {tracking_number} replaced by the parcel number. An addition to Retailys.
   * @example "https://www.ppl.cz/vyhledat-zasilku?shipmentId={tracking_number}"
   */
  tracking_url_template!: string;
}

export class ShippersModel {
  paginator!: Paginator;
  shippers!: ShipperModel[];
}
