import { Inject, Injectable } from '@nestjs/common';
import { HealthIndicatorService, type HealthIndicatorResult } from '@nestjs/terminus';
import { BACK_OFFICE, type BackOfficePort } from '../back-office/back-office.port.js';
import { withTimeout } from './with-timeout.js';

const TIMEOUT_MS = 2000;
/** Probes come every few seconds from every balancer; MplusKASSA is asked at most this often. */
const CACHE_MS = 5000;

/** Whether MplusKASSA answers (getApiVersion): `up` with its version, else `degraded`. */
@Injectable()
export class BackOfficeHealth {
  private cached: { at: number; result: Promise<HealthIndicatorResult> } | undefined;

  constructor(
    private readonly indicators: HealthIndicatorService,
    @Inject(BACK_OFFICE) private readonly backOffice: BackOfficePort,
  ) {}

  check(key: string): Promise<HealthIndicatorResult> {
    if (!this.cached || Date.now() - this.cached.at > CACHE_MS) {
      this.cached = { at: Date.now(), result: this.probe(key) };
    }
    return this.cached.result;
  }

  private async probe(key: string): Promise<HealthIndicatorResult> {
    const session = this.indicators.check(key);
    try {
      const outcome = await withTimeout(this.backOffice.version(), TIMEOUT_MS);
      if (outcome === 'timeout') return session.degraded({ message: `no answer within ${TIMEOUT_MS} ms` });
      if (outcome.kind === 'accepted') return session.up({ version: outcome.value });
      return session.degraded({
        message: outcome.kind === 'rejected' ? `${outcome.code}: ${outcome.message}` : outcome.reason,
      });
    } catch (error) {
      return session.degraded({ message: (error as Error).message });
    }
  }
}
