import fc from 'fast-check';
import { createHash } from 'node:crypto';
import { renderRecord } from './record-rendering.js';

const sha256 = (text: string) => createHash('sha256').update(text).digest();

/** Strings with what hostile upstreams send: NULs, lone and paired surrogates, controls. */
const hostileString = fc.oneof(
  fc.string({ unit: 'binary' }),
  fc.string({ unit: fc.constantFrom('\u0000', '\ud800', '\udfff', '\u{1f6f0}', '"', '\\', '\n') }),
);
const jsonValue = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    fc.constant(null),
    fc.boolean(),
    fc.double({ noNaN: true, noDefaultInfinity: true }),
    fc.integer(),
    hostileString,
    fc.array(tie('value')),
    fc.dictionary(hostileString, tie('value')),
  ),
})).value;

describe(renderRecord.name, () => {
  it('writes exactly what JSON.stringify writes, its size and its SHA-256, for any JSON value', () => {
    fc.assert(
      fc.property(jsonValue, (value) => {
        const expected = JSON.stringify(value);
        const sut = renderRecord(value, Number.MAX_SAFE_INTEGER);
        expect(sut.text).toBe(expected);
        expect(sut.truncated).toBe(false);
        expect(sut.bytes).toBe(Buffer.byteLength(expected));
        expect(sut.sha256.equals(sha256(expected))).toBe(true);
      }),
      { numRuns: 500 },
    );
  });

  it('cuts the text, never inside a surrogate pair, and keeps the whole size and hash', () => {
    fc.assert(
      fc.property(jsonValue, fc.integer({ min: 1, max: 64 }), (value, max) => {
        const whole = JSON.stringify(value);
        const sut = renderRecord(value, max);
        expect(whole.startsWith(sut.text)).toBe(true);
        expect(sut.text.length).toBeLessThanOrEqual(max);
        expect(sut.truncated).toBe(whole.length > max);
        // Escaped JSON holds no NUL, and the cut leaves no half pair: PostgreSQL text takes it.
        expect(sut.text.includes('\u0000')).toBe(false);
        expect(sut.text.isWellFormed()).toBe(true);
        expect(sut.sha256.equals(sha256(whole))).toBe(true);
      }),
      { numRuns: 500 },
    );
  });

  it('renders a record nested 100,000 levels deep, which JSON.stringify cannot', () => {
    const depth = 100_000;
    const value = JSON.parse('['.repeat(depth) + ']'.repeat(depth)) as unknown;
    expect(() => JSON.stringify(value)).toThrow(RangeError);
    const sut = renderRecord(value, 100);
    expect(sut).toMatchObject({ text: '['.repeat(100), truncated: true, bytes: 2 * depth });
  });

  it('hashes a record the way the quarantine always has, so old and new rows dedup together', () => {
    const record = { id: 'fw-1', severity: 'urgent', note: 'a\u0000b' };
    expect(renderRecord(record).sha256.equals(sha256(JSON.stringify(record)))).toBe(true);
  });
});
