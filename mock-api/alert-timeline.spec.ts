import { AlertTimeline, DAY_MS } from './alert-timeline.js';

const START = Date.UTC(2025, 4, 1, 8, 30, 0);

function lowerBoundByScan(sut: AlertTimeline, ms: number, end: number): number {
  for (let i = 0; i < end; i++) if (sut.createdAt(i) >= ms) return i;
  return end;
}

describe(AlertTimeline.name, () => {
  it('spreads the backlog evenly over the 24 h before the start', () => {
    const sut = new AlertTimeline({ startedAt: START, backlog: 1000, ratePerMinute: 0 });
    expect(sut.createdAt(0)).toBe(START - DAY_MS);
    expect(sut.createdAt(500)).toBe(START - DAY_MS / 2);
    expect(sut.createdAt(999)).toBe(START - DAY_MS + 999 * 86_400);
    expect(sut.createdAt(999)).toBeLessThan(START);
  });

  it('never goes back in time as the index grows, across backlog and arrivals', () => {
    const sut = new AlertTimeline({ startedAt: START, backlog: 777, ratePerMinute: 7 });
    for (let i = 1; i < 2000; i++)
      expect(sut.createdAt(i)).toBeGreaterThanOrEqual(sut.createdAt(i - 1));
  });

  it('has the k-th arrival at start + k * 60000 / rate and counts only those that have arrived', () => {
    const sut = new AlertTimeline({ startedAt: START, backlog: 10, ratePerMinute: 60 });
    expect(sut.createdAt(10)).toBe(START);
    expect(sut.createdAt(13)).toBe(START + 3000);
    expect(sut.availableAt(START - 1)).toBe(10);
    expect(sut.availableAt(START)).toBe(11);
    expect(sut.availableAt(START + 2999)).toBe(13);
    expect(sut.availableAt(START + 3000)).toBe(14);
  });

  it('counts arrivals exactly for awkward rates', () => {
    for (const ratePerMinute of [0.5, 7, 59.9, 1000, 600_000]) {
      const sut = new AlertTimeline({ startedAt: START, backlog: 3, ratePerMinute });
      for (const elapsed of [0, 1, 999, 60_000, 123_457, 3_600_000]) {
        const now = START + elapsed;
        const available = sut.availableAt(now);
        expect(sut.createdAt(available - 1)).toBeLessThanOrEqual(now);
        expect(sut.createdAt(available)).toBeGreaterThan(now);
      }
    }
  });

  it('has only the backlog when arrivals are off, however late it is', () => {
    const sut = new AlertTimeline({ startedAt: START, backlog: 5, ratePerMinute: 0 });
    expect(sut.availableAt(START + 10 * DAY_MS)).toBe(5);
  });

  it('finds the first alert created at or after a time, as a scan would', () => {
    const sut = new AlertTimeline({ startedAt: START, backlog: 3001, ratePerMinute: 45 });
    const end = sut.availableAt(START + 600_000);
    const probes = [
      START - 2 * DAY_MS,
      START - DAY_MS,
      START - 1,
      START,
      START + 1,
      START + 10 ** 9,
    ];
    for (let i = 0; i < end; i += 97) probes.push(sut.createdAt(i), sut.createdAt(i) + 1);
    for (const ms of probes)
      expect(sut.firstAtOrAfter(ms, end)).toBe(lowerBoundByScan(sut, ms, end));
  });

  it('rejects impossible settings', () => {
    expect(() => new AlertTimeline({ startedAt: START, backlog: -1, ratePerMinute: 1 })).toThrow(
      RangeError,
    );
    expect(() => new AlertTimeline({ startedAt: START, backlog: 1.5, ratePerMinute: 1 })).toThrow(
      RangeError,
    );
    expect(() => new AlertTimeline({ startedAt: START, backlog: 1, ratePerMinute: NaN })).toThrow(
      RangeError,
    );
  });
});
