import { Module } from '@nestjs/common';
import { JobsRepository } from './jobs.js';
import { OrderSyncRepository } from './order-sync.repository.js';
import { OutboxRepository } from './outbox.repository.js';

@Module({
  providers: [OutboxRepository, OrderSyncRepository, JobsRepository],
  exports: [OutboxRepository, OrderSyncRepository, JobsRepository],
})
export class OutboxModule {}
