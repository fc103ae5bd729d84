import { Module } from '@nestjs/common';
import { CatalogueModule } from '../catalogue/catalogue.module.js';
import { OrdersModule } from '../orders/orders.module.js';
import { OrderEventsModule } from '../events/order-events.module.js';
import { OutboxModule } from '../outbox/outbox.module.js';
import { BackOfficeListsService } from './back-office-lists.service.js';
import { InboundSync } from './inbound-sync.js';
import { OrderForwarder } from './order-forwarder.js';
import { OutboxDispatcher } from './outbox-dispatcher.js';
import { ResyncService } from './resync.service.js';
import { SyncController } from './sync.controller.js';
import { SyncWorker } from './sync-worker.js';
import { WorkerLiveness } from './worker-liveness.js';
import { JobLocksRepository } from './job-locks.repository.js';
import { SyncCursorRepository } from './sync-cursor.repository.js';

/** Orders to and from the back office: forwarding, reading back, resync and its lists. */
@Module({
  imports: [OrdersModule, OutboxModule, OrderEventsModule, CatalogueModule],
  controllers: [SyncController],
  providers: [
    OrderForwarder,
    OutboxDispatcher,
    InboundSync,
    SyncWorker,
    WorkerLiveness,
    JobLocksRepository,
    SyncCursorRepository,
    ResyncService,
    BackOfficeListsService,
  ],
  exports: [InboundSync],
})
export class SyncModule {}
