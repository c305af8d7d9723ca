// Which addresses are worth a geolocation lookup: the IANA special-purpose registries
// (RFC 6890 and successors) name the ranges that are not publicly routed. IPv4 addresses, the
// common case, are classified with 32-bit integer arithmetic; IPv6 with BigInt.
import {
  dottedQuad,
  embeddedIpv4,
  formatIp,
  inNetwork,
  parseIp,
  type IpFamily,
  type ParsedIp,
} from './ip-address.js';

export const IP_SCOPES = [
  'public',
  'private',
  'cgnat',
  'loopback',
  'link_local',
  'multicast',
  'documentation',
  'reserved',
] as const;
export type IpScope = (typeof IP_SCOPES)[number];

interface Range {
  network: ParsedIp;
  prefix: number;
  scope: Exclude<IpScope, 'public'>;
}

function range(cidr: string, scope: Range['scope']): Range {
  const [address, prefix] = cidr.split('/');
  return { network: parseIp(address)!, prefix: Number(prefix), scope };
}

// Most specific first where ranges nest.
const IPV4_RANGES: Range[] = [
  range('0.0.0.0/8', 'reserved'), // "this network"
  range('10.0.0.0/8', 'private'),
  range('100.64.0.0/10', 'cgnat'), // RFC 6598 shared address space
  range('127.0.0.0/8', 'loopback'),
  range('169.254.0.0/16', 'link_local'),
  range('172.16.0.0/12', 'private'),
  range('192.0.0.0/24', 'reserved'), // IETF protocol assignments
  range('192.0.2.0/24', 'documentation'), // TEST-NET-1
  range('192.88.99.0/24', 'reserved'), // deprecated 6to4 relay anycast
  range('192.168.0.0/16', 'private'),
  range('198.18.0.0/15', 'reserved'), // benchmarking
  range('198.51.100.0/24', 'documentation'), // TEST-NET-2
  range('203.0.113.0/24', 'documentation'), // TEST-NET-3
  range('224.0.0.0/4', 'multicast'),
  range('240.0.0.0/4', 'reserved'), // future use, and 255.255.255.255 broadcast
];

const IPV6_RANGES: Range[] = [
  range('::/128', 'reserved'), // unspecified
  range('::1/128', 'loopback'),
  range('64:ff9b:1::/48', 'private'), // local-use IPv4/IPv6 translation
  range('100::/64', 'reserved'), // discard-only
  range('2001:db8::/32', 'documentation'),
  range('2001::/23', 'reserved'), // IETF protocol assignments (Teredo, ORCHID…)
  range('3fff::/20', 'documentation'),
  range('fc00::/7', 'private'), // unique local
  range('fe80::/10', 'link_local'),
  range('fec0::/10', 'reserved'), // deprecated site-local
  range('ff00::/8', 'multicast'),
];
// Everything outside 2000::/3 is unassigned (the special ranges above are matched first)…
const GLOBAL_UNICAST = range('2000::/3', 'reserved');
// …but for the NAT64 well-known prefix, whose addresses stand for (global) IPv4 addresses.
const NAT64 = range('64:ff9b::/96', 'reserved');

/** IPv4 ranges as (network, mask) 32-bit pairs, for the fast path. */
const IPV4_MASKS = IPV4_RANGES.map((r) => ({
  network: Number(r.network.value),
  mask: r.prefix === 0 ? 0 : (0xffffffff << (32 - r.prefix)) >>> 0,
  scope: r.scope,
}));

function ipv4Scope(value: number): IpScope {
  for (const r of IPV4_MASKS) if ((value & r.mask) >>> 0 === r.network) return r.scope;
  return 'public';
}

function lowIpv4(ip: ParsedIp): ParsedIp {
  return { family: 4, value: ip.value & 0xffffffffn };
}

/** The scope of a parsed address; IPv4-mapped IPv6 addresses take their IPv4 address's scope. */
export function scopeOf(ip: ParsedIp): IpScope {
  const nat64 = inNetwork(ip, NAT64.network, NAT64.prefix);
  const v4 = ip.family === 4 ? ip : (embeddedIpv4(ip) ?? (nat64 ? lowIpv4(ip) : null));
  if (v4) return ipv4Scope(Number(v4.value));
  const special = IPV6_RANGES.find((r) => inNetwork(ip, r.network, r.prefix));
  if (special) return special.scope;
  return inNetwork(ip, GLOBAL_UNICAST.network, GLOBAL_UNICAST.prefix) ? 'public' : 'reserved';
}

export interface ClassifiedIp {
  scope: IpScope;
  /** The family to look the address up in (4 for IPv4-mapped IPv6 addresses). */
  family: IpFamily;
  /** The canonical address to look up (see lookupAddress). */
  address: string;
}

/** Scope and lookup address of an address given as text, parsed once; null when not an address. */
export function classifyIp(text: string): ClassifiedIp | null {
  const value = dottedQuad(text);
  if (value !== -1) return { scope: ipv4Scope(value), family: 4, address: text };
  const parsed = parseIp(text);
  if (!parsed) return null;
  const lookup = embeddedIpv4(parsed) ?? parsed;
  return { scope: scopeOf(parsed), family: lookup.family, address: formatIp(lookup) };
}

/** The scope of an address given as text; null when it is not an IP address. */
export function ipScope(text: string): IpScope | null {
  return classifyIp(text)?.scope ?? null;
}
