import type {
  MplusDeliveryMethod,
  MplusEmployee,
  MplusOrderCategory,
  MplusPaymentMethod,
  MplusProduct,
  MplusRelation,
  MplusVatGroup,
} from '../soap/mplus.types.js';

// What a fresh simulated administration holds: a small Dutch shop. Prices in cents with VAT.

export const SEED_VAT_GROUPS: MplusVatGroup[] = [
  { vatCode: 1, vatPercentage: 9 },
  { vatCode: 2, vatPercentage: 21 },
  { vatCode: 3, vatPercentage: 0 },
];

const article = (articleNumber: number, description: string, priceIncl: number, vatCode: number, active = true) => ({
  articleNumber,
  pluNumber: String(articleNumber),
  active,
  description,
  vatCode,
  vatPercentage: SEED_VAT_GROUPS.find((group) => group.vatCode === vatCode)!.vatPercentage,
  priceIncl,
  priceExcl: Math.round(
    (priceIncl * 100) / (100 + SEED_VAT_GROUPS.find((group) => group.vatCode === vatCode)!.vatPercentage),
  ),
});

export const SEED_PRODUCTS: MplusProduct[] = [
  {
    productNumber: 100,
    description: 'Tableware',
    articleList: [
      article(1001, 'Coffee mug', 1210, 2),
      article(1002, 'Espresso cup', 795, 2),
      article(1003, 'Tea pot', 2995, 2),
      article(1004, 'Plate', 605, 2),
      article(1005, 'Gift wrap', 250, 2),
    ],
  },
  {
    productNumber: 200,
    description: 'Groceries',
    articleList: [
      article(2001, 'Coffee beans 1 kg', 1899, 1),
      article(2002, 'Green tea 100 g', 549, 1),
      article(2003, 'Dark chocolate', 325, 1),
    ],
  },
  {
    productNumber: 300,
    description: 'Books',
    articleList: [article(3001, 'Coffee atlas', 3450, 1), article(3002, 'Old catalogue', 0, 1, false)],
  },
  {
    productNumber: 900,
    description: 'Services',
    articleList: [
      article(9001, 'Shipping', 595, 2),
      article(9002, 'Voucher', 2500, 3),
      article(9003, 'Payment fee', 0, 2),
    ],
  },
];

export const SEED_RELATIONS: MplusRelation[] = [
  { relationNumber: 1, active: true, name: 'Walk-in customer' },
  {
    relationNumber: 2,
    active: true,
    name: 'Jan de Vries',
    address: 'Kerkstraat 12',
    zipcode: '1017 GC',
    city: 'Amsterdam',
    country: 'NL',
    email: 'jan.devries@example.nl',
  },
  {
    relationNumber: 3,
    active: true,
    name: 'Bakkerij Smit BV',
    companyName: 'Bakkerij Smit BV',
    contact: 'Petra Smit',
    address: 'Marktplein 3',
    zipcode: '3511 LG',
    city: 'Utrecht',
    country: 'NL',
    email: 'inkoop@bakkerijsmit.example.nl',
    vatNumber: 'NL001234567B01',
  },
];

export const SEED_EMPLOYEES: MplusEmployee[] = [
  // 999999 is the built-in super user that integrators use for orders from outside.
  { employeeNumber: 999999, name: 'API', active: true },
  { employeeNumber: 1, name: 'Anna (shop)', active: true },
];

export const SEED_DELIVERY_METHODS: MplusDeliveryMethod[] = [
  { deliveryMethod: 'PICKUP', description: 'Pick up in store', buttonText: 'Pickup', enabled: true },
  { deliveryMethod: 'POSTNL', description: 'PostNL parcel', buttonText: 'PostNL', enabled: true },
  { deliveryMethod: 'DHL', description: 'DHL parcel', buttonText: 'DHL', enabled: true },
  { deliveryMethod: 'COURIER', description: 'Bicycle courier', buttonText: 'Courier', enabled: false },
];

export const SEED_ORDER_CATEGORIES: MplusOrderCategory[] = [
  { orderCategoryNumber: 1, orderCategoryDescription: 'Webshop', allowCancel: true, allowProcess: true },
  { orderCategoryNumber: 2, orderCategoryDescription: 'Phone order', allowCancel: true, allowProcess: true },
  { orderCategoryNumber: 3, orderCategoryDescription: 'Marketplace', allowCancel: false, allowProcess: true },
];

export const SEED_PAYMENT_METHODS: MplusPaymentMethod[] = [
  { method: 'CASH', description: 'Contant', buttonText: 'Cash', allowNegativeAmount: true, active: true },
  { method: 'PIN', description: 'Pin', buttonText: 'PIN', allowNegativeAmount: true, active: true },
  { method: 'IDEAL', description: 'iDEAL', buttonText: 'iDEAL', allowNegativeAmount: false, active: true },
  { method: 'CREDITCARD', description: 'Creditcard', buttonText: 'Card', allowNegativeAmount: false, active: true },
  { method: 'PAYPAL', description: 'PayPal', buttonText: 'PayPal', allowNegativeAmount: false, active: true },
  { method: 'ONACCOUNT', description: 'Op rekening', buttonText: 'Account', allowNegativeAmount: true, active: true },
  { method: 'BANK', description: 'Bankoverschrijving', buttonText: 'Bank', allowNegativeAmount: true, active: true },
];
