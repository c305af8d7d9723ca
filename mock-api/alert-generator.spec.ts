import {
  alertAt,
  backlogIds,
  externalIdAt,
  HOT_SUBNETS,
  isMalformed,
  LEGACY_SOURCES,
  malformationAt,
  SOURCES,
  STANDARD_SOURCES,
  UpstreamAlert,
} from './alert-generator.js';
import { EMBEDDED_TOR_EXITS } from './tor-exits.js';

const SEED = 42;
const T0 = Date.UTC(2025, 0, 15, 12, 0, 0);
const TOR = ['185.220.101.1', '185.220.101.2', '199.249.230.64', '192.42.116.16'];
const SEVERITIES = ['low', 'medium', 'high', 'critical'];
const IPV4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

function octets(ip: string): number[] | null {
  const m = IPV4.exec(ip);
  const parts = m ? m.slice(1).map(Number) : null;
  return parts && parts.every((n) => n <= 255) ? parts : null;
}
function isPrivate(ip: string): boolean {
  const o = octets(ip);
  if (!o) return false;
  return (
    o[0] === 10 || (o[0] === 172 && o[1] >= 16 && o[1] <= 31) || (o[0] === 192 && o[1] === 168)
  );
}
function isPublic(ip: string): boolean {
  const o = octets(ip);
  if (!o || isPrivate(ip)) return false;
  return !(o[0] === 0 || o[0] === 127 || o[0] >= 224 || (o[0] === 169 && o[1] === 254));
}

/** What an ingester following the contract would reject in an upstream alert. */
function violations(alert: UpstreamAlert): string[] {
  const a = alert as unknown as Record<string, unknown>;
  const found: string[] = [];
  if (!SOURCES.includes(a.source as never)) found.push('source');
  const legacy = 'alertId' in a;
  const text = legacy ? a.summary : a.description;
  if (typeof text !== 'string' || text.trim().length < 20) found.push('description');
  const time = legacy ? a.timestamp : a.created_at;
  if (typeof time !== 'string' || Number.isNaN(Date.parse(time))) found.push('time');
  if (legacy) {
    if (![1, 2, 3, 4].includes(a.criticality as number)) found.push('criticality');
  } else if (typeof a.severity !== 'string' || !SEVERITIES.includes(a.severity.toLowerCase())) {
    found.push('severity');
  }
  const src = legacy ? a.sourceAddress : a.src_ip;
  const dst = legacy ? a.destinationAddress : a.dst_ip;
  if (src !== undefined && !isPrivate(src as string)) found.push('src');
  if (dst !== undefined && !isPublic(dst as string)) found.push('dst');
  return found;
}

function sample(count: number, seed = SEED, malformedRate = 0): UpstreamAlert[] {
  return Array.from({ length: count }, (_, i) =>
    alertAt(seed, i, T0 + i * 1000, { torExits: TOR, malformedRate }),
  );
}

describe(alertAt.name, () => {
  it('returns the same alert for the same seed and index, however often and in whatever order', () => {
    const sut = (i: number) => alertAt(SEED, i, T0, { torExits: TOR });
    const forward = [0, 1, 2, 999, 123_456, 9_999_999].map(sut);
    const backward = [9_999_999, 123_456, 999, 2, 1, 0].map(sut).reverse();
    expect(backward).toEqual(forward);
  });

  it('gives another seed other alerts', () => {
    const a = sample(200, 1);
    const b = sample(200, 2);
    const same = a.filter((alert, i) => JSON.stringify(alert) === JSON.stringify(b[i]));
    expect(same).toHaveLength(0);
  });

  it('serves the five standard sources in the standard shape and the five legacy ones in the legacy shape', () => {
    const alerts = sample(3000);
    const standardKeys = [
      'id',
      'source',
      'severity',
      'description',
      'created_at',
      'src_ip',
      'dst_ip',
    ];
    const legacyKeys = [
      'alertId',
      'source',
      'criticality',
      'summary',
      'sourceAddress',
      'destinationAddress',
      'timestamp',
    ];
    for (const alert of alerts) {
      const isLegacy = (LEGACY_SOURCES as readonly string[]).includes(alert.source);
      const allowed = isLegacy ? legacyKeys : standardKeys;
      expect(Object.keys(alert).filter((k) => !allowed.includes(k))).toEqual([]);
    }
    expect(new Set(alerts.map((a) => a.source))).toEqual(new Set(SOURCES));
    expect(STANDARD_SOURCES).toHaveLength(5);
  });

  it('produces well-formed alerts: known severities, RFC 1918 sources, public destinations, ISO times', () => {
    const alerts = sample(5000);
    expect(alerts.filter((a) => violations(a).length > 0)).toEqual([]);
    const first = alerts[0] as unknown as Record<string, unknown>;
    expect(first.created_at ?? first.timestamp).toBe(new Date(T0).toISOString());
  });

  it('varies the case of standard severities and spreads criticality over 1..4', () => {
    const alerts = sample(3000);
    const severities = new Set(alerts.flatMap((a) => ('severity' in a ? [a.severity] : [])));
    expect(severities).toEqual(expect.objectContaining({ size: 12 }));
    expect([...severities]).toEqual(expect.arrayContaining(['high', 'HIGH', 'High', 'critical']));
    const criticalities = new Set(
      alerts.flatMap((a) => ('criticality' in a ? [a.criticality] : [])),
    );
    expect([...criticalities].sort()).toEqual([1, 2, 3, 4]);
  });

  it('keeps most source addresses inside a few /24s that a context table can map', () => {
    const sources = sample(5000).flatMap((a) => {
      const ip = 'src_ip' in a ? a.src_ip : (a as { sourceAddress?: string }).sourceAddress;
      return ip ? [ip] : [];
    });
    const hot = HOT_SUBNETS.map(([prefix]) => `${prefix}.`);
    const inHot = sources.filter((ip) => hot.some((p) => ip.startsWith(p))).length;
    expect(inHot / sources.length).toBeGreaterThan(0.8);
    expect(sources.filter((ip) => ip.startsWith('10.0.')).length).toBeGreaterThan(1000);
    expect(sources.filter((ip) => ip.startsWith('10.1.')).length).toBeGreaterThan(500);
    expect(sources.filter((ip) => ip.startsWith('192.168.1.')).length).toBeGreaterThan(300);
  });

  it('sends about a tenth of destinations to Tor exits from the given list, and no others', () => {
    const destinations = sample(10_000).flatMap((a) => {
      const ip =
        'dst_ip' in a ? a.dst_ip : (a as { destinationAddress?: string }).destinationAddress;
      return ip ? [ip] : [];
    });
    const tor = destinations.filter((ip) => TOR.includes(ip)).length;
    expect(tor / destinations.length).toBeGreaterThan(0.08);
    expect(tor / destinations.length).toBeLessThan(0.12);
  });

  it('uses the embedded Tor list when none is given', () => {
    const alerts = Array.from({ length: 2000 }, (_, i) => alertAt(SEED, i, T0));
    const hits = alerts.filter((a) =>
      EMBEDDED_TOR_EXITS.includes((a as { dst_ip?: string }).dst_ip ?? ''),
    );
    expect(hits.length).toBeGreaterThan(50);
  });

  it('gives every (seed, index) its own id', () => {
    const ids = sample(20_000).map((a) => ('id' in a ? a.id : a.alertId));
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids[7]).toBe(externalIdAt(SEED, 7));
    expect(externalIdAt(1, 7)).not.toBe(externalIdAt(2, 7));
  });
});

describe(isMalformed.name, () => {
  it('is a pure function of seed, index and rate', () => {
    const sut = () => Array.from({ length: 5000 }, (_, i) => isMalformed(SEED, i, 0.1));
    expect(sut()).toEqual(sut());
    const share = sut().filter(Boolean).length / 5000;
    expect(share).toBeGreaterThan(0.08);
    expect(share).toBeLessThan(0.12);
  });

  it('marks nothing at 0 and everything at 1, and a higher rate only adds alerts', () => {
    const indexes = Array.from({ length: 3000 }, (_, i) => i);
    expect(indexes.some((i) => isMalformed(SEED, i, 0))).toBe(false);
    expect(indexes.every((i) => isMalformed(SEED, i, 1))).toBe(true);
    const low = indexes.filter((i) => isMalformed(SEED, i, 0.05));
    expect(low.every((i) => isMalformed(SEED, i, 0.3))).toBe(true);
  });

  it('serves malformed alerts that break the contract, the same way on every fetch', () => {
    const first = sample(3000, SEED, 0.2);
    expect(sample(3000, SEED, 0.2)).toEqual(first);
    first.forEach((alert, i) => {
      expect({ i, broken: violations(alert).length > 0 }).toEqual({
        i,
        broken: isMalformed(SEED, i, 0.2),
      });
    });
  });

  it('uses every kind of malformation for both shapes', () => {
    const kinds = new Set(Array.from({ length: 3000 }, (_, i) => malformationAt(SEED, i, 1)));
    expect([...kinds].sort()).toEqual(
      [
        'created_at "yesterday"',
        'criticality 0',
        'criticality 9',
        'dst_ip "300.12.5.1"',
        'missing description',
        'missing source',
        'missing summary',
        'severity "urgent"',
        'sourceAddress "999.1.1.1"',
        'src_ip "999.1.1.1"',
        'timestamp "yesterday"',
      ].sort(),
    );
    expect(malformationAt(SEED, 0, 0)).toBeNull();
  });
});

describe(backlogIds.name, () => {
  it('lists the id of every backlog alert, oldest first', () => {
    const sut = backlogIds(SEED, 500);
    expect(sut).toEqual(sample(500).map((a) => ('id' in a ? a.id : a.alertId)));
  });

  it('leaves out the alerts that are served malformed', () => {
    const sut = backlogIds(SEED, 2000, 0.25);
    const expected = sample(2000, SEED, 0.25)
      .filter((_, i) => !isMalformed(SEED, i, 0.25))
      .map((a) => ('id' in a ? a.id : a.alertId));
    expect(sut).toEqual(expected);
    expect(sut.length).toBeLessThan(1700);
  });
});
