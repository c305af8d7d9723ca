import { Injectable } from '@nestjs/common';
import type { EnrichableAlert, EnrichmentPlugin, PluginResult } from '../enrichment-plugin.js';
import { ContextIndex } from './context-index.js';
import { contextFor, lookupKeys } from './context-lookup.js';
import { ContextRepository } from './context.repository.js';

/**
 * Names the user behind an alert's addresses and the team owning its source. The two context
 * tables are held in memory; each batch asks for their version (one row) and re-reads them only
 * when it moved, so every batch is enriched with what is committed, as a query would, at the
 * cost of one trivial round trip.
 */
@Injectable()
export class ContextPlugin implements EnrichmentPlugin {
  readonly name = 'context';
  private index: ContextIndex | null = null;

  constructor(private readonly context: ContextRepository) {}

  async enrich(alerts: readonly EnrichableAlert[]): Promise<PluginResult[]> {
    const index = await this.current();
    const { ips, sources } = lookupKeys(alerts);
    const matches = index.match(ips, sources);
    return alerts.map((alert) => {
      const data = contextFor(alert, matches);
      return { data, fields: { user: data?.user ?? null } };
    });
  }

  private async current(): Promise<ContextIndex> {
    const version = await this.context.version();
    const held = this.index;
    if (held && version !== null && held.version === version) return held;
    // Concurrent batches may each read a snapshot; the newest one is kept.
    const fresh = new ContextIndex(await this.context.snapshot());
    if (!this.index || fresh.newerThan(this.index)) this.index = fresh;
    return fresh;
  }
}
