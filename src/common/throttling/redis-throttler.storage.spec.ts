// Against the real Redis of the machine (REDIS_URL, default redis://127.0.0.1:6379).
import { randomUUID } from 'node:crypto';
import { FixedWindowThrottlerStorage } from './fixed-window-throttler.storage.js';
import { RedisThrottlerStorage } from './redis-throttler.storage.js';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const NAME = 'default';

describe(RedisThrottlerStorage.name, () => {
  let local: FixedWindowThrottlerStorage;
  let sut: RedisThrottlerStorage;
  let other: RedisThrottlerStorage;
  let key: string;

  beforeEach(() => {
    local = new FixedWindowThrottlerStorage();
    sut = new RedisThrottlerStorage(REDIS_URL, local);
    // A second replica: its own client and its own local counters.
    other = new RedisThrottlerStorage(REDIS_URL, new FixedWindowThrottlerStorage());
    key = `spec:${randomUUID()}`;
  });
  afterEach(async () => {
    await Promise.all([sut.onModuleDestroy(), other.onModuleDestroy()]);
    local.onModuleDestroy();
  });

  it('counts hits from every replica against one limit, then blocks all of them', async () => {
    const results = [];
    for (let i = 0; i < 6; i++)
      results.push(await (i % 2 ? other : sut).increment(key, 60_000, 5, 30_000, NAME));

    expect(results.map((r) => r.totalHits)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(results.slice(0, 5).every((r) => !r.isBlocked)).toBe(true);
    expect(results[5]).toMatchObject({ isBlocked: true, timeToBlockExpire: 30 });
    // Blocked hits are not counted, on either replica.
    expect(await other.increment(key, 60_000, 5, 30_000, NAME)).toMatchObject({
      totalHits: 6,
      isBlocked: true,
    });
    expect(local.size).toBe(0);
  });

  it('starts a new window once the old one ends', async () => {
    await sut.increment(key, 300, 1, 300, NAME);
    expect((await sut.increment(key, 300, 1, 300, NAME)).isBlocked).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 650));
    expect(await sut.increment(key, 300, 1, 300, NAME)).toMatchObject({
      totalHits: 1,
      isBlocked: false,
    });
  });

  it('forgets a key everywhere on reset', async () => {
    for (let i = 0; i < 3; i++) await sut.increment(key, 60_000, 2, 60_000, NAME);
    await other.reset(key);
    expect(await sut.increment(key, 60_000, 2, 60_000, NAME)).toMatchObject({
      totalHits: 1,
      isBlocked: false,
    });
  });

  it('counts in this process while Redis cannot be reached', async () => {
    const offline = new RedisThrottlerStorage('redis://127.0.0.1:1', local);
    try {
      const first = await offline.increment(key, 60_000, 1, 60_000, NAME);
      const second = await offline.increment(key, 60_000, 1, 60_000, NAME);
      expect(first).toMatchObject({ totalHits: 1, isBlocked: false });
      expect(second).toMatchObject({ totalHits: 2, isBlocked: true });
      expect(local.size).toBe(1);
    } finally {
      await offline.onModuleDestroy();
    }
  });
});
