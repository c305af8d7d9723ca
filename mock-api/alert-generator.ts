// Alert #i of a seed, computed on demand: the content is a pure function of (seed, index) and the
// Tor exit list, created_at comes from the timeline, and whether the alert is malformed is a pure
// function of (seed, index, malformed_rate). Nothing is stored, so a backlog of a million costs
// no memory and a refetch always returns the same records.
import { describeAlert } from './alert-descriptions.js';
import { Draw, hash32, mulberry32, unitHash } from './prng.js';
import { EMBEDDED_TOR_EXITS } from './tor-exits.js';

export const STANDARD_SOURCES = ['firewall', 'ngfw', 'ips', 'vpn_gateway', 'router_acl'] as const;
export const LEGACY_SOURCES = ['waf', 'swg', 'nac', 'api_gateway', 'load_balancer'] as const;
export const SOURCES = [...STANDARD_SOURCES, ...LEGACY_SOURCES] as const;
export type Source = (typeof SOURCES)[number];

/** The contract's standard shape. `severity` varies in case; ingest is case-insensitive. */
export interface StandardAlert {
  id: string;
  source: string;
  severity: string;
  description: string;
  created_at: string;
  src_ip?: string;
  dst_ip?: string;
}

/** The contract's legacy shape: criticality 1 low, 2 medium, 3 high, 4 critical. */
export interface LegacyAlert {
  alertId: string;
  source: string;
  criticality: number;
  summary: string;
  sourceAddress?: string;
  destinationAddress?: string;
  timestamp: string;
}

export type UpstreamAlert = StandardAlert | LegacyAlert;

/** Share of alerts whose dst_ip is a Tor exit (when the alert has a dst_ip). */
export const TOR_SHARE = 0.1;

/**
 * Where most internal sources sit: a handful of /24s, so that a context table mapping e.g.
 * 10.0.0.0/16, 10.1.0.0/16 or 192.168.1.0/24 to users gets hits. The rest of the src_ips are
 * spread over all of RFC 1918.
 */
export const HOT_SUBNETS: readonly (readonly [prefix: string, weight: number])[] = [
  ['10.0.1', 20],
  ['10.0.2', 15],
  ['10.0.10', 10],
  ['10.1.4', 12],
  ['10.1.20', 8],
  ['192.168.1', 15],
  ['172.16.5', 8],
  ['10.20.30', 6],
  ['192.168.50', 6],
];
export const HOT_SUBNET_SHARE = 0.85;

const SOURCE_WEIGHTS: readonly (readonly [Source, number])[] = [
  ['firewall', 18],
  ['ngfw', 12],
  ['ips', 12],
  ['vpn_gateway', 8],
  ['router_acl', 6],
  ['waf', 14],
  ['swg', 10],
  ['nac', 6],
  ['api_gateway', 8],
  ['load_balancer', 6],
];
const ID_PREFIX: Record<Source, string> = {
  firewall: 'FW',
  ngfw: 'NGFW',
  ips: 'IPS',
  vpn_gateway: 'VPN',
  router_acl: 'ACL',
  waf: 'WAF',
  swg: 'SWG',
  nac: 'NAC',
  api_gateway: 'APIGW',
  load_balancer: 'LB',
};
const SEVERITY_WEIGHTS = [
  ['low', 35],
  ['medium', 35],
  ['high', 20],
  ['critical', 10],
] as const;
const SEVERITY_NAMES = SEVERITY_WEIGHTS.map(([name]) => name);
const LEGACY = new Set<string>(LEGACY_SOURCES);

// Salts keep the malformed decision and its variant independent of the alert's own draws.
const MALFORMED_SALT = 0x6d616c66;
const VARIANT_SALT = 0x76617269;

type Mutable = Record<string, unknown>;
const STANDARD_MALFORMATIONS: readonly (readonly [string, (a: Mutable) => void])[] = [
  ['missing source', (a) => delete a.source],
  ['severity "urgent"', (a) => (a.severity = 'urgent')],
  ['created_at "yesterday"', (a) => (a.created_at = 'yesterday')],
  ['src_ip "999.1.1.1"', (a) => (a.src_ip = '999.1.1.1')],
  ['missing description', (a) => delete a.description],
  ['dst_ip "300.12.5.1"', (a) => (a.dst_ip = '300.12.5.1')],
];
const LEGACY_MALFORMATIONS: readonly (readonly [string, (a: Mutable) => void])[] = [
  ['missing source', (a) => delete a.source],
  ['criticality 9', (a) => (a.criticality = 9)],
  ['criticality 0', (a) => (a.criticality = 0)],
  ['timestamp "yesterday"', (a) => (a.timestamp = 'yesterday')],
  ['sourceAddress "999.1.1.1"', (a) => (a.sourceAddress = '999.1.1.1')],
  ['missing summary', (a) => delete a.summary],
];

export interface AlertOptions {
  /** Addresses a share of dst_ips is drawn from (default: the embedded list). */
  torExits?: readonly string[];
  /** 0..1; see isMalformed. */
  malformedRate?: number;
}

/** True when alert #index is served malformed at `rate`. Raising the rate only adds alerts. */
export function isMalformed(seed: number, index: number, rate: number): boolean {
  return rate > 0 && unitHash(seed, index, MALFORMED_SALT) < rate;
}

/** How alert #index is broken at `rate` (e.g. `criticality 9`), or null when it is well-formed. */
export function malformationAt(seed: number, index: number, rate: number): string | null {
  if (!isMalformed(seed, index, rate)) return null;
  const variants = LEGACY.has(sourceAt(seed, index))
    ? LEGACY_MALFORMATIONS
    : STANDARD_MALFORMATIONS;
  return variants[hash32(seed, index, VARIANT_SALT) % variants.length][0];
}

function drawFor(seed: number, index: number): Draw {
  return new Draw(mulberry32(hash32(seed, index)));
}

/** The source of alert #index (the first thing every alert draws). */
export function sourceAt(seed: number, index: number): Source {
  return drawFor(seed, index).weighted(SOURCE_WEIGHTS);
}

function idFor(source: Source, seed: number, index: number): string {
  return `${ID_PREFIX[source]}-${seed}-${index}`;
}

/** The upstream id of alert #index: `id` (standard) or `alertId` (legacy), unique per (seed, index). */
export function externalIdAt(seed: number, index: number): string {
  return idFor(sourceAt(seed, index), seed, index);
}

/**
 * The ids a backlog of `count` produces, oldest first: exactly what a correct ingester stores
 * after reading all of it. Malformed alerts (at `malformedRate`) are left out: they belong in
 * quarantine.
 */
export function backlogIds(seed: number, count: number, malformedRate = 0): string[] {
  const ids: string[] = [];
  for (let index = 0; index < count; index++) {
    if (!isMalformed(seed, index, malformedRate)) ids.push(externalIdAt(seed, index));
  }
  return ids;
}

const torSets = new WeakMap<readonly string[], ReadonlySet<string>>();
function torSet(addresses: readonly string[]): ReadonlySet<string> {
  let set = torSets.get(addresses);
  if (!set) torSets.set(addresses, (set = new Set(addresses)));
  return set;
}

function internalIp(draw: Draw): string {
  if (draw.chance(HOT_SUBNET_SHARE)) return `${draw.weighted(HOT_SUBNETS)}.${draw.int(1, 254)}`;
  const block = draw.int(0, 3);
  if (block <= 1) return `10.${draw.int(0, 255)}.${draw.int(0, 255)}.${draw.int(1, 254)}`;
  if (block === 2) return `172.${draw.int(16, 31)}.${draw.int(0, 255)}.${draw.int(1, 254)}`;
  return `192.168.${draw.int(0, 255)}.${draw.int(1, 254)}`;
}

/** Not private, shared, loopback, link-local, documentation, benchmarking or multicast. */
function isPublic(a: number, b: number, c: number): boolean {
  if (a === 0 || a === 10 || a === 127 || a >= 224) return false;
  if (a === 100 && b >= 64 && b <= 127) return false;
  if (a === 169 && b === 254) return false;
  if (a === 172 && b >= 16 && b <= 31) return false;
  if (a === 192 && (b === 168 || (b === 0 && (c === 0 || c === 2)) || (b === 88 && c === 99)))
    return false;
  if (a === 198 && (b === 18 || b === 19 || (b === 51 && c === 100))) return false;
  return !(a === 203 && b === 0 && c === 113);
}

/** A public address that is not on the Tor list, so Tor hits are exactly the deliberate ones. */
function publicIp(draw: Draw, tor: ReadonlySet<string>): string {
  for (;;) {
    const a = draw.int(1, 223);
    const b = draw.int(0, 255);
    const c = draw.int(0, 255);
    const ip = `${a}.${b}.${c}.${draw.int(1, 254)}`;
    if (isPublic(a, b, c) && !tor.has(ip)) return ip;
  }
}

function withCase(draw: Draw, word: string): string {
  const style = draw.int(0, 3);
  if (style === 2) return word.toUpperCase();
  if (style === 3) return word[0].toUpperCase() + word.slice(1);
  return word;
}

/**
 * Alert #index of `seed`, created at `createdAtMs` (from the timeline). Well-formed alerts follow
 * the contract's shapes; a malformed one (see isMalformed) has one field missing or invalid.
 */
export function alertAt(
  seed: number,
  index: number,
  createdAtMs: number,
  options: AlertOptions = {},
): UpstreamAlert {
  const torExits = options.torExits ?? EMBEDDED_TOR_EXITS;
  const draw = drawFor(seed, index);
  const source = draw.weighted(SOURCE_WEIGHTS);
  const severity = draw.weighted(SEVERITY_WEIGHTS);
  const severityText = withCase(draw, severity);
  const src = draw.chance(0.95) ? internalIp(draw) : undefined;
  let dst: string | undefined;
  if (draw.chance(0.92)) {
    dst =
      torExits.length > 0 && draw.chance(TOR_SHARE)
        ? draw.pick(torExits)
        : publicIp(draw, torSet(torExits));
  }
  const description = describeAlert(source, { draw, src, dst });
  const createdAt = new Date(createdAtMs).toISOString();
  const id = idFor(source, seed, index);

  let alert: UpstreamAlert;
  if (LEGACY.has(source)) {
    const legacy: LegacyAlert = {
      alertId: id,
      source,
      criticality: SEVERITY_NAMES.indexOf(severity) + 1,
      summary: description,
      timestamp: createdAt,
    };
    if (src) legacy.sourceAddress = src;
    if (dst) legacy.destinationAddress = dst;
    alert = legacy;
  } else {
    const standard: StandardAlert = {
      id,
      source,
      severity: severityText,
      description,
      created_at: createdAt,
    };
    if (src) standard.src_ip = src;
    if (dst) standard.dst_ip = dst;
    alert = standard;
  }

  const rate = options.malformedRate ?? 0;
  if (isMalformed(seed, index, rate)) {
    const variants = LEGACY.has(source) ? LEGACY_MALFORMATIONS : STANDARD_MALFORMATIONS;
    variants[hash32(seed, index, VARIANT_SALT) % variants.length][1](alert as unknown as Mutable);
  }
  return alert;
}
