import { registerAs } from '@nestjs/config';
import { processEnvironment } from './environment.js';

export const throttleConfig = registerAs('throttle', () => {
  const env = processEnvironment();
  return {
    /** Every route, per client address. */
    limit: env.THROTTLE_LIMIT,
    ttlSeconds: env.THROTTLE_TTL_SECONDS,
    /** Where the counters live: Redis (shared by replicas) when set, else this process. */
    redisUrl: env.REDIS_URL,
    /** POST /api/auth/token, counted per client address and per username. */

    login: {
      perIp: env.LOGIN_LIMIT_PER_IP,
      perUsername: env.LOGIN_LIMIT_PER_USERNAME,
      windowSeconds: env.LOGIN_WINDOW_SECONDS,
    },
  };
});
export type ThrottleConfig = ReturnType<typeof throttleConfig>;
