import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { Redis } from 'ioredis';
import {
  type RateLimiterAbstract,
  RateLimiterMemory,
  RateLimiterPostgres,
  RateLimiterRedis,
  RateLimiterRes,
} from 'rate-limiter-flexible';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';
import { Database } from '../database/database.js';

// Where the rate-limit counters live (rate-limiter-flexible): one count per key for all gateway
// processes, so that N replicas behind a balancer do not give a key N times its limit.
//   - REDIS_URL set: in Redis;
//   - otherwise in Postgres, the unlogged table rate_limits (one upsert per request);
//   - on the embedded store, where only one gateway runs, in the process.
// When Redis or Postgres cannot be reached, each process counts for itself meanwhile (the
// library's insurance limiter), rather than refuse or wave through every request.
//
// A shared count costs a round trip per request, and every request of a key updates one row (or
// Redis key), so the requests of a busy key queue on it. So a process takes a key's allowance a
// share at a time (a twentieth of the limit) and counts it out locally: the shared store is asked
// once per share, not per request. Nothing lets more than the limit through in a window; what a
// share leaves unused at the window's end is lost, and a share asked for when fewer are left is
// refused (and counted), so with N processes a key may get up to N × share fewer requests than its
// limit in a window. Below 40 a window the share is one request: exact.

export type LimiterStore = 'redis' | 'postgres' | 'memory';

const logger = new Logger('RateLimit');

/** The share of a key's allowance a process takes at a time: a twentieth of the limit. */
const SHARE_OF_LIMIT = 20;

/** What a process holds of a key's allowance in the current window. */
interface Share {
  left: number;
  /** When the window ends (ms, this process's clock). */
  until: number;
  /** What the shared store had left when the share was taken. */
  storeLeft: number;
}

@Injectable()
export class RequestLimiter implements OnApplicationShutdown {
  readonly store: LimiterStore;
  private readonly limiter: RateLimiterAbstract | null;
  private readonly redis: Redis | undefined;
  private readonly share: number;
  private readonly shares = new Map<string, Share>();
  /** A share being taken, per key: the requests that wait for it wait together. */
  private readonly taking = new Map<string, Promise<void>>();

  constructor(@Inject(APP_CONFIG) config: AppConfig, database: Database) {
    this.store = config.REDIS_URL ? 'redis' : database.connection.embedded ? 'memory' : 'postgres';
    this.share = this.store === 'memory' ? 1 : Math.max(1, Math.floor(config.RATE_LIMIT_REQUESTS / SHARE_OF_LIMIT));
    if (config.RATE_LIMIT_REQUESTS <= 0) {
      this.limiter = null;
      return;
    }
    const limits = { points: config.RATE_LIMIT_REQUESTS, duration: config.RATE_LIMIT_WINDOW_MS / 1000 };
    const insurance = new RateLimiterMemory(limits);
    switch (this.store) {
      case 'memory':
        this.limiter = insurance;
        break;
      case 'postgres':
        this.limiter = new RateLimiterPostgres({
          ...limits,
          storeClient: database.pool,
          storeType: 'pool',
          tableName: 'rate_limits',
          // The migrations made it.
          tableCreated: true,
          keyPrefix: 'og',
          insuranceLimiter: insurance,
        });
        break;
      case 'redis':
        this.redis = new Redis(config.REDIS_URL!, {
          // Fail a command at once while Redis is away, so that the insurance limiter answers.
          enableOfflineQueue: false,
          maxRetriesPerRequest: 1,
          lazyConnect: false,
        });
        this.redis.on('error', (error: Error) => logger.warn(`Redis: ${error.message}`));
        this.limiter = new RateLimiterRedis({
          ...limits,
          storeClient: this.redis,
          keyPrefix: 'og:rate',
          insuranceLimiter: insurance,
        });
        break;
    }
  }

  get limit(): number | null {
    return this.limiter?.points ?? null;
  }

  /** Takes one request of the key's allowance; throws the RateLimiterRes when none is left. */
  async consume(key: string): Promise<RateLimiterRes> {
    const limiter = this.limiter!;
    if (this.share === 1) return limiter.consume(key);
    for (;;) {
      const held = this.shares.get(key);
      const now = Date.now();
      if (held && held.until > now && held.left > 0) {
        held.left -= 1;
        return new RateLimiterRes(held.storeLeft + held.left, held.until - now);
      }
      const taking = this.taking.get(key) ?? this.takeShare(limiter, key);
      await taking;
      // Taken, or refused with what the store says (thrown): count it out from the top.
    }
  }

  /** A share of the key's allowance from the store (a refusal thrown to every request waiting for it). */
  private takeShare(limiter: RateLimiterAbstract, key: string): Promise<void> {
    const taking = (async () => {
      const taken = await limiter.consume(key, this.share);
      this.shares.set(key, {
        left: this.share,
        until: Date.now() + taken.msBeforeNext,
        storeLeft: taken.remainingPoints,
      });
    })().finally(() => this.taking.delete(key));
    this.taking.set(key, taking);
    if (this.shares.size > 10_000) this.forgetEnded();
    return taking;
  }

  private forgetEnded(): void {
    const now = Date.now();
    for (const [key, held] of this.shares) if (held.until <= now) this.shares.delete(key);
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.redis) await this.redis.quit().catch(() => undefined);
  }
}
