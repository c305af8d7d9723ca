import { isMalformed } from './alert-generator.js';
import { AlertTimeline } from './alert-timeline.js';
import { hiddenIndices, isLate, lateWindow, visibleFrom } from './late-arrivals.js';

const START = Date.UTC(2025, 4, 1, 8, 0, 0);
const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => from + i);

describe(isLate.name, () => {
  it('never marks an alert late at rate 0 and always at rate 1', () => {
    expect(range(0, 1000).some((i) => isLate(3, i, 0))).toBe(false);
    expect(range(0, 1000).every((i) => isLate(3, i, 1))).toBe(true);
  });

  it('marks about the given share, the same alerts on every call', () => {
    const late = range(0, 100_000).filter((i) => isLate(3, i, 0.1));
    expect(late.length).toBeGreaterThan(9_500);
    expect(late.length).toBeLessThan(10_500);
    expect(range(0, 100_000).filter((i) => isLate(3, i, 0.1))).toEqual(late);
  });

  it('only adds alerts as the rate rises', () => {
    const low = range(0, 10_000).filter((i) => isLate(3, i, 0.05));
    expect(low.every((i) => isLate(3, i, 0.2))).toBe(true);
  });

  it('depends on the seed and not on malformed_rate', () => {
    const late = range(0, 10_000).map((i) => isLate(3, i, 0.3));
    expect(range(0, 10_000).map((i) => isLate(4, i, 0.3))).not.toEqual(late);
    const both = range(0, 10_000).filter((i) => late[i] && isMalformed(3, i, 0.3)).length;
    // Independent decisions overlap in about 0.3 * 0.3 of the alerts.
    expect(both).toBeGreaterThan(750);
    expect(both).toBeLessThan(1050);
  });
});

describe(visibleFrom.name, () => {
  it('delays a late alert by late_seconds and nothing else', () => {
    const late = range(0, 100).find((i) => isLate(3, i, 0.5))!;
    const onTime = range(0, 100).find((i) => !isLate(3, i, 0.5))!;
    const settings = { late_rate: 0.5, late_seconds: 60 };
    expect(visibleFrom(3, late, START, settings)).toBe(START + 60_000);
    expect(visibleFrom(3, onTime, START, settings)).toBe(START);
  });
});

describe(lateWindow.name, () => {
  // Alert #k is created at START + k seconds.
  const timeline = new AlertTimeline({ startedAt: START, backlog: 0, ratePerMinute: 60 });
  const now = START + 10_000;

  it('holds the alerts created within the last late_seconds, the boundary excluded', () => {
    expect(lateWindow(timeline, now, { late_rate: 0.5, late_seconds: 3 })).toEqual({
      from: 8,
      to: 11,
    });
  });

  it('is empty when late_rate or late_seconds is 0', () => {
    expect(lateWindow(timeline, now, { late_rate: 0, late_seconds: 3 })).toEqual({
      from: 11,
      to: 11,
    });
    expect(lateWindow(timeline, now, { late_rate: 1, late_seconds: 0 })).toEqual({
      from: 11,
      to: 11,
    });
  });
});

describe(hiddenIndices.name, () => {
  it('lists the existing alerts whose visibleFrom is still ahead of the clock', () => {
    const timeline = new AlertTimeline({ startedAt: START, backlog: 5000, ratePerMinute: 60 });
    const now = START + 600_000;
    const late = { late_rate: 0.2, late_seconds: 3600 };
    const expected = range(0, timeline.availableAt(now)).filter(
      (i) => visibleFrom(7, i, timeline.createdAt(i), late) > now,
    );
    expect(expected.length).toBeGreaterThan(0);
    expect(hiddenIndices(7, timeline, now, late)).toEqual(expected);
  });
});
