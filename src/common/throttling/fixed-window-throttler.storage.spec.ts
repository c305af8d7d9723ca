import { FixedWindowThrottlerStorage } from './fixed-window-throttler.storage.js';

describe(FixedWindowThrottlerStorage.name, () => {
  let sut: FixedWindowThrottlerStorage;
  const t0 = 1_000_000;
  const NAME = 'default';

  beforeEach(() => {
    sut = new FixedWindowThrottlerStorage();
  });
  afterEach(() => sut.onModuleDestroy());

  it('counts hits within a window and blocks past the limit for the block duration', async () => {
    for (let i = 1; i <= 3; i++) {
      expect(await sut.increment('k', 60_000, 3, 120_000, NAME, t0 + i)).toMatchObject({
        totalHits: i,
        isBlocked: false,
      });
    }
    const over = await sut.increment('k', 60_000, 3, 120_000, NAME, t0 + 10);
    expect(over).toMatchObject({ totalHits: 4, isBlocked: true, timeToBlockExpire: 120 });
    // Still blocked after the counting window ended, until the block does.
    expect((await sut.increment('k', 60_000, 3, 120_000, NAME, t0 + 61_000)).isBlocked).toBe(true);
    expect(await sut.increment('k', 60_000, 3, 120_000, NAME, t0 + 120_011)).toMatchObject({
      totalHits: 1,
      isBlocked: false,
    });
  });

  it('starts a new window when the old one expired', async () => {
    await sut.increment('k', 1_000, 5, 0, NAME, t0);
    await sut.increment('k', 1_000, 5, 0, NAME, t0 + 1);
    expect(await sut.increment('k', 1_000, 5, 0, NAME, t0 + 1_000)).toMatchObject({
      totalHits: 1,
      timeToExpire: 1,
    });
  });

  it('keeps keys independent', async () => {
    await sut.increment('a', 1_000, 1, 0, NAME, t0);
    expect((await sut.increment('a', 1_000, 1, 0, NAME, t0)).isBlocked).toBe(true);
    expect((await sut.increment('b', 1_000, 1, 0, NAME, t0)).isBlocked).toBe(false);
  });

  it('sweeps only expired, unblocked windows', async () => {
    await sut.increment('old', 1_000, 10, 0, NAME, t0);
    await sut.increment('blocked', 1_000, 0, 10_000, NAME, t0);
    await sut.increment('fresh', 1_000, 10, 0, NAME, t0 + 5_000);
    sut.sweep(t0 + 5_500);
    expect(sut.size).toBe(2);
  });

  it('costs the same per hit however many hits a key has taken', () => {
    const time = (n: number) => {
      const start = process.hrtime.bigint();
      // The count happens before increment returns (the promise only carries the answer).
      for (let i = 0; i < n; i++)
        void sut.increment('busy', 60_000, Number.MAX_SAFE_INTEGER, 0, NAME, t0);
      return Number(process.hrtime.bigint() - start) / n;
    };
    time(10_000); // warm up
    const early = time(50_000);
    const late = time(50_000); // the key now holds 110k hits; an array-based store would be ~2x slower
    expect(late).toBeLessThan(early * 3 + 200);
  });
});
