import { Controller, Get, Header, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Public } from '../auth/auth.decorators.js';
import { Metrics } from './metrics.js';
import { OutboxGauges } from './outbox-gauges.js';

/**
 * GET /metrics in Prometheus's text format, open like the health routes: it says how busy the
 * gateway is and nothing about any order or key. Keep it off the public network.
 */
@ApiExcludeController()
@Public()
@Controller('metrics')
export class MetricsController {
  constructor(
    private readonly metrics: Metrics,
    private readonly outboxGauges: OutboxGauges,
  ) {}

  @Get()
  @Header('cache-control', 'no-store')
  async scrape(@Res({ passthrough: true }) reply: FastifyReply): Promise<string> {
    // A scrape while the database is away still answers, with the gauges as last read.
    await this.outboxGauges.refresh().catch(() => undefined);
    void reply.header('content-type', this.metrics.contentType);
    return this.metrics.render();
  }
}
