import { Injectable } from '@nestjs/common';
import { HealthIndicatorService, type HealthIndicatorResult } from '@nestjs/terminus';
import { DatabasePingRepository } from './database-ping.repository.js';
import { withTimeout } from './with-timeout.js';

const TIMEOUT_MS = 2000;

/** Whether Postgres answers `SELECT 1` in time. The message says so, never the driver's text. */
@Injectable()
export class DatabaseHealth {
  constructor(
    private readonly indicators: HealthIndicatorService,
    private readonly database: DatabasePingRepository,
  ) {}

  async check(key: string): Promise<HealthIndicatorResult> {
    const session = this.indicators.check(key);
    const started = performance.now();
    try {
      const answer = await withTimeout(this.database.ping(), TIMEOUT_MS);
      if (answer === 'timeout') return session.down({ message: `no answer within ${TIMEOUT_MS} ms` });
      return session.up({ response_ms: Math.round(performance.now() - started), installation_id: answer });
    } catch {
      return session.down({ message: 'the database cannot be reached' });
    }
  }
}
