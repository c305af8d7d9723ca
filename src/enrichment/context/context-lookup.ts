// The pure halves of the context plugin: which keys a batch needs looked up, and how the
// matches become each alert's context (the user of src_ip, else of dst_ip; the source's owner).
import type { Severity } from '../../common/severity.js';
import type { EnrichableAlert } from '../enrichment-plugin.js';
import { lookupAddress } from '../ip-address.js';
import type { ContextMatches } from './context.types.js';

export interface ContextData {
  user: string | null;
  /** The most specific network that named the user. */
  user_network: string | null;
  /** Which address named the user. */
  matched_on: 'src_ip' | 'dst_ip' | null;
  asset: { owner_team: string; criticality: Severity | null } | null;
}

/** The distinct canonical addresses and sources of a batch. */
export function lookupKeys(alerts: readonly EnrichableAlert[]): {
  ips: string[];
  sources: string[];
} {
  const ips = new Set<string>();
  const sources = new Set<string>();
  for (const alert of alerts) {
    sources.add(alert.source);
    for (const ip of [alert.srcIp, alert.dstIp]) {
      const address = ip === null ? null : lookupAddress(ip);
      if (address) ips.add(address.address);
    }
  }
  return { ips: [...ips], sources: [...sources] };
}

/** The alert's context; null when neither an address nor the source is known. */
export function contextFor(alert: EnrichableAlert, matches: ContextMatches): ContextData | null {
  const userOf = (ip: string | null) => {
    const address = ip === null ? null : lookupAddress(ip);
    return address ? matches.ipUsers.get(address.address) : undefined;
  };
  const bySrc = userOf(alert.srcIp);
  const byDst = bySrc ? undefined : userOf(alert.dstIp);
  const match = bySrc ?? byDst;
  const asset = matches.assets.get(alert.source);
  if (!match && !asset) return null;
  return {
    user: match?.userName ?? null,
    user_network: match?.network ?? null,
    matched_on: bySrc ? 'src_ip' : byDst ? 'dst_ip' : null,
    asset: asset ? { owner_team: asset.ownerTeam, criticality: asset.criticality } : null,
  };
}
