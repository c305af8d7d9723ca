// Rate limits through @nestjs/throttler (the design card's throttler), with the project's own
// storages behind its `storage:` option. The library's in-memory storage keeps a timestamp per hit
// and filters that array on every request (O(n) for a busy client); ours keep one counter per key
// and window (O(1)): in this process, or in Redis when REDIS_URL is set so that every replica
// counts against the same limits.
import { Module } from '@nestjs/common';
import { seconds, ThrottlerModule, type ThrottlerModuleOptions } from '@nestjs/throttler';
import { throttleConfig, type ThrottleConfig } from '../../config/throttle.config.js';
import { ClientThrottleGuard } from './client-throttle.guard.js';
import { FixedWindowThrottlerStorage } from './fixed-window-throttler.storage.js';
import { RedisThrottlerStorage } from './redis-throttler.storage.js';

@Module({
  imports: [
    ThrottlerModule.forRootAsync({
      inject: [throttleConfig.KEY],
      useFactory: (config: ThrottleConfig): ThrottlerModuleOptions => ({
        // Nest ends the storage with the module (onModuleDestroy): Redis quits, sweepers stop.
        storage: config.redisUrl
          ? new RedisThrottlerStorage(config.redisUrl, new FixedWindowThrottlerStorage())
          : new FixedWindowThrottlerStorage(),
        // A refusal carries Retry-After (the problem filter); no X-RateLimit-* headers on every
        // response.
        setHeaders: false,
        // Per client address (the library's tracker: request.ip, IPv6 by /64), every route.
        throttlers: [{ name: 'default', limit: config.limit, ttl: seconds(config.ttlSeconds) }],
      }),
    }),
  ],
  providers: [ClientThrottleGuard],
  exports: [ClientThrottleGuard],
})
export class ThrottlingModule {}
