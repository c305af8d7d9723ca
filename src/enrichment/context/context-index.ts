// The enrichment context held in memory: the user behind an address (the most specific network
// holding it, as PostgreSQL's `network >>= ip ORDER BY masklen(network) DESC` answers) and the
// owner of a source. Built from one read of both tables and answered without a query: a batch of
// a thousand alerts costs a few Map lookups per distinct address instead of a GiST search each.
import type { Severity } from '../../common/severity.js';
import { dottedQuad, parseIp } from '../ip-address.js';
import type { AssetMatch, ContextMatches, IpUserMatch } from './context.types.js';

/** Both context tables as one statement read them, with the version they were at. */
export interface ContextSnapshot {
  /** context_state.version (bigint as text); null if the row is missing. */
  version: string | null;
  /** Networks as PostgreSQL prints a cidr: always with a prefix length. */
  ipUsers: Array<{ network: string; userName: string }>;
  assets: Array<{ source: string; ownerTeam: string; criticality: Severity | null }>;
}

/** The networks of one prefix length, keyed by their address without the host bits. */
interface Level<K> {
  prefix: number;
  networks: Map<K, IpUserMatch>;
}

/** IPv4 keys are numbers (2^32 fits a double exactly), IPv6 keys BigInts. */
const v4Key = (value: number, prefix: number): number => Math.floor(value / 2 ** (32 - prefix));
const v6Key = (value: bigint, prefix: number): bigint => value >> BigInt(128 - prefix);

function level<K>(levels: Array<Level<K>>, prefix: number): Map<K, IpUserMatch> {
  let found = levels.find((l) => l.prefix === prefix);
  if (!found) {
    found = { prefix, networks: new Map() };
    levels.push(found);
    levels.sort((a, b) => b.prefix - a.prefix); // the most specific first
  }
  return found.networks;
}

export class ContextIndex {
  readonly version: string | null;
  private readonly v4: Array<Level<number>> = [];
  private readonly v6: Array<Level<bigint>> = [];
  private readonly assets: Map<string, AssetMatch>;

  constructor(snapshot: ContextSnapshot) {
    this.version = snapshot.version;
    for (const { network, userName } of snapshot.ipUsers) {
      const slash = network.lastIndexOf('/');
      const address = network.slice(0, slash);
      const prefix = Number(network.slice(slash + 1));
      const match: IpUserMatch = { userName, network };
      const v4 = dottedQuad(address);
      if (v4 !== -1) {
        level(this.v4, prefix).set(v4Key(v4, prefix), match);
        continue;
      }
      const v6 = parseIp(address);
      if (v6?.family === 6) level(this.v6, prefix).set(v6Key(v6.value, prefix), match);
    }
    this.assets = new Map(
      snapshot.assets.map((a) => [
        a.source,
        { ownerTeam: a.ownerTeam, criticality: a.criticality },
      ]),
    );
  }

  /** Whether this index was read at a later version than `other`. */
  newerThan(other: ContextIndex): boolean {
    if (this.version === null || other.version === null) return true;
    return BigInt(this.version) > BigInt(other.version);
  }

  /**
   * The same answer as ContextRepository's query used to give: `ips` canonical addresses (see
   * lookupAddress), `sources` as stored; only what matched.
   */
  match(ips: readonly string[], sources: readonly string[]): ContextMatches {
    const matches: ContextMatches = { ipUsers: new Map(), assets: new Map() };
    if (this.v4.length + this.v6.length > 0) {
      for (const ip of ips) {
        const user = this.userOf(ip);
        if (user) matches.ipUsers.set(ip, user);
      }
    }
    for (const source of sources) {
      const asset = this.assets.get(source);
      if (asset) matches.assets.set(source, asset);
    }
    return matches;
  }

  private userOf(ip: string): IpUserMatch | undefined {
    const v4 = dottedQuad(ip);
    if (v4 !== -1) {
      for (const { prefix, networks } of this.v4) {
        const user = networks.get(v4Key(v4, prefix));
        if (user) return user;
      }
      return undefined;
    }
    if (this.v6.length === 0) return undefined;
    const parsed = parseIp(ip);
    if (parsed?.family !== 6) return undefined;
    for (const { prefix, networks } of this.v6) {
      const user = networks.get(v6Key(parsed.value, prefix));
      if (user) return user;
    }
    return undefined;
  }
}
