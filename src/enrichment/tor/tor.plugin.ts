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
    // A batch has at most four distinct answers (src listed or not, dst listed or not): each is
    // built once and shared by the alerts that get it.
    const answers: Array<PluginResult | undefined> = [];
    return alerts.map((alert) => {
      const srcListed = alert.srcIp !== null && this.exits.has(alert.srcIp);
      const dstListed = alert.dstIp !== null && this.exits.has(alert.dstIp);
      const key = (srcListed ? 1 : 0) + (dstListed ? 2 : 0);
      return (answers[key] ??= {
        data: {
          src_listed: srcListed,
          dst_listed: dstListed,
          list_updated_at: listUpdatedAt,
        } satisfies TorData,
        fields: { enrichmentType: srcListed || dstListed ? 'tor_exit_node' : 'clean' },
      });
    });
  }
}
