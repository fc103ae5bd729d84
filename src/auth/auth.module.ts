import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { ApiKeyCache } from './api-key-cache.js';
import { ApiKeyGuard } from './api-key.guard.js';
import { ApiKeyRepository } from './api-key.repository.js';
import { ApiKeysController } from './api-keys.controller.js';
import { ApiKeysService } from './api-keys.service.js';
import { AuthenticationFailures } from './authentication-failures.js';
import { RateLimitGuard } from './rate-limit.guard.js';
import { RequestLimiter } from './request-limiter.js';

@Module({
  controllers: [ApiKeysController],
  providers: [
    ApiKeyCache,
    ApiKeyRepository,
    ApiKeysService,
    AuthenticationFailures,
    RequestLimiter,
    // In this order: the rate limit counts the key the first guard found.
    { provide: APP_GUARD, useClass: ApiKeyGuard },
    { provide: APP_GUARD, useClass: RateLimitGuard },
  ],
  exports: [ApiKeysService],
})
export class AuthModule {}
