// What our rate-limit storages offer: @nestjs/throttler's storage contract, plus forgetting a key
// (a successful login clears its username's count; the library's guard never needs that).
// Two implementations: FixedWindowThrottlerStorage (this process) and RedisThrottlerStorage
// (shared by every replica); ThrottlingModule puts one of them behind the module's `storage:`.
import type { ThrottlerStorage } from '@nestjs/throttler';

/** What one hit answers (the library's index does not export its name for it). */
export type ThrottlerStorageRecord = Awaited<ReturnType<ThrottlerStorage['increment']>>;

export interface ResettableThrottlerStorage extends ThrottlerStorage {
  reset(key: string): Promise<void>;
}
