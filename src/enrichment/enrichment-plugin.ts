// The contract every enrichment plugin implements. Plugins work on a whole batch (one page of
// upstream alerts, or one event) so lookups that touch a table or a file run once per batch,
// never once per alert.
import type { EnrichmentType } from './enrichment.types.js';

/** What a plugin sees of an alert. IPs are validated strings (IPv4 or IPv6) or null. */
export interface EnrichableAlert {
  source: string;
  srcIp: string | null;
  dstIp: string | null;
}

/** The alert columns plugins may set; the runner merges them across plugins. */
export interface DerivedFields {
  country: string | null;
  user: string | null;
  enrichmentType: EnrichmentType;
}

export interface PluginResult {
  /** Stored under `enrichment[plugin.name]`; null when the plugin has nothing to say. */
  data: unknown;
  fields?: Partial<DerivedFields>;
  /** A failure for this alert only; the alert is still stored. */
  error?: string;
}

export interface EnrichmentPlugin {
  /** The key under `enrichment` (geo, tor, context…). */
  readonly name: string;
  /**
   * One result per input, in the same order. Throwing fails the plugin for the whole batch.
   * Alerts with the same answer may share one result object: results are read-only.
   */
  enrich(alerts: readonly EnrichableAlert[]): Promise<PluginResult[]> | PluginResult[];
}

/** Multi-provider token: the list of plugins, in the order they run. */
export const ENRICHMENT_PLUGINS = Symbol('ENRICHMENT_PLUGINS');
