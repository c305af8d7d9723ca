import { alertStatsFromRow, type AlertStatsRow, rank, STATS_TOP } from './alert-stats-sql.js';

const FROM = new Date('2024-05-01T10:30:00.250Z');
const TO = new Date('2024-05-01T12:30:00.250Z');

function row(overrides: Partial<AlertStatsRow> = {}): AlertStatsRow {
  return {
    from_at: FROM,
    to_at: TO,
    counts: [{ dimension: 'total', key: null, count: 0 }],
    timeline: [],
    acknowledged_count: 0,
    mean_time_to_acknowledge_seconds: null,
    resolved_count: 0,
    mean_time_to_resolve_seconds: null,
    ...overrides,
  };
}

describe('alert stats SQL', () => {
  describe(rank.name, () => {
    it('orders by count descending, then by key, unknown last among equals', () => {
      const sut = rank([
        { key: 'b', count: 2 },
        { key: null, count: 2 },
        { key: 'a', count: 2 },
        { key: 'c', count: 5 },
        { key: 'Z', count: 2 },
      ]);
      expect(sut.top.map((c) => c.key)).toEqual(['c', 'Z', 'a', 'b', null]);
      expect(sut.other).toEqual({ values: 0, count: 0 });
    });

    it(`keeps the ${STATS_TOP} largest and sums up the rest`, () => {
      const counts = Array.from({ length: 25 }, (_, i) => ({
        key: `s${String(i).padStart(2, '0')}`,
        count: 100 - i,
      }));
      const sut = rank(counts);
      expect(sut.top).toEqual(counts.slice(0, STATS_TOP));
      expect(sut.other).toEqual({ values: 5, count: 80 + 79 + 78 + 77 + 76 });
    });
  });

  describe(alertStatsFromRow.name, () => {
    it('names every known severity, status and enrichment type, 0 when absent', () => {
      const sut = alertStatsFromRow(
        2,
        row({
          counts: [
            { dimension: 'total', key: null, count: 3 },
            { dimension: 'severity', key: 'high', count: 3 },
            { dimension: 'status', key: 'open', count: 2 },
            { dimension: 'status', key: 'resolved', count: 1 },
            { dimension: 'enrichment_type', key: 'clean', count: 3 },
            { dimension: 'source', key: 'waf', count: 3 },
            { dimension: 'country', key: null, count: 2 },
            { dimension: 'country', key: 'DE', count: 1 },
          ],
        }),
      );
      expect(sut).toMatchObject({
        hours: 2,
        from: FROM,
        to: TO,
        total: 3,
        bySeverity: { low: 0, medium: 0, high: 3, critical: 0 },
        byStatus: { open: 2, acknowledged: 0, resolved: 1 },
        byEnrichmentType: { tor_exit_node: 0, clean: 3 },
        bySource: { top: [{ key: 'waf', count: 3 }], other: { values: 0, count: 0 } },
        byCountry: {
          top: [
            { key: null, count: 2 },
            { key: 'DE', count: 1 },
          ],
          other: { values: 0, count: 0 },
        },
      });
    });

    it('reads an empty window: zeroes, empty rankings, no means', () => {
      const sut = alertStatsFromRow(1, row({ counts: null, timeline: null }));
      expect(sut).toEqual({
        hours: 1,
        from: FROM,
        to: TO,
        total: 0,
        bySeverity: { low: 0, medium: 0, high: 0, critical: 0 },
        byStatus: { open: 0, acknowledged: 0, resolved: 0 },
        byEnrichmentType: { tor_exit_node: 0, clean: 0 },
        bySource: { top: [], other: { values: 0, count: 0 } },
        byCountry: { top: [], other: { values: 0, count: 0 } },
        timeline: [],
        timeToAcknowledge: { alerts: 0, meanSeconds: null },
        timeToResolve: { alerts: 0, meanSeconds: null },
      });
    });

    it('reads the timeline hours as instants, whatever offset PostgreSQL wrote them with', () => {
      const bucket = { total: 3, low: 1, medium: 0, high: 2, critical: 0 };
      const sut = alertStatsFromRow(
        1,
        row({
          timeline: [
            { hour: '2024-05-01T12:00:00+02:00', ...bucket },
            { hour: '2024-05-01T11:00:00+00:00', ...bucket },
          ],
          acknowledged_count: 2,
          mean_time_to_acknowledge_seconds: 90.5,
        }),
      );
      expect(sut.timeline).toEqual([
        { hour: new Date('2024-05-01T10:00:00Z'), ...bucket },
        { hour: new Date('2024-05-01T11:00:00Z'), ...bucket },
      ]);
      expect(sut.timeToAcknowledge).toEqual({ alerts: 2, meanSeconds: 90.5 });
    });
  });
});
