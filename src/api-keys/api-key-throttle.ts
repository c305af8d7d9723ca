// Requests with an API key count per key as well as per client address (ClientThrottleGuard,
// before authentication, like everyone's): one key used from many addresses is still one client.
// Counted once the key is known good, by its id, so unknown keys create no counters and the
// storage never holds a secret. Same limit and window as the per-address one, same storage
// (Redis when REDIS_URL is set), key `api-key:<id>`.
import { Inject, Injectable } from '@nestjs/common';
import { InjectThrottlerStorage, seconds } from '@nestjs/throttler';
import { ClientThrottleGuard } from '../common/throttling/client-throttle.guard.js';
import { RateLimitedError } from '../common/throttling/rate-limited.error.js';
import type { ResettableThrottlerStorage } from '../common/throttling/resettable-throttler-storage.js';
import { throttleConfig, type ThrottleConfig } from '../config/throttle.config.js';

const THROTTLER = 'api-key';

@Injectable()
export class ApiKeyThrottle {
  constructor(
    @InjectThrottlerStorage() private readonly storage: ResettableThrottlerStorage,
    @Inject(throttleConfig.KEY) private readonly config: ThrottleConfig,
  ) {}

  /** Counts one request made with key `id`; throws RateLimitedError past the limit. */
  async hit(id: string): Promise<void> {
    const window = seconds(this.config.ttlSeconds);
    const { isBlocked, timeToBlockExpire } = await this.storage.increment(
      ClientThrottleGuard.keyOf(THROTTLER, id),
      window,
      this.config.limit,
      window,
      THROTTLER,
    );
    if (isBlocked) throw new RateLimitedError(timeToBlockExpire);
  }
}
