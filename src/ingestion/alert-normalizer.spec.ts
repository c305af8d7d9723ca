import fc from 'fast-check';
import { parseInstant } from '../common/pagination/timestamp.js';
import { normalizeAlert } from './alert-normalizer.js';

const standard = {
  id: 'fw-1',
  source: 'firewall',
  severity: 'HIGH',
  description: 'Outbound connection to known C2',
  created_at: '2026-11-21T10:00:00Z',
  src_ip: '10.0.0.5',
  dst_ip: '185.220.101.4',
};
const legacy = {
  alertId: 991,
  source: 'waf',
  criticality: 4,
  summary: 'SQL injection attempt',
  sourceAddress: '192.168.1.10',
  destinationAddress: '2001:db8::1',
  timestamp: '2026-11-21T11:00:00.250+01:00',
};

/** Arrays `levels` deep, built without recursion. */
function nested(levels: number): unknown[] {
  let value: unknown[] = [];
  for (let i = 1; i < levels; i++) value = [value];
  return value;
}

describe(normalizeAlert.name, () => {
  it('reads created_at exactly as the API reads instants (parseInstant), on any date-time', () => {
    const two = (max: number) => fc.integer({ min: 0, max }).map((n) => String(n).padStart(2, '0'));
    fc.assert(
      fc.property(
        fc.integer({ min: 1970, max: 9999 }).map(String),
        two(13),
        two(32),
        two(24),
        two(60),
        two(60),
        fc.option(fc.stringMatching(/^[0-9]{1,9}$/), { nil: undefined }),
        fc.oneof(fc.constant('Z'), fc.tuple(fc.constantFrom('+', '-'), two(15), two(60))),
        (y, mo, d, h, mi, s, fraction, zone) => {
          const offset = typeof zone === 'string' ? zone : `${zone[0]}${zone[1]}:${zone[2]}`;
          const text = `${y}-${mo}-${d}T${h}:${mi}:${s}${fraction ? `.${fraction}` : ''}${offset}`;
          const expected = parseInstant(text);
          const result = normalizeAlert({ ...standard, created_at: text });
          // The years 1970 to 9999 as instants: an offset can carry 1970-01-01 below zero.
          const outside =
            !expected ||
            expected.epochMs < 0 ||
            expected.epochMs > Date.UTC(9999, 11, 31, 23, 59, 59, 999);
          if (outside) {
            expect(result.ok).toBe(false);
          } else {
            expect(result.ok && result.alert.createdAt.getTime()).toBe(expected.epochMs);
          }
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('keeps a record nested exactly 64 levels deep (the API bodies’ bound)', () => {
    expect(normalizeAlert({ ...standard, extra: nested(63) }).ok).toBe(true);
  });

  it('stores an alert dated in the future: the sensor is real, its clock is wrong', () => {
    const result = normalizeAlert({ ...standard, created_at: '2999-06-01T00:00:00Z' });
    expect(result.ok && result.alert.createdAt.toISOString()).toBe('2999-06-01T00:00:00.000Z');
  });

  it('keeps a well-formed surrogate pair and an offset without a colon', () => {
    const result = normalizeAlert({
      ...standard,
      description: 'beacon to 🛰 relay',
      created_at: '2026-11-21T11:00:00+0100',
    });
    expect(result).toMatchObject({
      ok: true,
      alert: { description: 'beacon to 🛰 relay', createdAt: new Date('2026-11-21T10:00:00Z') },
    });
  });

  it('normalises the standard shape (severity case-insensitive)', () => {
    const result = normalizeAlert(standard);
    expect(result).toMatchObject({
      ok: true,
      alert: {
        source: 'firewall',
        externalId: 'fw-1',
        severity: 'high',
        description: 'Outbound connection to known C2',
        createdAt: new Date('2026-11-21T10:00:00Z'),
        srcIp: '10.0.0.5',
        dstIp: '185.220.101.4',
      },
    });
  });

  it.each([
    [1, 'low'],
    [2, 'medium'],
    [3, 'high'],
    [4, 'critical'],
  ])('maps legacy criticality %d to %s', (criticality, severity) => {
    const result = normalizeAlert({ ...legacy, criticality });
    expect(result).toMatchObject({
      ok: true,
      alert: { severity, externalId: '991', source: 'waf' },
    });
  });

  it('reads legacy times with offsets as UTC instants', () => {
    const result = normalizeAlert(legacy);
    expect(result.ok && result.alert.createdAt.toISOString()).toBe('2026-11-21T10:00:00.250Z');
  });

  it('computes no fingerprint for an alert the upstream gave an id: the id is its key', () => {
    const result = normalizeAlert(standard);
    expect(result.ok && result.alert.externalId).toBeTruthy();
    expect(result.ok && result.alert.fingerprint).toBeNull();
  });

  it('gives the same fingerprint to the same content and a different one to different content', () => {
    const a = normalizeAlert({ ...standard, id: undefined });
    const b = normalizeAlert({ ...standard, id: undefined, severity: 'high' });
    const c = normalizeAlert({ ...standard, id: undefined, description: 'other' });
    if (!a.ok || !b.ok || !c.ok) throw new Error('expected valid alerts');
    expect(a.alert.externalId).toBeNull();
    expect(a.alert.fingerprint).toMatch(/^[0-9a-f]{64}$/);
    expect(a.alert.fingerprint).toBe(b.alert.fingerprint);
    expect(a.alert.fingerprint).not.toBe(c.alert.fingerprint);
  });

  it.each<[string, unknown, RegExp]>([
    ['a non-object', 'hello', /not a JSON object/],
    ['an array', [standard], /not a JSON object/],
    ['a missing source', { ...standard, source: undefined }, /source is missing/],
    ['an unknown severity', { ...standard, severity: 'urgent' }, /severity must be one of/],
    ['a bad timestamp', { ...standard, created_at: 'yesterday' }, /created_at is not an ISO 8601/],
    ['an impossible date', { ...standard, created_at: '2026-13-45T99:00:00Z' }, /not a valid date/],
    ['30 February', { ...standard, created_at: '2026-02-30T10:00:00Z' }, /not a valid date/],
    [
      '29 February of a common year',
      { ...standard, created_at: '2026-02-29T10:00:00Z' },
      /valid date/,
    ],
    ['a leap second', { ...standard, created_at: '2026-06-30T23:59:60Z' }, /not a valid date/],
    ['hour 24', { ...standard, created_at: '2026-06-30T24:00:00Z' }, /not a valid date/],
    ['year 0', { ...standard, created_at: '0000-01-01T00:00:00Z' }, /valid date|1970/],
    ['a date before 1970', { ...standard, created_at: '1969-12-31T23:59:59Z' }, /1970 to 9999/],
    [
      'year 99 (Date.UTC would read 1999)',
      { ...standard, created_at: '0099-06-01T00:00:00Z' },
      /1970 to 9999/,
    ],
    [
      'an offset past 14 hours',
      { ...standard, created_at: '2026-06-01T00:00:00+15:00' },
      /not a valid date/,
    ],
    [
      'a date that is year 10000 in UTC',
      { ...standard, created_at: '9999-12-31T23:00:00-05:00' },
      /1970 to 9999/,
    ],
    [
      'a NUL in the description',
      { ...standard, description: 'a\u0000b' },
      /description contains a NUL/,
    ],
    [
      'a lone surrogate in the description',
      { ...standard, description: 'a\ud800b' },
      /description contains an unpaired/,
    ],
    [
      'a lone low surrogate in the source',
      { ...standard, source: 'fw\udc00' },
      /source contains an unpaired/,
    ],
    ['a NUL in the id', { ...standard, id: 'x\u0000' }, /id contains a NUL/],
    [
      'a source that lower-casing makes too long',
      { ...standard, source: 'İ'.repeat(40) },
      /source is longer than 64/,
    ],
    ['an IPv6 zone id', { ...standard, src_ip: 'fe80::1%eth0' }, /src_ip is not a valid/],
    [
      'a numeric id that is not an integer',
      { ...standard, id: 1.5 },
      /id must be a string or an integer/,
    ],
    ['an array id', { ...standard, id: ['a'] }, /id must be a string or an integer/],
    ['a null record', null, /not a JSON object/],
    ['a bad src_ip', { ...standard, src_ip: '999.1.1.1' }, /src_ip is not a valid/],
    ['a missing description', { ...standard, description: '' }, /description is missing/],
    ['a long description', { ...standard, description: 'x'.repeat(5001) }, /longer than 5000/],
    ['an object id', { ...standard, id: { nested: true } }, /id must be a string or an integer/],
    ['criticality 9', { ...legacy, criticality: 9 }, /criticality must be an integer from 1 to 4/],
    ['a bad legacy address', { ...legacy, destinationAddress: 'not-an-ip' }, /destinationAddress/],
    ['a record nested 65 levels deep', { ...standard, extra: nested(64) }, /nests deeper than 64/],
    [
      'a record nested 10,000 levels deep',
      { ...standard, extra: nested(10_000) },
      /nests deeper than 64/,
    ],
  ])('rejects %s with a reason', (_, raw, reason) => {
    const result = normalizeAlert(raw);
    expect(result.ok).toBe(false);
    expect(!result.ok && result.reason).toMatch(reason);
  });
});
