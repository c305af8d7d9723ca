import { normalizeAlert } from './alert-normalizer.js';

const NOW = Date.parse('2026-11-21T12:00:00Z');
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

describe(normalizeAlert.name, () => {
  it('normalises the standard shape (severity case-insensitive)', () => {
    const result = normalizeAlert(standard, NOW);
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
    const result = normalizeAlert({ ...legacy, criticality }, NOW);
    expect(result).toMatchObject({
      ok: true,
      alert: { severity, externalId: '991', source: 'waf' },
    });
  });

  it('reads legacy times with offsets as UTC instants', () => {
    const result = normalizeAlert(legacy, NOW);
    expect(result.ok && result.alert.createdAt.toISOString()).toBe('2026-11-21T10:00:00.250Z');
  });

  it('computes no fingerprint for an alert the upstream gave an id: the id is its key', () => {
    const result = normalizeAlert(standard, NOW);
    expect(result.ok && result.alert.externalId).toBeTruthy();
    expect(result.ok && result.alert.fingerprint).toBeNull();
  });

  it('gives the same fingerprint to the same content and a different one to different content', () => {
    const a = normalizeAlert({ ...standard, id: undefined }, NOW);
    const b = normalizeAlert({ ...standard, id: undefined, severity: 'high' }, NOW);
    const c = normalizeAlert({ ...standard, id: undefined, description: 'other' }, NOW);
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
    ['a far-future date', { ...standard, created_at: '2027-06-01T00:00:00Z' }, /future/],
    ['a bad src_ip', { ...standard, src_ip: '999.1.1.1' }, /src_ip is not a valid/],
    ['a missing description', { ...standard, description: '' }, /description is missing/],
    ['a long description', { ...standard, description: 'x'.repeat(5001) }, /longer than 5000/],
    ['an object id', { ...standard, id: { nested: true } }, /id must be a string or an integer/],
    ['criticality 9', { ...legacy, criticality: 9 }, /criticality must be an integer from 1 to 4/],
    ['a bad legacy address', { ...legacy, destinationAddress: 'not-an-ip' }, /destinationAddress/],
  ])('rejects %s with a reason', (_, raw, reason) => {
    const result = normalizeAlert(raw, NOW);
    expect(result.ok).toBe(false);
    expect(!result.ok && result.reason).toMatch(reason);
  });
});
