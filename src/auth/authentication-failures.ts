import { Inject, Injectable } from '@nestjs/common';
import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';

// Failed authentications (a key that is unknown, revoked or expired) counted per client address
// and per key prefix (the first characters of a key, as the admin routes show them). Past
// AUTH_FAILURE_LIMIT in AUTH_FAILURE_WINDOW_SECONDS, further unknown keys from that address, or
// with that prefix, are answered 429 without being looked up, so a flood of made-up keys costs
// no database work. A key this process already knows as usable is still let through.
//
// Counted in each process's memory, not across processes as the request rate limit is: the
// point is to spare the database, and a shared counter would itself cost a round trip per
// refused request. With N processes, a client gets up to N × the limit before every one refuses.

@Injectable()
export class AuthenticationFailures {
  private readonly byAddress: RateLimiterMemory | null;
  private readonly byPrefix: RateLimiterMemory | null;

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {
    const limit = config.AUTH_FAILURE_LIMIT;
    const options = { points: limit, duration: config.AUTH_FAILURE_WINDOW_SECONDS };
    this.byAddress = limit > 0 ? new RateLimiterMemory({ ...options, keyPrefix: 'address' }) : null;
    this.byPrefix = limit > 0 ? new RateLimiterMemory({ ...options, keyPrefix: 'prefix' }) : null;
  }

  get limit(): number {
    return this.config.AUTH_FAILURE_LIMIT;
  }

  /** Seconds until this address or prefix may try unknown keys again, or null when it may now. */
  async blockedFor(address: string, prefix: string): Promise<number | null> {
    if (!this.byAddress || !this.byPrefix) return null;
    const states = await Promise.all([this.byAddress.get(address), this.byPrefix.get(prefix)]);
    const waits = states
      .filter((state): state is RateLimiterRes => state !== null && state.consumedPoints >= this.limit)
      .map((state) => Math.max(1, Math.ceil(state.msBeforeNext / 1000)));
    return waits.length > 0 ? Math.max(...waits) : null;
  }

  async failed(address: string, prefix: string): Promise<void> {
    if (!this.byAddress || !this.byPrefix) return;
    // A refusal from consume only says the limit is now reached: it is what blockedFor reads next.
    await Promise.allSettled([this.byAddress.consume(address), this.byPrefix.consume(prefix)]);
  }
}
