import { Global, Module } from '@nestjs/common';
import { OrderEventsModule } from '../events/order-events.module.js';
import { OutboxModule } from '../outbox/outbox.module.js';
import { ApiLoad } from './api-load.js';
import { MetricsController } from './metrics.controller.js';
import { Metrics } from './metrics.js';
import { OutboxGauges } from './outbox-gauges.js';

/** Prometheus metrics at /metrics; `Metrics` is injected where something is measured, `ApiLoad` where load matters. */
@Global()
@Module({
  imports: [OutboxModule, OrderEventsModule],
  controllers: [MetricsController],
  providers: [Metrics, OutboxGauges, ApiLoad],
  exports: [Metrics, ApiLoad],
})
export class MetricsModule {}
