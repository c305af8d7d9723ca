import { formatEventId, isAfter, parseEventId, throughRow } from './live-position.js';

describe('live event ids', () => {
  it('round-trips an event id and a whole-row id', () => {
    expect(parseEventId(formatEventId(42n, 7))).toEqual({ row: 42n, index: 7 });
    expect(parseEventId(formatEventId(42n))).toEqual({ row: 42n, index: Infinity });
    expect(parseEventId(' 9223372036854775807.0 ')).toEqual({
      row: 9_223_372_036_854_775_807n,
      index: 0,
    });
  });

  it.each(['', 'abc', '1.', '.1', '1.2.3', '-1', '1e3', '1.-2', '0x10', '9223372036854775808'])(
    'refuses %p',
    (text) => {
      expect(parseEventId(text)).toBeUndefined();
    },
  );

  it('orders events after a position, row first, then index', () => {
    const at = { row: 10n, index: 2 };
    expect(isAfter(10n, 2, at)).toBe(false);
    expect(isAfter(10n, 1, at)).toBe(false);
    expect(isAfter(10n, 3, at)).toBe(true);
    expect(isAfter(9n, 99, at)).toBe(false);
    expect(isAfter(11n, 0, at)).toBe(true);
    expect(isAfter(10n, 1_000_000, throughRow(10n))).toBe(false);
    expect(isAfter(11n, 0, throughRow(10n))).toBe(true);
  });
});
