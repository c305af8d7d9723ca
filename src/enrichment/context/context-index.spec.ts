import { ContextIndex } from './context-index.js';

describe(ContextIndex.name, () => {
  const index = new ContextIndex({
    version: '3',
    ipUsers: [
      { network: '10.0.0.0/8', userName: 'corp' },
      { network: '10.1.2.0/24', userName: 'team-x' },
      { network: '10.1.2.3/32', userName: 'printer' },
      { network: '2001:db8::/32', userName: 'lab6' },
      { network: '2001:db8:1::/48', userName: 'lab6-sub' },
    ],
    assets: [{ source: 'firewall', ownerTeam: 'network-security', criticality: 'high' }],
  });

  it.each([
    ['10.1.2.3', 'printer'],
    ['10.1.2.4', 'team-x'],
    ['10.200.0.1', 'corp'],
    ['11.0.0.1', undefined],
    ['2001:db8:1::5', 'lab6-sub'],
    ['2001:db8:2::5', 'lab6'],
    ['2001:db9::1', undefined],
  ])('answers %s with the most specific network holding it: %s', (ip, user) => {
    expect(index.match([ip], []).ipUsers.get(ip)?.userName).toBe(user);
  });

  it('keeps the families apart: an IPv4 network holds no IPv6 address', () => {
    const everything = new ContextIndex({
      version: '1',
      ipUsers: [{ network: '0.0.0.0/0', userName: 'v4-only' }],
      assets: [],
    });
    expect(everything.match(['8.8.8.8', '2001:db8::1'], []).ipUsers).toEqual(
      new Map([['8.8.8.8', { userName: 'v4-only', network: '0.0.0.0/0' }]]),
    );
  });

  it("answers a source's owner, and only what matched", () => {
    const { assets, ipUsers } = index.match(['192.0.2.1'], ['firewall', 'nac']);
    expect(ipUsers.size).toBe(0);
    expect(assets).toEqual(
      new Map([['firewall', { ownerTeam: 'network-security', criticality: 'high' }]]),
    );
  });

  it('tells a later version from an earlier one, numerically', () => {
    const at = (version: string | null) => new ContextIndex({ version, ipUsers: [], assets: [] });
    expect(at('10').newerThan(at('9'))).toBe(true);
    expect(at('9').newerThan(at('10'))).toBe(false);
    expect(at(null).newerThan(at('9'))).toBe(true);
  });
});
