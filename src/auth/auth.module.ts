import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { WriteQueryGuard } from '../common/http/write-query.guard.js';
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
    // After authentication: a caller without a key hears 401 before anything about its query.
    { provide: APP_GUARD, useClass: WriteQueryGuard },
  ],
  exports: [ApiKeysService],
})
export class AuthModule {}
