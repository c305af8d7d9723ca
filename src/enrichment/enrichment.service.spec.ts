import { EnrichableAlert, EnrichmentPlugin } from './enrichment-plugin.js';
import type { EnrichmentStatus } from './enrichment-status.service.js';
import { EnrichmentService } from './enrichment.service.js';

/** The data sources' report is not under test here. */
const NO_STATUS = {} as EnrichmentStatus;

const alerts: EnrichableAlert[] = [
  { source: 'fw', srcIp: '10.0.0.1', dstIp: '8.8.8.8' },
  { source: 'fw', srcIp: null, dstIp: null },
];

describe(EnrichmentService.name, () => {
  it('merges each plugin under its name and derives the alert columns', async () => {
    const geo: EnrichmentPlugin = {
      name: 'geo',
      enrich: (batch) =>
        batch.map((a) => ({
          data: a.dstIp ? { country: 'US' } : null,
          fields: { country: a.dstIp ? 'US' : null },
        })),
    };
    const tor: EnrichmentPlugin = {
      name: 'tor',
      enrich: (batch) =>
        batch.map((a, i) => ({
          data: { listed: i === 0 },
          fields: { enrichmentType: i === 0 ? 'tor_exit_node' : 'clean' },
        })),
    };
    const sut = new EnrichmentService([geo, tor], NO_STATUS);
    const [first, second] = await sut.enrich(alerts);
    expect(first).toEqual({
      country: 'US',
      user: null,
      enrichmentType: 'tor_exit_node',
      enrichment: { geo: { country: 'US' }, tor: { listed: true }, errors: [] },
    });
    expect(second).toMatchObject({
      country: null,
      enrichmentType: 'clean',
      enrichment: { geo: null, tor: { listed: false } },
    });
  });

  it('records a plugin that throws against every alert of the batch and still runs the others', async () => {
    const broken: EnrichmentPlugin = {
      name: 'whois',
      enrich: () => {
        throw new Error('whois server unreachable');
      },
    };
    const context: EnrichmentPlugin = {
      name: 'context',
      enrich: (batch) => batch.map(() => ({ data: {}, fields: { user: 'alice' } })),
    };
    const sut = new EnrichmentService([broken, context], NO_STATUS);
    const results = await sut.enrich(alerts);
    for (const result of results) {
      expect(result.enrichment.errors).toEqual([
        { plugin: 'whois', message: 'whois server unreachable' },
      ]);
      expect(result.user).toBe('alice');
    }
  });

  it('records a per-alert error without dropping the alert', async () => {
    const geo: EnrichmentPlugin = {
      name: 'geo',
      enrich: (batch) =>
        batch.map((_, i) => (i === 1 ? { data: null, error: 'no address' } : { data: {} })),
    };
    const [first, second] = await new EnrichmentService([geo], NO_STATUS).enrich(alerts);
    expect(first.enrichment.errors).toEqual([]);
    expect(second.enrichment.errors).toEqual([{ plugin: 'geo', message: 'no address' }]);
  });

  it('treats a result list of the wrong length as a failed batch', async () => {
    const short: EnrichmentPlugin = { name: 'geo', enrich: () => [{ data: {} }] };
    const results = await new EnrichmentService([short], NO_STATUS).enrich(alerts);
    expect(results.every((r) => r.enrichment.errors[0]?.plugin === 'geo')).toBe(true);
  });
});
