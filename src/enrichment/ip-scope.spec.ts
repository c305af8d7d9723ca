import { classifyIp, ipScope } from './ip-scope.js';

describe(ipScope.name, () => {
  it.each([
    ['8.8.8.8', 'public'],
    ['1.1.1.1', 'public'],
    ['185.220.101.1', 'public'],
    ['0.0.0.0', 'reserved'],
    ['0.255.255.255', 'reserved'],
    ['10.0.0.1', 'private'],
    ['10.255.255.255', 'private'],
    ['11.0.0.0', 'public'],
    ['100.63.255.255', 'public'],
    ['100.64.0.1', 'cgnat'],
    ['100.127.255.255', 'cgnat'],
    ['100.128.0.0', 'public'],
    ['127.0.0.1', 'loopback'],
    ['169.254.10.20', 'link_local'],
    ['172.15.255.255', 'public'],
    ['172.16.0.1', 'private'],
    ['172.31.255.255', 'private'],
    ['172.32.0.0', 'public'],
    ['192.0.0.8', 'reserved'],
    ['192.0.2.1', 'documentation'],
    ['192.88.99.1', 'reserved'],
    ['192.168.1.10', 'private'],
    ['192.169.0.1', 'public'],
    ['198.18.0.1', 'reserved'],
    ['198.19.255.255', 'reserved'],
    ['198.20.0.0', 'public'],
    ['198.51.100.7', 'documentation'],
    ['203.0.113.200', 'documentation'],
    ['224.0.0.251', 'multicast'],
    ['239.255.255.250', 'multicast'],
    ['240.0.0.1', 'reserved'],
    ['255.255.255.255', 'reserved'],
  ])('classifies the IPv4 address %s as %s', (ip, scope) => {
    expect(ipScope(ip)).toBe(scope);
  });

  it.each([
    ['2001:4860:4860::8888', 'public'],
    ['2606:4700:4700::1111', 'public'],
    ['2a00:1450:4001:80b::200e', 'public'],
    ['2002:c000:204::1', 'public'],
    ['64:ff9b::808:808', 'public'],
    ['::', 'reserved'],
    ['::1', 'loopback'],
    ['::2', 'reserved'],
    ['64:ff9b:1::1', 'private'],
    ['100::1', 'reserved'],
    ['2001:db8::1', 'documentation'],
    ['2001:DB8:ffff::1', 'documentation'],
    ['2001::1', 'reserved'],
    ['2001:1ff::1', 'reserved'],
    ['2001:200::1', 'public'],
    ['3fff::1', 'documentation'],
    ['fc00::1', 'private'],
    ['fd12:3456:789a::1', 'private'],
    ['fe80::1', 'link_local'],
    ['fe80::1%eth0', 'link_local'],
    ['febf:ffff::1', 'link_local'],
    ['fec0::1', 'reserved'],
    ['ff02::1', 'multicast'],
    ['4000::1', 'reserved'],
    ['1fff:ffff::1', 'reserved'],
  ])('classifies the IPv6 address %s as %s', (ip, scope) => {
    expect(ipScope(ip)).toBe(scope);
  });

  it.each([
    ['::ffff:10.0.0.1', 'private'],
    ['::ffff:8.8.8.8', 'public'],
    ['::ffff:127.0.0.1', 'loopback'],
    ['::ffff:a00:1', 'private'],
    ['64:ff9b::a00:1', 'private'],
  ])('classifies the IPv4-mapped or NAT64 address %s by its IPv4 address (%s)', (ip, scope) => {
    expect(ipScope(ip)).toBe(scope);
  });

  it.each([
    '',
    'localhost',
    '10.0.0',
    '256.1.1.1',
    '01.2.3.4',
    '10.0.0.0/8',
    '2001:db8::g',
    ':::1',
  ])('answers null for %j, which is not an address', (text) => {
    expect(ipScope(text)).toBeNull();
  });
});

describe(classifyIp.name, () => {
  it.each([
    ['8.8.8.8', { scope: 'public', family: 4, address: '8.8.8.8' }],
    ['10.0.0.1', { scope: 'private', family: 4, address: '10.0.0.1' }],
    ['::ffff:8.8.8.8', { scope: 'public', family: 4, address: '8.8.8.8' }],
    [
      '2001:4860:4860:0:0:0:0:8888',
      { scope: 'public', family: 6, address: '2001:4860:4860::8888' },
    ],
    ['FE80::1', { scope: 'link_local', family: 6, address: 'fe80::1' }],
    ['nonsense', null],
  ])('classifies %s once for scope and lookup: %j', (text, expected) => {
    expect(classifyIp(text)).toEqual(expected);
  });
});
