import { type DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER, APP_INTERCEPTOR, APP_PIPE } from '@nestjs/core';
import { AuthModule } from './auth/auth.module.js';
import { ProblemFilter } from './common/errors/problem.filter.js';
import { AnswerInterceptor } from './common/http/answer.js';
import { ShutdownState } from './common/shutdown-state.js';
import { createValidationPipe } from './common/validation/validation.pipe.js';
import { APP_CONFIG, type AppConfig } from './config/app-config.js';
import { ConfigModule } from './config/config.module.js';
import { DatabaseModule } from './database/database.module.js';
import type { DatabaseConnectionInput } from './database/database-connection.js';
import { EventsModule } from './events/events.module.js';
import { HealthModule } from './health/health.module.js';
import { IdempotencyModule } from './idempotency/idempotency.module.js';
import { MetricsModule } from './metrics/metrics.module.js';
import { MplusModule } from './mplus/mplus.module.js';
import type { MplusConnection } from './mplus/soap/mplus-soap.client.js';
import { OrdersModule } from './orders/orders.module.js';
import { SyncModule } from './sync/sync.module.js';
import { ShippersModule } from './shippers/shippers.module.js';
import { StatusesModule } from './statuses/statuses.module.js';

@Module({})
export class AppModule {
  static register(options: {
    config: AppConfig;
    database: DatabaseConnectionInput;
    backOffice: MplusConnection;
  }): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forConfig(options.config),
        DatabaseModule.forConnection({
          ...options.database,
          poolSize: options.config.DATABASE_POOL_SIZE,
          namedStatements: options.config.DATABASE_NAMED_STATEMENTS,
        }),
        MetricsModule,
        MplusModule.forConnection(options.backOffice),
        IdempotencyModule,
        AuthModule,
        StatusesModule,
        ShippersModule,
        OrdersModule,
        SyncModule,
        EventsModule,
        HealthModule,
      ],
      providers: [
        ShutdownState,
        { provide: APP_FILTER, useClass: ProblemFilter },
        {
          provide: APP_PIPE,
          useFactory: (config: AppConfig) =>
            createValidationPipe({ defaultDebtor: config.MPLUS_DEFAULT_RELATION_NUMBER !== null }),
          inject: [APP_CONFIG],
        },
        { provide: APP_INTERCEPTOR, useClass: AnswerInterceptor },
      ],
    };
  }
}
