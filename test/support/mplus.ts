import { WSDL_FILE } from './wsdl.js';
import type { BackOfficeOrder } from '../../src/back-office/back-office.port.js';
import { Decimal } from '../../src/common/money/money.js';
import { MplusBackOffice, type MplusSettings } from '../../src/mplus/mplus-back-office.js';
import { MplusSoapClient } from '../../src/mplus/soap/mplus-soap.client.js';
import { MplusSimulator } from '../../src/mplus/simulator/simulator-server.js';
import { RecordingProxy } from './recording-proxy.js';

// The MplusKASSA adapter against a simulator over real HTTP, optionally through a recording proxy.

export interface MplusHarness {
  simulator: MplusSimulator;
  proxy: RecordingProxy | undefined;
  client: MplusSoapClient;
  backOffice: MplusBackOffice;
  stop(): Promise<void>;
}

export const TEST_SETTINGS: MplusSettings = {
  employeeNumber: 999999,
  branchNumber: 1,
  currency: 'EUR',
  defaultPaymentMethod: 'IDEAL',
  paymentMethods: new Map([[3, 'PIN']]),
  deliveryMethods: new Map([[4, 'POSTNL']]),
  orderCategoryNumber: 1,
  defaultRelationNumber: null,
  defaultRelationPolicy: 'no-email',
  paymentTerms: new Map([[5, 14]]),
  shippingArticleNumber: 9001,
  paymentFeeArticleNumber: 9003,
  refundPaymentMethod: '',
};

export async function startMplus(
  options: { proxy?: boolean; settings?: Partial<MplusSettings>; readTimeoutMs?: number; secret?: string } = {},
): Promise<MplusHarness> {
  const simulator = new MplusSimulator({ ident: 'shop', secret: 's3cr3t', wsdlFile: WSDL_FILE ?? null });
  const url = await simulator.start();
  const proxy = options.proxy ? new RecordingProxy(url) : undefined;
  const target = proxy ? await proxy.start() : url;
  const client = new MplusSoapClient({
    url: target,
    ident: 'shop',
    secret: options.secret ?? 's3cr3t',
    connectTimeoutMs: 1_000,
    readTimeoutMs: options.readTimeoutMs ?? 2_000,
  });
  const backOffice = new MplusBackOffice(client, { ...TEST_SETTINGS, ...options.settings });
  return {
    simulator,
    proxy,
    client,
    backOffice,
    stop: async () => {
      backOffice.close();
      await proxy?.stop();
      await simulator.stop();
    },
  };
}

let sequence = 0;

export function backOfficeOrder(overrides: Partial<BackOfficeOrder> = {}): BackOfficeOrder {
  sequence += 1;
  const address = {
    name: 'Jan Novák',
    companyName: null,
    street: 'Dlouhá 1',
    zip: '11000',
    city: 'Praha',
    country: 'CZ',
  };
  return {
    externalId: `og-test-${process.pid}-${sequence}`,
    reference: `Order ${sequence}`,
    dateOrder: new Date('2024-05-02T08:15:00Z'),
    currency: 'EUR',
    customer: {
      email: `customer${sequence}@example.cz`,
      name: 'Jan Novák',
      companyName: null,
      phone: '+420600000000',
      vatNumber: null,
      companyNumber: null,
    },
    billingAddress: address,
    deliveryAddress: { ...address, name: 'Jana Nováková', street: 'Krátká 2' },
    lines: [
      {
        articleNumber: '1001',
        name: 'Coffee mug',
        count: 2,
        unitPrice: new Decimal('12.1'),
        vatRate: new Decimal(21),
        discount: new Decimal(0),
      },
    ],
    fees: [],
    shippingMethodId: 4,
    paymentMethodId: null,
    ...overrides,
  };
}
