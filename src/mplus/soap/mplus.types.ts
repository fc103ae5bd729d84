// MplusKASSA's objects as the codec reads and writes them (names as in the WSDL). Amounts are
// integer cents; quantities are unscaled integers with decimalPlaces.

export interface MplusDate {
  day: number;
  mon: number;
  year: number;
}

export interface MplusDateTime extends MplusDate {
  sec: number;
  min: number;
  hour: number;
  isdst: boolean;
  /** UTC offset in minutes. */
  timezone: number;
}

export interface MplusAddress {
  addressId?: string;
  name?: string;
  contact?: string;
  address?: string;
  zipcode?: string;
  city?: string;
  country?: string;
  label?: string;
  companyName?: string;
}

export interface MplusLineData {
  quantity: number;
  decimalPlaces?: number;
  deliveredQuantity?: number;
  deliveredDecimalPlaces?: number;
  cancelledQuantity?: number;
  cancelledDecimalPlaces?: number;
  /** Unit price including VAT, in cents. */
  price?: number;
  priceExcl?: number;
  vatCode?: number;
  vatPercentage?: number;
  /** Why the line has a discount: DISCOUNT-TYPE-EXTERNAL-DISCOUNT for the gateway's. */
  discountType?: string;
  discountPercentage?: number;
  /** Off the line as a whole, in cents: its total is quantity × price − discountAmount. */
  discountAmount?: number;
  totalInclAmount?: number;
  totalExclAmount?: number;
}

export interface MplusLine {
  lineId?: string;
  employeeNumber?: number;
  articleNumber: number;
  pluNumber?: string;
  text?: string;
  data?: MplusLineData;
}

export interface MplusPayment {
  paymentId?: string;
  financialDate?: MplusDate;
  entryTimestamp?: MplusDateTime;
  branchNumber?: number;
  employeeNumber?: number;
  method: string;
  description?: string;
  amount: number;
  externalPaymentId?: string;
  externalReference?: string;
}

export type MplusDeliveryState =
  'ORDER-DELIVERY-STATE-NOTHING' | 'ORDER-DELIVERY-STATE-PARTIAL' | 'ORDER-DELIVERY-STATE-COMPLETE';
export type MplusCancelState =
  'ORDER-CANCEL-STATE-NOTHING' | 'ORDER-CANCEL-STATE-PARTIAL' | 'ORDER-CANCEL-STATE-COMPLETE';
export type MplusCompleteState =
  | 'ORDER-COMPLETE-STATE-NOTHING'
  | 'ORDER-COMPLETE-STATE-PARTIAL'
  | 'ORDER-COMPLETE-STATE-PARTIAL-DELIVERY-PENDING'
  | 'ORDER-COMPLETE-STATE-COMPLETE';

export interface MplusOrder {
  orderId: string;
  extOrderId?: string;
  invoiceIds?: string[];
  syncMarker?: number;
  orderType?: string;
  entryBranchNumber?: number;
  employeeNumber?: number;
  entryTimestamp?: MplusDateTime;
  relationNumber?: number;
  relationName?: string;
  deliveryAddress?: MplusAddress;
  invoiceAddress?: MplusAddress;
  financialDate?: MplusDate;
  financialBranchNumber?: number;
  reference?: string;
  totalInclAmount?: number;
  totalExclAmount?: number;
  vatMethod?: string;
  deliveryMethod?: string;
  paymentMethod?: string;
  changeCounter?: number;
  versionNumber?: number;
  prepaidAmount?: number;
  fullyPaid?: boolean;
  deliveryState?: MplusDeliveryState;
  cancelState?: MplusCancelState;
  completeState?: MplusCompleteState;
  orderNumber?: { year: number; number: number };
  orderCategoryNumber?: number;
  lineList?: MplusLine[];
  paymentList?: MplusPayment[];
  packingSlipIds?: string[];
  /** VAT per VAT code over the order's lines (read-only). */
  vatGroupList?: MplusVatGroup[];
}

export interface MplusRelation {
  relationNumber?: number;
  extRelationId?: string;
  syncMarker?: number;
  active?: boolean;
  name?: string;
  address?: string;
  zipcode?: string;
  city?: string;
  country?: string;
  deliveryAddress?: string;
  deliveryZipcode?: string;
  deliveryCity?: string;
  deliveryCountry?: string;
  contact?: string;
  telephone?: string;
  mobile?: string;
  email?: string;
  /** The payment term, in days. */
  paymentWithinDays?: number;
  vatNumber?: string;
  commerceNumber?: string;
  contactList?: MplusRelation[];
  companyName?: string;
}

export interface MplusArticle {
  articleNumber?: number;
  pluNumber?: string;
  syncMarker?: number;
  active?: boolean;
  description?: string;
  vatCode?: number;
  vatPercentage?: number;
  priceIncl?: number;
  priceExcl?: number;
}

export interface MplusProduct {
  productNumber?: number;
  syncMarker?: number;
  description?: string;
  articleList?: MplusArticle[];
}

export interface MplusEmployee {
  employeeNumber?: number;
  syncMarker?: number;
  name?: string;
  active?: boolean;
}

export interface MplusDeliveryMethod {
  deliveryMethod: string;
  description: string;
  buttonText: string;
  enabled?: boolean;
}

export interface MplusOrderCategory {
  orderCategoryNumber: number;
  orderCategoryDescription: string;
  allowCancel: boolean;
  allowProcess: boolean;
}

export interface MplusPaymentMethod {
  method: string;
  description: string;
  buttonText: string;
  allowNegativeAmount: boolean;
  active?: boolean;
}

export interface MplusVatGroup {
  vatCode: number;
  /** In percent (21, not 2100): the unit is not documented; see the simulator's notes. */
  vatPercentage: number;
  /** On an order: what its lines at this code cost without VAT, in cents. */
  exclAmount?: number;
  /** On an order: the VAT at this code, in cents. */
  vatAmount?: number;
}

export interface MplusApiVersion {
  majorNumber: number;
  minorNumber: number;
  revisionNumber: number;
  inDebugMode: boolean;
}
