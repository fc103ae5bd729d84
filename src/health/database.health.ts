import { Injectable } from '@nestjs/common';
import { HealthIndicatorService, type HealthIndicatorResult } from '@nestjs/terminus';
import { PrismaService } from '../database/prisma.service.js';

const TIMEOUT_MS = 2000;

/** Whether Postgres answers `SELECT 1` in time. The message says so, never the driver's text. */
@Injectable()
export class DatabaseHealth {
  constructor(
    private readonly indicators: HealthIndicatorService,
    private readonly prisma: PrismaService,
  ) {}

  async check(key: string): Promise<HealthIndicatorResult> {
    const session = this.indicators.check(key);
    const started = performance.now();
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), TIMEOUT_MS);
    });
    try {
      const answer = await Promise.race([this.prisma.$queryRaw`SELECT 1`, timeout]);
      if (answer === 'timeout') return session.down({ message: `no answer within ${TIMEOUT_MS} ms` });
      return session.up({ response_ms: Math.round(performance.now() - started) });
    } catch {
      return session.down({ message: 'the database cannot be reached' });
    } finally {
      clearTimeout(timer);
    }
  }
}
