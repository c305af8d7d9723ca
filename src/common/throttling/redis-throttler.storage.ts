// Rate-limit counters in Redis, so every replica counts against the same limits. One Lua script
// per hit keeps the check-and-count atomic (one round trip). When Redis cannot be reached, the
// hit is counted by this process instead: limits then hold per replica rather than not at all.
import { Logger, type OnModuleDestroy } from '@nestjs/common';
import { Redis } from 'ioredis';
import type { FixedWindowThrottlerStorage } from './fixed-window-throttler.storage.js';
import type {
  ResettableThrottlerStorage,
  ThrottlerStorageRecord,
} from './resettable-throttler-storage.js';

const KEY_PREFIX = 'vigil:throttle:';
const COMMAND_TIMEOUT_MS = 250;

// KEYS[1] the window's counter, KEYS[2] the block marker; ARGV ttl ms, limit, block ms.
// Returns {hits, ms left in the window, blocked 0/1, ms left in the block}.
const HIT_SCRIPT = `
local blockLeft = redis.call('PTTL', KEYS[2])
if blockLeft > 0 then
  local hits = tonumber(redis.call('GET', KEYS[1]) or '0')
  return {hits, math.max(redis.call('PTTL', KEYS[1]), 0), 1, blockLeft}
end
local hits = redis.call('INCR', KEYS[1])
if hits == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
local windowLeft = redis.call('PTTL', KEYS[1])
if hits > tonumber(ARGV[2]) then
  redis.call('SET', KEYS[2], '1', 'PX', ARGV[3])
  return {hits, windowLeft, 1, tonumber(ARGV[3])}
end
return {hits, windowLeft, 0, 0}
`;

type HitReply = [number, number, number, number];

/** The client with the script defined on it (ioredis adds it at run time). */
type ScriptedRedis = Redis & {
  vigilHit(counter: string, marker: string, ...args: number[]): Promise<HitReply>;
};

export class RedisThrottlerStorage implements ResettableThrottlerStorage, OnModuleDestroy {
  private readonly logger = new Logger(RedisThrottlerStorage.name);
  private readonly redis: ScriptedRedis;
  private degraded = false;

  constructor(
    url: string,
    private readonly fallback: FixedWindowThrottlerStorage,
  ) {
    this.redis = new Redis(url, {
      keyPrefix: KEY_PREFIX,
      commandTimeout: COMMAND_TIMEOUT_MS,
      // A command waits for the connection at most COMMAND_TIMEOUT_MS (start-up, a blip); once
      // Redis is known to be down, hits go straight to the fallback (see `shared`).
      enableOfflineQueue: true,
      maxRetriesPerRequest: 1,
    }) as ScriptedRedis;
    this.redis.defineCommand('vigilHit', { numberOfKeys: 2, lua: HIT_SCRIPT });
    this.redis.on('error', (error) => this.degrade(error));
    this.redis.on('ready', () => {
      if (this.degraded) this.logger.log('Redis is back: rate limits are shared again');
      this.degraded = false;
    });
  }

  /** As FixedWindowThrottlerStorage.increment, counted in Redis. */
  async increment(
    key: string,
    ttl: number,
    limit: number,
    blockDuration: number,
    throttlerName: string,
  ): Promise<ThrottlerStorageRecord> {
    const block = blockDuration || ttl;
    if (!this.shared) return this.fallback.increment(key, ttl, limit, blockDuration, throttlerName);
    try {
      const [hits, windowLeft, blocked, blockLeft] = await this.redis.vigilHit(
        key,
        `${key}:blocked`,
        ttl,
        limit,
        block,
      );
      return {
        totalHits: hits,
        timeToExpire: Math.ceil(windowLeft / 1000),
        isBlocked: blocked === 1,
        timeToBlockExpire: blocked === 1 ? Math.ceil(blockLeft / 1000) : 0,
      };
    } catch (error) {
      this.degrade(error);
      return this.fallback.increment(key, ttl, limit, blockDuration, throttlerName);
    }
  }

  async reset(key: string): Promise<void> {
    await this.fallback.reset(key);
    if (!this.shared) return;
    try {
      await this.redis.del(key, `${key}:blocked`);
    } catch (error) {
      this.degrade(error);
    }
  }

  /** Counting in Redis: not since an error, unless the connection has come back. */
  private get shared(): boolean {
    return !this.degraded || this.redis.status === 'ready';
  }

  async onModuleDestroy(): Promise<void> {
    this.fallback.onModuleDestroy();
    if (this.redis.status === 'ready') await this.redis.quit().catch(() => undefined);
    this.redis.disconnect();
  }

  private degrade(error: unknown): void {
    if (this.degraded) return;
    this.degraded = true;
    this.logger.error(
      { err: error },
      'Redis unreachable: rate limits are counted per replica until it returns',
    );
  }
}
