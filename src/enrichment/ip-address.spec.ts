import { isIPv4 } from 'node:net';
import {
  dottedQuad,
  formatIp,
  inNetwork,
  lookupAddress,
  parseCidr,
  parseIp,
} from './ip-address.js';

describe(parseIp.name, () => {
  it.each([
    ['0.0.0.0', 4, 0n],
    ['10.0.0.1', 4, 0x0a000001n],
    ['255.255.255.255', 4, 0xffffffffn],
    ['::', 6, 0n],
    ['::1', 6, 1n],
    ['2001:db8::1', 6, 0x20010db8000000000000000000000001n],
    ['2001:DB8:0:0:0:0:0:1', 6, 0x20010db8000000000000000000000001n],
    ['fe80::1%eth0', 6, 0xfe800000000000000000000000000001n],
    ['::ffff:10.0.0.1', 6, 0xffff0a000001n],
    ['1::', 6, 1n << 112n],
  ])('parses %s', (text, family, value) => {
    expect(parseIp(text)).toEqual({ family, value });
  });

  it.each(['', 'x', '1.2.3', '1.2.3.4.5', '::g', '1.2.3.4/32'])('refuses %j', (text) => {
    expect(parseIp(text)).toBeNull();
  });
});

describe(formatIp.name, () => {
  it.each([
    ['10.0.0.1', '10.0.0.1'],
    ['2001:DB8:0:0:0:0:0:1', '2001:db8::1'],
    ['2001:db8:0:0:1:0:0:1', '2001:db8::1:0:0:1'],
    ['2001:db8:0:1:1:1:1:1', '2001:db8:0:1:1:1:1:1'],
    ['0:0:0:0:0:0:0:0', '::'],
    ['0:0:0:0:0:0:0:1', '::1'],
    ['1:0:0:0:0:0:0:0', '1::'],
    ['::ffff:a00:1', '::ffff:10.0.0.1'],
  ])('writes %s as %s (RFC 5952)', (text, expected) => {
    expect(formatIp(parseIp(text)!)).toBe(expected);
  });
});

describe(lookupAddress.name, () => {
  it.each([
    ['8.8.8.8', { family: 4, address: '8.8.8.8' }],
    ['::ffff:8.8.8.8', { family: 4, address: '8.8.8.8' }],
    ['2001:4860:4860:0::8888', { family: 6, address: '2001:4860:4860::8888' }],
    ['nonsense', null],
  ])('looks %s up as %j', (text, expected) => {
    expect(lookupAddress(text)).toEqual(expected);
  });
});

describe(dottedQuad.name, () => {
  it.each([
    ['0.0.0.0', 0],
    ['10.0.0.1', 0x0a000001],
    ['192.168.1.10', 0xc0a8010a],
    ['255.255.255.255', 0xffffffff],
  ])('reads %s as %d', (text, value) => {
    expect(dottedQuad(text)).toBe(value);
  });

  it.each([
    '',
    '1.2.3',
    '1.2.3.4.',
    '.1.2.3.4',
    '1..2.3',
    '256.0.0.1',
    '01.2.3.4',
    '1.2.3.00',
    ' 1.2.3.4',
    '1.2.3.4 ',
    '::ffff:1.2.3.4',
    '1.2.3.a',
  ])('refuses %j, as isIPv4 does', (text) => {
    expect(isIPv4(text)).toBe(false);
    expect(dottedQuad(text)).toBe(-1);
  });
});

describe(parseCidr.name, () => {
  it.each([
    ['10.0.0.0/24', '10.0.0.0/24', 4, 24],
    ['10.0.0.7', '10.0.0.7/32', 4, 32],
    ['0.0.0.0/0', '0.0.0.0/0', 4, 0],
    [' 192.168.1.0/24 ', '192.168.1.0/24', 4, 24],
    ['2001:DB8::/32', '2001:db8::/32', 6, 32],
    ['2001:db8::1', '2001:db8::1/128', 6, 128],
  ])('accepts %j as %s', (text, network, family, prefix) => {
    expect(parseCidr(text)).toEqual({ ok: true, network, family, prefix });
  });

  it.each([
    ['10.0.0.5/24', /host bits.*10\.0\.0\.0\/24/],
    ['2001:db8::1/32', /host bits.*2001:db8::\/32/],
    ['10.0.0.0/33', /between 0 and 32/],
    ['2001:db8::/129', /between 0 and 128/],
    ['10.0.0.0/', /prefix length/],
    ['10.0.0.0/-1', /prefix length/],
    ['10.0.0.0/8/8', /address or network/],
    ['10.0.0/8', /address or network/],
    ['fe80::1%eth0', /address or network/],
    ['alice', /address or network/],
  ])('refuses %j', (text, reason) => {
    const sut = parseCidr(text);
    expect(sut.ok).toBe(false);
    expect(sut.ok ? '' : sut.reason).toMatch(reason);
  });
});

describe(inNetwork.name, () => {
  const ip = (text: string) => parseIp(text)!;
  it('matches addresses inside the prefix only, and never across families', () => {
    expect(inNetwork(ip('10.1.2.3'), ip('10.1.0.0'), 16)).toBe(true);
    expect(inNetwork(ip('10.2.0.0'), ip('10.1.0.0'), 16)).toBe(false);
    expect(inNetwork(ip('1.2.3.4'), ip('0.0.0.0'), 0)).toBe(true);
    expect(inNetwork(ip('::ffff:10.1.2.3'), ip('10.1.0.0'), 16)).toBe(false);
    expect(inNetwork(ip('2001:db8::1'), ip('2001:db8::'), 32)).toBe(true);
  });
});
