import { type DynamicModule, Inject, Injectable, Module, type OnApplicationShutdown } from '@nestjs/common';
import { BACK_OFFICE, type BackOfficePort } from '../back-office/back-office.port.js';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';
import { MplusBackOffice, type MplusSettings } from './mplus-back-office.js';
import { Metrics } from '../metrics/metrics.js';
import { type CallObserver, type MplusConnection, MplusSoapClient } from './soap/mplus-soap.client.js';

export const MPLUS_CONNECTION = Symbol('MPLUS_CONNECTION');

/** The simulated MplusKASSA's bank transfer (simulator-seed.ts), which takes negative amounts. */
const SIMULATOR_REFUND_METHOD = 'BANK';

export function mplusSettings(config: AppConfig): MplusSettings {
  return {
    employeeNumber: config.MPLUS_EMPLOYEE_NUMBER,
    branchNumber: config.MPLUS_BRANCH_NUMBER,
    currency: config.MPLUS_CURRENCY,
    defaultPaymentMethod: config.MPLUS_PAYMENT_METHOD,
    paymentMethods: config.MPLUS_PAYMENT_METHODS,
    deliveryMethods: config.MPLUS_DELIVERY_METHODS,
    orderCategoryNumber: config.MPLUS_ORDER_CATEGORY,
    defaultRelationNumber: config.MPLUS_DEFAULT_RELATION_NUMBER,
    defaultRelationPolicy: config.MPLUS_DEFAULT_RELATION_POLICY,
    paymentTerms: config.MPLUS_PAYMENT_TERMS,
    shippingArticleNumber: config.MPLUS_SHIPPING_ARTICLE_NUMBER,
    paymentFeeArticleNumber: config.MPLUS_PAYMENT_FEE_ARTICLE_NUMBER,
    // The simulated MplusKASSA's iDEAL (the default payment method) takes no negative amounts, so
    // on the embedded default a refund is paid back by bank transfer, as a web shop's would be.
    refundPaymentMethod: config.MPLUS_REFUND_PAYMENT_METHOD || (config.MPLUS_URL ? '' : SIMULATOR_REFUND_METHOD),
  };
}

export function createMplusBackOffice(
  connection: MplusConnection,
  config: AppConfig,
  observe?: CallObserver,
): MplusBackOffice {
  return new MplusBackOffice(new MplusSoapClient(connection, observe), mplusSettings(config));
}

@Injectable()
class BackOfficeCloser implements OnApplicationShutdown {
  constructor(@Inject(BACK_OFFICE) private readonly backOffice: BackOfficePort) {}

  onApplicationShutdown(): void {
    this.backOffice.close();
  }
}

/** The back office (BACK_OFFICE) as MplusKASSA, at the given connection. */
@Module({})
export class MplusModule {
  static forConnection(connection: MplusConnection): DynamicModule {
    return {
      module: MplusModule,
      global: true,
      providers: [
        { provide: MPLUS_CONNECTION, useValue: connection },
        {
          provide: BACK_OFFICE,
          inject: [APP_CONFIG, Metrics],
          useFactory: (config: AppConfig, metrics: Metrics): BackOfficePort =>
            createMplusBackOffice(connection, config, (operation, seconds, outcome) =>
              metrics.backOfficeCalls.observe({ operation, outcome }, seconds),
            ),
        },
        BackOfficeCloser,
      ],
      exports: [BACK_OFFICE],
    };
  }
}
