// In-process rate-limit storage with O(1) work per request: one counter per key and window.
// (The stock @nestjs/throttler storage keeps every hit's timestamp and filters the array on each
// request, which collapses throughput for a busy client.) Expired windows are swept in the
// background, never on the request path.
import type { OnModuleDestroy } from '@nestjs/common';
import type {
  ResettableThrottlerStorage,
  ThrottlerStorageRecord,
} from './resettable-throttler-storage.js';

interface Window {
  hits: number;
  /** Epoch ms when the counting window ends. */
  endsAt: number;
  /** Epoch ms when the block ends; 0 when not blocked. */
  blockedUntil: number;
}

const SWEEP_INTERVAL_MS = 30_000;

export class FixedWindowThrottlerStorage implements ResettableThrottlerStorage, OnModuleDestroy {
  private readonly windows = new Map<string, Window>();

  private readonly sweeper = setInterval(() => this.sweep(Date.now()), SWEEP_INTERVAL_MS).unref();

  /**
   * Counts one hit on `key` in a fixed window of `ttl` ms; past `limit` hits the key is blocked
   * for `blockDuration` ms (0: for `ttl`), and hits while blocked are not counted. The throttler's
   * name is already part of the key (ClientThrottleGuard.keyOf). `now` is for tests.
   */
  increment(
    key: string,
    ttl: number,
    limit: number,
    blockDuration: number,
    _throttlerName: string,
    now = Date.now(),
  ): Promise<ThrottlerStorageRecord> {
    let window = this.windows.get(key);
    if (!window || (window.endsAt <= now && window.blockedUntil <= now)) {
      window = { hits: 0, endsAt: now + ttl, blockedUntil: 0 };
      this.windows.set(key, window);
    } else if (window.endsAt <= now) {
      window.hits = 0;
      window.endsAt = now + ttl;
    }
    if (window.blockedUntil <= now) {
      window.hits += 1;
      if (window.hits > limit) window.blockedUntil = now + (blockDuration || ttl);
    }
    const blocked = window.blockedUntil > now;
    // A promise because that is the library's contract; its guard awaits one either way.
    return Promise.resolve({
      totalHits: window.hits,
      timeToExpire: Math.ceil((window.endsAt - now) / 1000),
      isBlocked: blocked,
      timeToBlockExpire: blocked ? Math.ceil((window.blockedUntil - now) / 1000) : 0,
    });
  }

  reset(key: string): Promise<void> {
    this.windows.delete(key);
    return Promise.resolve();
  }

  get size(): number {
    return this.windows.size;
  }

  sweep(now: number): void {
    for (const [key, window] of this.windows) {
      if (window.endsAt <= now && window.blockedUntil <= now) this.windows.delete(key);
    }
  }

  onModuleDestroy(): void {
    clearInterval(this.sweeper);
  }
}
