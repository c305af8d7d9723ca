import type { EnrichableAlert } from '../enrichment-plugin.js';
import { contextFor, lookupKeys } from './context-lookup.js';
import type { ContextMatches } from './context.types.js';

const alert = (source: string, srcIp: string | null, dstIp: string | null): EnrichableAlert => ({
  source,
  srcIp,
  dstIp,
});

describe(lookupKeys.name, () => {
  it('collects each distinct canonical address and source of the batch once', () => {
    const sut = lookupKeys([
      alert('firewall', '10.0.0.5', '8.8.8.8'),
      alert('firewall', '::ffff:10.0.0.5', '2001:DB8:0::1'),
      alert('waf', null, '8.8.8.8'),
      alert('vpn_gateway', 'not-an-ip', null),
    ]);
    expect(sut).toEqual({
      ips: ['10.0.0.5', '8.8.8.8', '2001:db8::1'],
      sources: ['firewall', 'waf', 'vpn_gateway'],
    });
  });
});

describe(contextFor.name, () => {
  const matches: ContextMatches = {
    ipUsers: new Map([
      ['10.0.0.5', { userName: 'alice', network: '10.0.0.0/24' }],
      ['192.168.1.9', { userName: 'dave', network: '192.168.1.0/24' }],
    ]),
    assets: new Map([
      ['firewall', { ownerTeam: 'network-security', criticality: 'high' as const }],
    ]),
  };

  it("takes the user of src_ip and the source's owner", () => {
    expect(contextFor(alert('firewall', '10.0.0.5', '192.168.1.9'), matches)).toEqual({
      user: 'alice',
      user_network: '10.0.0.0/24',
      matched_on: 'src_ip',
      asset: { owner_team: 'network-security', criticality: 'high' },
    });
  });

  it('falls back to the user of dst_ip', () => {
    expect(contextFor(alert('waf', '8.8.8.8', '192.168.1.9'), matches)).toEqual({
      user: 'dave',
      user_network: '192.168.1.0/24',
      matched_on: 'dst_ip',
      asset: null,
    });
  });

  it('matches an IPv4-mapped address by its IPv4 form', () => {
    expect(contextFor(alert('waf', '::ffff:10.0.0.5', null), matches)?.user).toBe('alice');
  });

  it("names the source's owner when no address matches", () => {
    expect(contextFor(alert('firewall', null, '8.8.8.8'), matches)).toEqual({
      user: null,
      user_network: null,
      matched_on: null,
      asset: { owner_team: 'network-security', criticality: 'high' },
    });
  });

  it('answers null when nothing matches, as a plugin with nothing to say does', () => {
    expect(contextFor(alert('nac', null, '8.8.8.8'), matches)).toBeNull();
  });
});
