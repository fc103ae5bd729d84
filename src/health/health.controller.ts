import { Controller, Get, Res, ServiceUnavailableException } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import { HealthCheckService, type HealthCheckResult } from '@nestjs/terminus';
import type { FastifyReply } from 'fastify';
import { Public } from '../auth/auth.decorators.js';
import { HealthCheckModel } from './health-check.model.js';
import { BackOfficeHealth } from './back-office.health.js';
import { DatabaseHealth } from './database.health.js';
import { OutboxHealth } from './outbox.health.js';
import { WebhooksHealth } from './webhooks.health.js';

// Liveness says the process serves HTTP; readiness says it can take orders, which needs the
// database and nothing else: with MplusKASSA away (or behind), orders wait in the outbox, so
// those two make readiness `degraded` (still 200) rather than take the gateway out of service.
// While the gateway shuts down both answer 503 `shutting_down`.

@ApiTags('Health')
@Public()
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly database: DatabaseHealth,
    private readonly backOffice: BackOfficeHealth,
    private readonly outbox: OutboxHealth,
    private readonly webhooks: WebhooksHealth,
  ) {}

  @Get('live')
  @ApiOperation({ summary: 'Liveness', description: 'The process is up and serving HTTP. No key needed.' })
  @ApiOkResponse({ type: HealthCheckModel })
  @ApiServiceUnavailableResponse({ type: HealthCheckModel, description: 'Shutting down.' })
  live(@Res({ passthrough: true }) reply: FastifyReply): Promise<HealthCheckResult> {
    return answer(reply, this.health.check([]));
  }

  @Get('ready')
  @ApiOperation({
    summary: 'Readiness',
    description:
      'Ready to take orders: 200 when the database answers (status `ok`, or `degraded` when MplusKASSA cannot be ' +
      'reached, the outbox is behind or a webhook subscription keeps failing), 503 when it does not or while shutting down. No key needed.',
  })
  @ApiOkResponse({ type: HealthCheckModel })
  @ApiServiceUnavailableResponse({ type: HealthCheckModel, description: 'Not ready.' })
  ready(@Res({ passthrough: true }) reply: FastifyReply): Promise<HealthCheckResult> {
    return answer(
      reply,
      this.health.check([
        () => this.database.check('database'),
        () => this.outbox.check('outbox'),
        () => this.backOffice.check('back_office'),
        () => this.webhooks.check('webhooks'),
      ]),
    );
  }
}

/** Terminus throws its result as a 503 exception; it is answered as the same body, not a problem. */
async function answer(reply: FastifyReply, check: Promise<HealthCheckResult>): Promise<HealthCheckResult> {
  try {
    return await check;
  } catch (error) {
    if (!(error instanceof ServiceUnavailableException)) throw error;
    void reply.status(503);
    return error.getResponse() as HealthCheckResult;
  }
}
