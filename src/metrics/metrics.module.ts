import { Global, Module } from '@nestjs/common';
import { OutboxModule } from '../outbox/outbox.module.js';
import { MetricsController } from './metrics.controller.js';
import { Metrics } from './metrics.js';
import { OutboxGauges } from './outbox-gauges.js';

/** Prometheus metrics at /metrics; `Metrics` is injected where something is measured. */
@Global()
@Module({
  imports: [OutboxModule],
  controllers: [MetricsController],
  providers: [Metrics, OutboxGauges],
  exports: [Metrics],
})
export class MetricsModule {}
