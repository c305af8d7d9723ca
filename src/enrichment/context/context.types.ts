import type { Severity } from '../../common/severity.js';

/** Who sits behind an internal network (context_ip_users). */
export interface IpUserMapping {
  id: string;
  /** Canonical CIDR, e.g. 10.0.0.0/24 (a single address is a /32 or /128). */
  network: string;
  userName: string;
  note: string | null;
  createdAt: Date;
}

/** Which team owns an alert source (context_assets). */
export interface AssetOwner {
  source: string;
  ownerTeam: string;
  criticality: Severity | null;
  note: string | null;
  createdAt: Date;
}

export type NewIpUserMapping = Pick<IpUserMapping, 'network' | 'userName' | 'note'>;
export type NewAssetOwner = Pick<AssetOwner, 'source' | 'ownerTeam' | 'criticality' | 'note'>;

/** The most specific network holding an address. */
export interface IpUserMatch {
  userName: string;
  network: string;
}

export interface AssetMatch {
  ownerTeam: string;
  criticality: Severity | null;
}

/** One batch's lookups: by canonical address and by source. */
export interface ContextMatches {
  ipUsers: Map<string, IpUserMatch>;
  assets: Map<string, AssetMatch>;
}
