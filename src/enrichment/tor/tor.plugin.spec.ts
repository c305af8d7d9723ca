import type { EnrichableAlert } from '../enrichment-plugin.js';
import type { TorExitList } from './tor-exit-list.js';
import { TorPlugin } from './tor.plugin.js';

const LISTED = new Set(['185.220.101.1', '185.220.101.2']);
const UPDATED_AT = new Date('2026-11-21T06:00:00.000Z');
const exits = {
  has: (ip: string) => LISTED.has(ip.replace(/^::ffff:/, '')),
  updatedAt: UPDATED_AT,
} as unknown as TorExitList;
const alert = (srcIp: string | null, dstIp: string | null): EnrichableAlert => ({
  source: 'fw',
  srcIp,
  dstIp,
});

describe(TorPlugin.name, () => {
  const sut = new TorPlugin(exits);

  it('flags an alert whose destination is a Tor exit', () => {
    expect(sut.enrich([alert('10.0.0.1', '185.220.101.1')])).toEqual([
      {
        data: { src_listed: false, dst_listed: true, list_updated_at: '2026-11-21T06:00:00.000Z' },
        fields: { enrichmentType: 'tor_exit_node' },
      },
    ]);
  });

  it('flags an alert whose source is a Tor exit', () => {
    const [result] = sut.enrich([alert('185.220.101.2', '8.8.8.8')]);
    expect(result.data).toMatchObject({ src_listed: true, dst_listed: false });
    expect(result.fields).toEqual({ enrichmentType: 'tor_exit_node' });
  });

  it('marks the others clean, including alerts without addresses', () => {
    const results = sut.enrich([alert('10.0.0.1', '8.8.8.8'), alert(null, null)]);
    expect(results.map((r) => r.fields?.enrichmentType)).toEqual(['clean', 'clean']);
    expect(results[1].data).toEqual({
      src_listed: false,
      dst_listed: false,
      list_updated_at: UPDATED_AT.toISOString(),
    });
  });
});
