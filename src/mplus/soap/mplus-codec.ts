import { type XmlElement, type XmlNode, child, childrenNamed } from './xml.js';

// The part of the MplusKASSA schema (mplusqapi.wsdl, API 67.1.3) that the gateway speaks, as
// specs: each lists a complex type's elements in the WSDL's sequence order, which is the order
// they are written in. One spec reads and writes, so the adapter (requests) and the simulator
// (responses) cannot disagree about a type; tests validate both against the WSDL itself.
//
// Only the elements the gateway uses are listed; readers skip the others.

type Scalar = 'string' | 'number' | 'boolean';

interface Field {
  name: string;
  type: Scalar | Spec;
  /** 'repeated': the element occurs 0..n times; 'wrapped': a wrapper holding `item` elements. */
  list?: 'repeated' | 'wrapped';
  /** Item element name of a wrapped list. */
  item?: string;
  /** Written even when empty (a minOccurs=1 wrapper, or a required text). */
  required?: boolean;
}

export type Spec = Field[];

const f = (name: string, type: Scalar | Spec, options: Omit<Field, 'name' | 'type'> = {}): Field => ({
  name,
  type,
  ...options,
});

const wrapped = (name: string, item: string, type: Scalar | Spec, required = false): Field =>
  f(name, type, { list: 'wrapped', item, required });

// ---------------------------------------------------------------------------------------------
// Types

export const SOAP_MPLUS_DATE: Spec = [f('day', 'number'), f('mon', 'number'), f('year', 'number')];

export const SOAP_MPLUS_DATE_TIME: Spec = [
  f('sec', 'number'),
  f('min', 'number'),
  f('hour', 'number'),
  f('day', 'number'),
  f('mon', 'number'),
  f('year', 'number'),
  f('isdst', 'boolean'),
  f('timezone', 'number'),
];

const YEAR_NUMBER: Spec = [f('year', 'number'), f('number', 'number')];

export const ADDRESS: Spec = [
  f('addressId', 'string'),
  f('name', 'string'),
  f('contact', 'string'),
  f('address', 'string'),
  f('zipcode', 'string'),
  f('city', 'string'),
  f('country', 'string'),
  f('label', 'string'),
  f('companyName', 'string'),
];

const LINE_DATA: Spec = [
  f('quantity', 'number', { required: true }),
  f('decimalPlaces', 'number'),
  f('deliveredQuantity', 'number'),
  f('deliveredDecimalPlaces', 'number'),
  f('cancelledQuantity', 'number'),
  f('cancelledDecimalPlaces', 'number'),
  f('price', 'number'),
  f('priceExcl', 'number'),
  f('vatCode', 'number'),
  f('vatPercentage', 'number'),
  f('discountType', 'string'),
  f('discountPercentage', 'number'),
  f('discountAmount', 'number'),
  f('totalInclAmount', 'number'),
  f('totalExclAmount', 'number'),
];

export const LINE: Spec = [
  f('lineId', 'string'),
  f('employeeNumber', 'number'),
  f('articleNumber', 'number', { required: true }),
  f('pluNumber', 'string'),
  f('text', 'string'),
  f('data', LINE_DATA),
];

export const PAYMENT: Spec = [
  f('paymentId', 'string'),
  f('financialDate', SOAP_MPLUS_DATE),
  f('entryTimestamp', SOAP_MPLUS_DATE_TIME),
  f('branchNumber', 'number'),
  f('employeeNumber', 'number'),
  f('method', 'string', { required: true }),
  f('description', 'string'),
  f('amount', 'number', { required: true }),
  f('externalPaymentId', 'string'),
  f('externalReference', 'string'),
];

const VAT_GROUP: Spec = [
  f('vatCode', 'number', { required: true }),
  f('vatPercentage', 'number', { required: true }),
  f('exclAmount', 'number'),
  f('vatAmount', 'number'),
];

export const ORDER: Spec = [
  f('orderId', 'string', { required: true }),
  f('extOrderId', 'string'),
  wrapped('invoiceIds', 'id', 'string'),
  f('syncMarker', 'number'),
  f('orderType', 'string'),
  f('entryBranchNumber', 'number'),
  f('employeeNumber', 'number'),
  f('entryTimestamp', SOAP_MPLUS_DATE_TIME),
  f('relationNumber', 'number'),
  f('relationName', 'string'),
  f('deliveryAddress', ADDRESS),
  f('invoiceAddress', ADDRESS),
  f('financialDate', SOAP_MPLUS_DATE),
  f('financialBranchNumber', 'number'),
  f('reference', 'string'),
  f('totalInclAmount', 'number'),
  f('totalExclAmount', 'number'),
  f('vatMethod', 'string'),
  wrapped('vatGroupList', 'vatGroup', VAT_GROUP),
  f('deliveryMethod', 'string'),
  f('paymentMethod', 'string'),
  f('changeCounter', 'number'),
  f('versionNumber', 'number'),
  f('prepaidAmount', 'number'),
  f('fullyPaid', 'boolean'),
  f('deliveryState', 'string'),
  f('cancelState', 'string'),
  f('completeState', 'string'),
  f('orderNumber', YEAR_NUMBER),
  f('orderCategoryNumber', 'number'),
  wrapped('lineList', 'line', LINE),
  wrapped('paymentList', 'payment', PAYMENT),
  wrapped('packingSlipIds', 'id', 'string'),
];

const RELATION_FIELDS: Spec = [
  f('relationNumber', 'number'),
  f('extRelationId', 'string'),
  f('syncMarker', 'number'),
  f('active', 'boolean'),
  f('name', 'string'),
  f('address', 'string'),
  f('zipcode', 'string'),
  f('city', 'string'),
  f('country', 'string'),
  f('deliveryAddress', 'string'),
  f('deliveryZipcode', 'string'),
  f('deliveryCity', 'string'),
  f('deliveryCountry', 'string'),
  f('contact', 'string'),
  f('telephone', 'string'),
  f('mobile', 'string'),
  f('email', 'string'),
  f('paymentWithinDays', 'number'),
  f('vatNumber', 'string'),
  f('commerceNumber', 'string'),
];
// A relation's contacts are relations themselves; companyName follows them in the sequence.
export const RELATION: Spec = [...RELATION_FIELDS];
RELATION.push(wrapped('contactList', 'relation', RELATION), f('companyName', 'string'));

const ARTICLE: Spec = [
  f('articleNumber', 'number'),
  f('pluNumber', 'string'),
  f('syncMarker', 'number'),
  f('active', 'boolean'),
  f('description', 'string'),
  f('vatCode', 'number'),
  f('vatPercentage', 'number'),
  f('priceIncl', 'number'),
  f('priceExcl', 'number'),
];

const PRODUCT: Spec = [
  f('productNumber', 'number'),
  f('syncMarker', 'number'),
  f('description', 'string'),
  wrapped('articleList', 'article', ARTICLE),
];

const EMPLOYEE: Spec = [
  f('employeeNumber', 'number'),
  f('syncMarker', 'number'),
  f('name', 'string'),
  f('active', 'boolean'),
];

const DELIVERY_METHOD: Spec = [
  f('deliveryMethod', 'string', { required: true }),
  f('description', 'string', { required: true }),
  f('buttonText', 'string', { required: true }),
  f('enabled', 'boolean'),
];

const ORDER_CATEGORY: Spec = [
  f('orderCategoryNumber', 'number'),
  f('orderCategoryDescription', 'string', { required: true }),
  f('allowCancel', 'boolean'),
  f('allowProcess', 'boolean'),
];

const PAYMENT_METHOD: Spec = [
  f('method', 'string', { required: true }),
  f('description', 'string', { required: true }),
  f('buttonText', 'string', { required: true }),
  f('allowNegativeAmount', 'boolean'),
  f('active', 'boolean'),
];

const TEXT: Spec = [f('text', 'string', { required: true })];

const ORDER_INFO: Spec = [
  f('orderId', 'string', { required: true }),
  f('orderString', 'string', { required: true }),
  f('orderQueued', 'boolean'),
];

// ---------------------------------------------------------------------------------------------
// Operations: request element, its spec, and the response element with its spec.

export interface Operation {
  request: Spec;
  response: string;
  responseSpec: Spec;
}

export const OPERATIONS = {
  findOrder: {
    request: [f('extOrderId', 'string', { required: true })],
    response: 'GetOrderResponse',
    responseSpec: [f('result', 'string'), f('order', ORDER)],
  },
  getOrder: {
    request: [f('orderId', 'string', { required: true })],
    response: 'GetOrderResponse',
    responseSpec: [f('result', 'string'), f('order', ORDER)],
  },
  createOrder: {
    request: [f('order', ORDER)],
    response: 'CreateOrderResponse',
    responseSpec: [
      f('result', 'string'),
      f('info', ORDER_INFO, { required: true }),
      f('errorMessage', 'string', { required: true }),
    ],
  },
  updateOrder: {
    request: [f('order', ORDER)],
    response: 'UpdateOrderResponse',
    responseSpec: [
      f('result', 'string'),
      f('info', ORDER_INFO, { required: true }),
      f('errorMessage', 'string', { required: true }),
    ],
  },
  cancelOrder: {
    request: [f('orderId', 'string', { required: true }), f('request', [f('branchNumber', 'number')])],
    response: 'CancelOrderResponse',
    responseSpec: [f('result', 'string'), f('message', 'string', { required: true })],
  },
  creditInvoice: {
    request: [f('invoiceId', 'string', { required: true })],
    response: 'CreditInvoiceResponse',
    responseSpec: [f('result', 'string'), f('message', 'string', { required: true })],
  },
  payOrder: {
    request: [
      f('request', [
        f('orderId', 'string', { required: true }),
        f('prepay', 'boolean', { required: true }),
        wrapped('paymentList', 'payment', PAYMENT, true),
      ]),
    ],
    response: 'PayOrderResponse',
    responseSpec: [f('result', 'string'), f('invoiceId', 'string'), f('errorMessage', 'string', { required: true })],
  },
  deliverOrder: {
    request: [f('request', [f('orderId', 'string', { required: true }), f('turnoverType', 'string')])],
    response: 'DeliverOrderResponse',
    responseSpec: [
      f('result', 'string'),
      f('packingSlipId', 'string'),
      f('invoiceId', 'string'),
      f('errorMessage', 'string', { required: true }),
    ],
  },
  getOrders: {
    request: [
      f('request', [
        f('syncMarker', 'number'),
        f('syncMarkerLimit', 'number'),
        f('fromFinancialDate', SOAP_MPLUS_DATE),
        f('throughFinancialDate', SOAP_MPLUS_DATE),
        wrapped('articlePluNumbers', 'text', TEXT, true),
        wrapped('articleBarcodes', 'text', TEXT, true),
        wrapped('orderTypeList', 'orderType', 'string'),
        f('orderIds', 'string', { list: 'repeated' }),
        f('includeLineList', 'boolean'),
      ]),
    ],
    response: 'GetOrdersResponse',
    responseSpec: [wrapped('orderList', 'order', ORDER, true)],
  },
  getDeliveryMethods: {
    request: [],
    response: 'GetDeliveryMethodsResponse',
    responseSpec: [wrapped('deliveryMethodList', 'deliveryMethod', DELIVERY_METHOD, true)],
  },
  getOrderCategories: {
    request: [],
    response: 'GetOrderCategoriesResponse',
    responseSpec: [f('orderCategory', ORDER_CATEGORY, { list: 'repeated' })],
  },
  findRelation: {
    request: [f('relation', RELATION)],
    response: 'FindRelationResponse',
    responseSpec: [f('result', 'string'), f('relation', RELATION)],
  },
  findRelationV2: {
    request: [f('request', [f('relation', RELATION, { required: true }), f('exactMatch', 'boolean')])],
    response: 'FindRelationV2Response',
    responseSpec: [f('result', 'string'), f('relation', RELATION)],
  },
  createRelation: {
    request: [f('relation', RELATION)],
    response: 'CreateRelationResponse',
    responseSpec: [
      f('result', 'string'),
      f('relationNumber', 'number', { required: true }),
      f('syncMarker', 'number'),
      f('errorMessage', 'string', { required: true }),
    ],
  },
  updateRelation: {
    request: [f('relation', RELATION)],
    response: 'UpdateRelationResponse',
    responseSpec: [f('result', 'string'), f('errorMessage', 'string', { required: true }), f('syncMarker', 'number')],
  },
  getRelation: {
    request: [f('relationNumber', 'number', { required: true })],
    response: 'GetRelationResponse',
    responseSpec: [f('result', 'string'), f('relation', RELATION, { required: true })],
  },
  getProducts: {
    request: [
      f('request', [
        f('articleNumbers', 'number', { list: 'repeated' }),
        wrapped('pluNumbers', 'text', TEXT, true),
        f('onlyActive', 'boolean'),
        f('syncMarker', 'number'),
        f('syncMarkerLimit', 'number'),
      ]),
    ],
    response: 'GetProductsResponse',
    responseSpec: [wrapped('productList', 'product', PRODUCT, true)],
  },
  getEmployees: {
    request: [f('request', [f('employeeNumbers', 'number', { list: 'repeated' }), f('syncMarker', 'number')])],
    response: 'GetEmployeesResponse',
    responseSpec: [wrapped('employeeList', 'employee', EMPLOYEE, true)],
  },
  getPaymentMethods: {
    request: [],
    response: 'GetPaymentMethodsResponse',
    responseSpec: [wrapped('paymentMethodList', 'paymentMethod', PAYMENT_METHOD, true)],
  },
  getApiVersion: {
    request: [],
    response: 'getApiVersionResponse',
    responseSpec: [
      f('majorNumber', 'number', { required: true }),
      f('minorNumber', 'number', { required: true }),
      f('revisionNumber', 'number', { required: true }),
      f('inDebugMode', 'boolean', { required: true }),
    ],
  },
  getVatGroupList: {
    request: [],
    response: 'getVatGroupListResponse',
    responseSpec: [f('vatGroup', VAT_GROUP, { list: 'repeated' })],
  },
} satisfies Record<string, Operation>;

export type OperationName = keyof typeof OPERATIONS;

export function isOperationName(name: string): name is OperationName {
  return Object.hasOwn(OPERATIONS, name);
}

// ---------------------------------------------------------------------------------------------
// Reading and writing by spec

/** Thrown when a value in a message does not fit its type (a protocol error, not a business one). */
export class MplusCodecError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MplusCodecError';
  }
}

type Plain = Record<string, unknown>;

function readScalar(type: Scalar, element: XmlElement, path: string): unknown {
  const text = element.text.trim();
  switch (type) {
    case 'string':
      return element.text;
    case 'number':
      if (!/^-?\d+$/.test(text)) throw new MplusCodecError(`${path} must be an integer, got "${text}"`);
      return Number(text);
    case 'boolean':
      if (text === 'true' || text === '1') return true;
      if (text === 'false' || text === '0') return false;
      throw new MplusCodecError(`${path} must be true or false, got "${text}"`);
  }
}

function readValue(type: Scalar | Spec, element: XmlElement, path: string): unknown {
  return typeof type === 'string' ? readScalar(type, element, path) : readSpec(type, element, path);
}

/** Reads the children of `element` that the spec knows; unknown elements are skipped. */
export function readSpec(spec: Spec, element: XmlElement | undefined, path = ''): Plain {
  const value: Plain = {};
  if (!element) return value;
  for (const field of spec) {
    const at = `${path}/${field.name}`;
    if (field.list === 'repeated') {
      const items = childrenNamed(element, field.name);
      if (items.length > 0) {
        value[field.name] = items.map((item, index) => readValue(field.type, item, `${at}[${index}]`));
      }
    } else if (field.list === 'wrapped') {
      const wrapper = child(element, field.name);
      if (wrapper) {
        value[field.name] = childrenNamed(wrapper, field.item!).map((item, index) =>
          readValue(field.type, item, `${at}/${field.item}[${index}]`),
        );
      }
    } else {
      const one = child(element, field.name);
      if (one) value[field.name] = readValue(field.type, one, at);
    }
  }
  return value;
}

function scalarText(value: unknown): string {
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value)) throw new MplusCodecError(`cannot write ${value} as an integer`);
    return String(value);
  }
  return String(value);
}

function writeValue(type: Scalar | Spec, name: string, value: unknown): XmlNode {
  if (typeof type === 'string') return { name, text: scalarText(value) };
  return { name, children: writeSpec(type, name.split(':')[0]!, value as Plain) };
}

/** The children for `value`, in the spec's order, named with `prefix`. */
export function writeSpec(spec: Spec, prefix: string, value: Plain | undefined): XmlNode[] {
  const nodes: XmlNode[] = [];
  for (const field of spec) {
    const name = `${prefix}:${field.name}`;
    const given = value?.[field.name];
    if (field.list === 'repeated') {
      for (const item of (given as unknown[] | undefined) ?? []) nodes.push(writeValue(field.type, name, item));
    } else if (field.list === 'wrapped') {
      if (given === undefined && !field.required) continue;
      const items = (given as unknown[] | undefined) ?? [];
      nodes.push({ name, children: items.map((item) => writeValue(field.type, `${prefix}:${field.item}`, item)) });
    } else if (given !== undefined && given !== null) {
      nodes.push(writeValue(field.type, name, given));
    } else if (field.required) {
      nodes.push(typeof field.type === 'string' ? { name, text: '' } : { name, children: [] });
    }
  }
  return nodes;
}
