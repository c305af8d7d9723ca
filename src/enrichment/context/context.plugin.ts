import { Injectable } from '@nestjs/common';
import type { EnrichableAlert, EnrichmentPlugin, PluginResult } from '../enrichment-plugin.js';
import { contextFor, lookupKeys } from './context-lookup.js';
import { ContextRepository } from './context.repository.js';

/** Names the user behind an alert's addresses and the team owning its source: one query a batch. */
@Injectable()
export class ContextPlugin implements EnrichmentPlugin {
  readonly name = 'context';

  constructor(private readonly context: ContextRepository) {}

  async enrich(alerts: readonly EnrichableAlert[]): Promise<PluginResult[]> {
    const { ips, sources } = lookupKeys(alerts);
    const matches = await this.context.lookup(ips, sources);
    return alerts.map((alert) => {
      const data = contextFor(alert, matches);
      return { data, fields: { user: data?.user ?? null } };
    });
  }
}
