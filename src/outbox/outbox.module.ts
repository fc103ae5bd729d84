import { Module } from '@nestjs/common';
import { JobsRepository } from './jobs.js';
import { OrderSyncRepository } from './order-sync.repository.js';
import { OutboxSignal } from './outbox-signal.js';
import { OutboxRepository } from './outbox.repository.js';

@Module({
  providers: [OutboxRepository, OrderSyncRepository, JobsRepository, OutboxSignal],
  exports: [OutboxRepository, OrderSyncRepository, JobsRepository, OutboxSignal],
})
export class OutboxModule {}
