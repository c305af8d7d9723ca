import { Global, Module } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { throttleConfig } from '../../config/throttle.config.js';
import { ClientThrottleGuard } from './client-throttle.guard.js';
import { FixedWindowThrottlerStorage } from './fixed-window-throttler.storage.js';
import { RedisThrottlerStorage } from './redis-throttler.storage.js';
import { ThrottlerStorage } from './throttler-storage.js';

@Global()
@Module({
  providers: [
    FixedWindowThrottlerStorage,
    {
      // Shared counters in Redis when REDIS_URL is set; otherwise this process counts.
      provide: ThrottlerStorage,
      inject: [throttleConfig.KEY, FixedWindowThrottlerStorage],
      useFactory: (
        config: ConfigType<typeof throttleConfig>,
        local: FixedWindowThrottlerStorage,
      ) => (config.redisUrl ? new RedisThrottlerStorage(config.redisUrl, local) : local),
    },
    ClientThrottleGuard,
  ],
  exports: [ThrottlerStorage, ClientThrottleGuard],
})
export class ThrottlingModule {}
