// What the rate-limit guards count with. Two implementations: in this process
// (FixedWindowThrottlerStorage) and in Redis, shared by every replica (RedisThrottlerStorage).

export interface ThrottleRecord {
  totalHits: number;
  /** Seconds until the counting window ends. */
  timeToExpire: number;
  isBlocked: boolean;
  /** Seconds until the block ends; 0 when not blocked. */
  timeToBlockExpire: number;
}

export abstract class ThrottlerStorage {
  /**
   * Counts one hit on `key` in a fixed window of `ttl` ms; past `limit` hits the key is blocked
   * for `blockDuration` ms (0: for `ttl`), and hits while blocked are not counted.
   */
  abstract hit(
    key: string,
    ttl: number,
    limit: number,
    blockDuration: number,
  ): ThrottleRecord | Promise<ThrottleRecord>;

  /** Forgets a key: a successful login clears its username counter. */
  abstract reset(key: string): void | Promise<void>;
}
