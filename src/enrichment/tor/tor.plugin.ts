import { Injectable } from '@nestjs/common';
import type { EnrichableAlert, EnrichmentPlugin, PluginResult } from '../enrichment-plugin.js';
import { TorExitList } from './tor-exit-list.js';

export interface TorData {
  src_listed: boolean;
  dst_listed: boolean;
  /** When the list that answered was downloaded (ISO 8601 UTC); null if unknown. */
  list_updated_at: string | null;
}

/** Flags alerts whose source or destination address is a Tor exit. */
@Injectable()
export class TorPlugin implements EnrichmentPlugin {
  readonly name = 'tor';

  constructor(private readonly exits: TorExitList) {}

  enrich(alerts: readonly EnrichableAlert[]): PluginResult[] {
    const listUpdatedAt = this.exits.updatedAt?.toISOString() ?? null;
    return alerts.map((alert) => {
      const data: TorData = {
        src_listed: alert.srcIp !== null && this.exits.has(alert.srcIp),
        dst_listed: alert.dstIp !== null && this.exits.has(alert.dstIp),
        list_updated_at: listUpdatedAt,
      };
      const listed = data.src_listed || data.dst_listed;
      return { data, fields: { enrichmentType: listed ? 'tor_exit_node' : 'clean' } };
    });
  }
}
