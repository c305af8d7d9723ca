import { decodeCursor, encodeCursor, parseAlertsQuery, parseSince } from './alerts-query.js';

const query = (text: string, seed = 1) => parseAlertsQuery(new URLSearchParams(text), seed);

describe(parseSince.name, () => {
  it.each([
    ['2025-05-01T12:00:00Z', Date.UTC(2025, 4, 1, 12)],
    ['2025-05-01T12:00:00.123Z', Date.UTC(2025, 4, 1, 12, 0, 0, 123)],
    ['2025-05-01T12:00Z', Date.UTC(2025, 4, 1, 12)],
    ['2025-05-01T14:00:00+02:00', Date.UTC(2025, 4, 1, 12)],
    ['2025-05-01T07:30:00-0430', Date.UTC(2025, 4, 1, 12)],
    ['2024-02-29T00:00:00Z', Date.UTC(2024, 1, 29)],
    ['2025-05-01T12:00:00.000001Z', Date.UTC(2025, 4, 1, 12) + 1],
  ])('reads %s', (text, expected) => {
    expect(parseSince(text)).toBe(expected);
  });

  it.each([
    'yesterday',
    '',
    '2025-05-01',
    '2025-05-01T12:00:00',
    '2025-05-01T12:00:00 02:00',
    '2025-02-29T00:00:00Z',
    '2025-13-01T00:00:00Z',
    '2025-05-01T24:00:00Z',
    '1714564800',
  ])('refuses %p', (text) => {
    expect(parseSince(text)).toBeNull();
  });
});

describe(decodeCursor.name, () => {
  it('reads back the position a cursor was made for', () => {
    expect(decodeCursor(7, encodeCursor(7, 0))).toBe(0);
    expect(decodeCursor(7, encodeCursor(7, 123_456_789))).toBe(123_456_789);
  });

  it("refuses garbage, tampered cursors and another seed's cursors", () => {
    const forged = Buffer.from(JSON.stringify({ v: 1, i: 10, c: 'x' })).toString('base64url');
    const sut = (text: string) => decodeCursor(7, text);
    expect(sut('abc')).toBeNull();
    expect(sut('not base64!')).toBeNull();
    expect(sut(forged)).toBeNull();
    expect(sut(encodeCursor(8, 10))).toBeNull();
    expect(sut(Buffer.from('[1]').toString('base64url'))).toBeNull();
  });
});

describe(parseAlertsQuery.name, () => {
  it('defaults the limit to 100 and reads since', () => {
    expect(query('since=2025-05-01T12:00:00Z')).toEqual({
      ok: true,
      query: { sinceMs: Date.UTC(2025, 4, 1, 12), limit: 100, cursor: null },
    });
  });

  it('accepts a cursor alone, and an empty cursor as none', () => {
    const cursor = encodeCursor(1, 50);
    expect(query(`cursor=${cursor}&limit=1000`)).toEqual({
      ok: true,
      query: { sinceMs: null, limit: 1000, cursor: 50 },
    });
    expect(query('since=2025-05-01T12:00:00Z&cursor=')).toMatchObject({
      ok: true,
      query: { cursor: null },
    });
  });

  it.each([
    ['', /since is required/],
    ['since=yesterday', /since must be/],
    ['since=2025-05-01T12:00:00Z&limit=0', /limit/],
    ['since=2025-05-01T12:00:00Z&limit=1001', /limit/],
    ['since=2025-05-01T12:00:00Z&limit=abc', /limit/],
    ['since=2025-05-01T12:00:00Z&limit=', /limit/],
    ['since=2025-05-01T12:00:00Z&limit=1.5', /limit/],
    ['since=2025-05-01T12:00:00Z&cursor=bogus', /cursor/],
    ['since=2025-05-01T12:00:00Z&since=2025-05-02T12:00:00Z', /since may be given only once/],
  ])('refuses %p', (text, message) => {
    const sut = query(text);
    expect(sut.ok).toBe(false);
    expect(!sut.ok && sut.error).toMatch(message);
  });
});
