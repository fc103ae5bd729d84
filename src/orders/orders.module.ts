import { Module } from '@nestjs/common';
import { CatalogueModule } from '../catalogue/catalogue.module.js';
import { OrderEventsModule } from '../events/order-events.module.js';
import { OutboxModule } from '../outbox/outbox.module.js';
import { ShippersModule } from '../shippers/shippers.module.js';
import { StatusesModule } from '../statuses/statuses.module.js';
import { OrderHistoryController } from './history/order-history.controller.js';
import { OrderHistoryRepository } from './history/order-history.repository.js';
import { OrderHistoryService } from './history/order-history.service.js';
import { OrderItemsController } from './order-items.controller.js';
import { OrderItemsService } from './order-items.service.js';
import { OrderLifecycleController } from './order-lifecycle.controller.js';
import { OrderLifecycleService } from './order-lifecycle.service.js';
import { OrderMapper } from './order.mapper.js';
import { OrderWriter } from './order-writer.js';
import { OrdersController } from './orders.controller.js';
import { OrdersRepository } from './orders.repository.js';
import { OrdersService } from './orders.service.js';
import { FeeArticles } from './fee-articles.js';
import { OrderCreations } from './order-creations.js';
import { OrderBatchController } from './batch/order-batch.controller.js';
import { OrderBatchService } from './batch/order-batch.service.js';
import { OrderRefundsController } from './refunds/order-refunds.controller.js';
import { OrderRefundsService } from './refunds/order-refunds.service.js';

@Module({
  imports: [StatusesModule, ShippersModule, OutboxModule, OrderEventsModule, CatalogueModule],
  controllers: [
    // Before OrdersController: /System/Orders/batch is not an order id.
    OrderBatchController,
    OrdersController,
    OrderItemsController,
    OrderLifecycleController,
    OrderHistoryController,
    OrderRefundsController,
  ],
  providers: [
    OrdersRepository,
    OrderHistoryRepository,
    OrderWriter,
    OrderMapper,
    OrdersService,
    OrderItemsService,
    OrderLifecycleService,
    OrderHistoryService,
    FeeArticles,
    OrderCreations,
    OrderBatchService,
    OrderRefundsService,
  ],
  exports: [OrdersRepository, OrderHistoryRepository, OrderWriter, OrderMapper],
})
export class OrdersModule {}
