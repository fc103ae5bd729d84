import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { OutboxModule } from '../outbox/outbox.module.js';
import { BackOfficeHealth } from './back-office.health.js';
import { DatabaseHealth } from './database.health.js';
import { DatabasePingRepository } from './database-ping.repository.js';
import { HealthController } from './health.controller.js';
import { OutboxHealth } from './outbox.health.js';

@Module({
  imports: [TerminusModule.forRoot({ errorLogStyle: 'json' }), OutboxModule],
  controllers: [HealthController],
  providers: [BackOfficeHealth, DatabaseHealth, DatabasePingRepository, OutboxHealth],
})
export class HealthModule {}
