import { FixedWindowThrottlerStorage } from './fixed-window-throttler.storage.js';

describe(FixedWindowThrottlerStorage.name, () => {
  let sut: FixedWindowThrottlerStorage;
  const t0 = 1_000_000;

  beforeEach(() => {
    sut = new FixedWindowThrottlerStorage();
  });
  afterEach(() => sut.onModuleDestroy());

  it('counts hits within a window and blocks past the limit for the block duration', () => {
    for (let i = 1; i <= 3; i++) {
      expect(sut.hit('k', 60_000, 3, 120_000, t0 + i)).toMatchObject({
        totalHits: i,
        isBlocked: false,
      });
    }
    const over = sut.hit('k', 60_000, 3, 120_000, t0 + 10);
    expect(over).toMatchObject({ totalHits: 4, isBlocked: true, timeToBlockExpire: 120 });
    // Still blocked after the counting window ended, until the block does.
    expect(sut.hit('k', 60_000, 3, 120_000, t0 + 61_000).isBlocked).toBe(true);
    expect(sut.hit('k', 60_000, 3, 120_000, t0 + 120_011)).toMatchObject({
      totalHits: 1,
      isBlocked: false,
    });
  });

  it('starts a new window when the old one expired', () => {
    sut.hit('k', 1_000, 5, 0, t0);
    sut.hit('k', 1_000, 5, 0, t0 + 1);
    expect(sut.hit('k', 1_000, 5, 0, t0 + 1_000)).toMatchObject({ totalHits: 1, timeToExpire: 1 });
  });

  it('keeps keys independent', () => {
    sut.hit('a', 1_000, 1, 0, t0);
    expect(sut.hit('a', 1_000, 1, 0, t0).isBlocked).toBe(true);
    expect(sut.hit('b', 1_000, 1, 0, t0).isBlocked).toBe(false);
  });

  it('sweeps only expired, unblocked windows', () => {
    sut.hit('old', 1_000, 10, 0, t0);
    sut.hit('blocked', 1_000, 0, 10_000, t0);
    sut.hit('fresh', 1_000, 10, 0, t0 + 5_000);
    sut.sweep(t0 + 5_500);
    expect(sut.size).toBe(2);
  });

  it('costs the same per hit however many hits a key has taken', () => {
    const time = (n: number) => {
      const start = process.hrtime.bigint();
      for (let i = 0; i < n; i++) sut.hit('busy', 60_000, Number.MAX_SAFE_INTEGER, 0, t0);
      return Number(process.hrtime.bigint() - start) / n;
    };
    time(10_000); // warm up
    const early = time(50_000);
    const late = time(50_000); // the key now holds 110k hits; an array-based store would be ~2x slower
    expect(late).toBeLessThan(early * 3 + 200);
  });
});
