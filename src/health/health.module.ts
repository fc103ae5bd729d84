import { Inject, Injectable, Module, type OnApplicationBootstrap } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';
import { TerminusModule } from '@nestjs/terminus';
import { OrderEventsModule } from '../events/order-events.module.js';
import { OutboxModule } from '../outbox/outbox.module.js';
import { BackOfficeHealth } from './back-office.health.js';
import { DatabaseHealth } from './database.health.js';
import { DatabasePingRepository } from './database-ping.repository.js';
import { HealthController } from './health.controller.js';
import { OutboxHealth } from './outbox.health.js';
import { WebhooksHealth } from './webhooks.health.js';

/** INSTALLATION_ID, when set, made the database's installation id before any order is made. */
@Injectable()
class InstallationSetting implements OnApplicationBootstrap {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly database: DatabasePingRepository,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (this.config.INSTALLATION_ID) await this.database.adoptInstallation(this.config.INSTALLATION_ID);
  }
}

@Module({
  imports: [TerminusModule.forRoot({ errorLogStyle: 'json' }), OutboxModule, OrderEventsModule],
  controllers: [HealthController],
  providers: [
    BackOfficeHealth,
    DatabaseHealth,
    DatabasePingRepository,
    OutboxHealth,
    WebhooksHealth,
    InstallationSetting,
  ],
})
export class HealthModule {}
