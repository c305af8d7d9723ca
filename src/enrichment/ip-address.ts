// Small, dependency-free IP address arithmetic shared by the enrichment plugins and the context
// API: parsing to integers, the address a lookup should use, and CIDR validation.
import { isIP } from 'node:net';

export type IpFamily = 4 | 6;

export interface ParsedIp {
  family: IpFamily;
  /** The address as an unsigned integer (32 bits for IPv4, 128 for IPv6). */
  value: bigint;
}

const V4_BITS = 32;
const V6_BITS = 128;

export function bits(family: IpFamily): number {
  return family === 4 ? V4_BITS : V6_BITS;
}

function parseIpv4(text: string): bigint {
  return text.split('.').reduce((acc, octet) => (acc << 8n) | BigInt(Number(octet)), 0n);
}

function parseIpv6(text: string): bigint {
  let source = text;
  // A dotted IPv4 tail (::ffff:1.2.3.4) stands for the last two groups.
  const dotted = source.lastIndexOf('.');
  if (dotted !== -1) {
    const colon = source.lastIndexOf(':');
    const v4 = parseIpv4(source.slice(colon + 1));
    source = `${source.slice(0, colon + 1)}${(v4 >> 16n).toString(16)}:${(v4 & 0xffffn).toString(16)}`;
  }
  const [head, tail] = source.includes('::') ? source.split('::') : [source, undefined];
  const groups = (part: string | undefined) => (part ? part.split(':') : []);
  const left = groups(head);
  const right = groups(tail);
  const missing = 8 - left.length - right.length;
  const all = [...left, ...Array<string>(tail === undefined ? 0 : missing).fill('0'), ...right];
  return all.reduce((acc, group) => (acc << 16n) | BigInt(parseInt(group, 16)), 0n);
}

/**
 * The value of `text` when it is an IPv4 address as node:net's isIPv4 accepts it (four decimal
 * octets 0-255, no leading zeros), else -1. Such text is already canonical. No allocation: it
 * runs for every address of every alert.
 */
export function dottedQuad(text: string): number {
  const length = text.length;
  if (length < 7 || length > 15) return -1;
  let value = 0;
  let octet = 0;
  let digits = 0;
  let dots = 0;
  for (let i = 0; i < length; i++) {
    const c = text.charCodeAt(i);
    if (c === 46 /* . */) {
      if (digits === 0 || dots === 3) return -1;
      value = value * 256 + octet;
      dots++;
      octet = 0;
      digits = 0;
    } else if (c >= 48 && c <= 57) {
      if (digits > 0 && octet === 0) return -1; // a leading zero
      octet = octet * 10 + (c - 48);
      if (octet > 255) return -1;
      digits++;
    } else {
      return -1;
    }
  }
  return dots === 3 && digits > 0 ? value * 256 + octet : -1;
}

/** Parses an IPv4 or IPv6 address (a zone index such as `%eth0` is ignored); null when invalid. */
export function parseIp(text: string): ParsedIp | null {
  const address = text.trim().split('%')[0];
  const family = isIP(address);
  if (family === 4) return { family: 4, value: parseIpv4(address) };
  if (family === 6) return { family: 6, value: parseIpv6(address) };
  return null;
}

/** The IPv4 address an IPv4-mapped IPv6 address (::ffff:a.b.c.d) stands for, else null. */
export function embeddedIpv4(ip: ParsedIp): ParsedIp | null {
  if (ip.family !== 6 || ip.value >> 32n !== 0xffffn) return null;
  return { family: 4, value: ip.value & 0xffffffffn };
}

export function formatIp(ip: ParsedIp): string {
  if (ip.family === 4) {
    return [24n, 16n, 8n, 0n].map((shift) => String((ip.value >> shift) & 0xffn)).join('.');
  }
  const groups = Array.from({ length: 8 }, (_, i) =>
    Number((ip.value >> BigInt(112 - i * 16)) & 0xffffn),
  );
  if (ip.value >> 32n === 0xffffn) {
    return `::ffff:${formatIp({ family: 4, value: ip.value & 0xffffffffn })}`;
  }
  // RFC 5952: compress the longest run (of at least two) of zero groups, the first one on a tie.
  let best = { start: -1, length: 0 };
  for (let i = 0; i < 8;) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > best.length) best = { start: i, length: j - i };
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (best.length < 2) return hex.join(':');
  const left = hex.slice(0, best.start).join(':');
  const right = hex.slice(best.start + best.length).join(':');
  return `${left}::${right}`;
}

/**
 * The address to look up for `text`, in canonical form: IPv4-mapped IPv6 addresses become the
 * IPv4 address they carry (lists and databases key those by IPv4). Null when not an address.
 */
export function lookupAddress(text: string): { family: IpFamily; address: string } | null {
  // The common case, without BigInt: a valid dotted quad is its own canonical form.
  if (dottedQuad(text) !== -1) return { family: 4, address: text };
  const parsed = parseIp(text);
  if (!parsed) return null;
  const ip = embeddedIpv4(parsed) ?? parsed;
  return { family: ip.family, address: formatIp(ip) };
}

export type CidrResult =
  { ok: true; family: IpFamily; prefix: number; network: string } | { ok: false; reason: string };

/**
 * Validates a network in CIDR notation or a single address (which becomes a /32 or /128).
 * Host bits must be clear, as PostgreSQL's `cidr` type demands; the error suggests the network.
 */
export function parseCidr(text: string): CidrResult {
  const [address, prefixText, ...rest] = text.trim().split('/');
  const ip = rest.length === 0 ? parseIp(address) : null;
  if (!ip || address.includes('%')) {
    return { ok: false, reason: 'must be an IPv4 or IPv6 address or network (CIDR)' };
  }
  const width = bits(ip.family);
  if (prefixText !== undefined && !/^\d{1,3}$/.test(prefixText)) {
    return { ok: false, reason: `must have a prefix length between 0 and ${width}` };
  }
  const prefix = prefixText === undefined ? width : Number(prefixText);
  if (prefix > width)
    return { ok: false, reason: `must have a prefix length between 0 and ${width}` };
  const hostMask = (1n << BigInt(width - prefix)) - 1n;
  if ((ip.value & hostMask) !== 0n) {
    const network = formatIp({ family: ip.family, value: ip.value & ~hostMask });
    return { ok: false, reason: `has host bits set (did you mean ${network}/${prefix}?)` };
  }
  return { ok: true, family: ip.family, prefix, network: `${formatIp(ip)}/${prefix}` };
}

/** Whether `ip` lies in `network`/`prefix` (both of the same family). */
export function inNetwork(ip: ParsedIp, network: ParsedIp, prefix: number): boolean {
  if (ip.family !== network.family) return false;
  const shift = BigInt(bits(ip.family) - prefix);
  return ip.value >> shift === network.value >> shift;
}
