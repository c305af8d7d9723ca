import { Inject, Injectable, Logger } from '@nestjs/common';
import type { Enrichment } from './enrichment.types.js';
import { EnrichmentStatus, type EnrichmentStatusReport } from './enrichment-status.service.js';
import {
  DerivedFields,
  EnrichableAlert,
  ENRICHMENT_PLUGINS,
  type EnrichmentPlugin,
  type PluginResult,
} from './enrichment-plugin.js';

export interface EnrichedAlert extends DerivedFields {
  enrichment: Enrichment;
}

/** Runs every plugin over a batch; a failing plugin is recorded in `enrichment.errors`, never fatal. */
@Injectable()
export class EnrichmentService {
  private readonly logger = new Logger(EnrichmentService.name);

  constructor(
    @Inject(ENRICHMENT_PLUGINS) private readonly plugins: EnrichmentPlugin[],
    private readonly status: EnrichmentStatus,
  ) {}

  /** What the enrichment data sources are (the GeoIP database, the Tor list), for /health. */
  report(): EnrichmentStatusReport {
    return this.status.report();
  }

  get pluginNames(): string[] {
    return this.plugins.map((p) => p.name);
  }

  async enrich(alerts: readonly EnrichableAlert[]): Promise<EnrichedAlert[]> {
    const out: EnrichedAlert[] = alerts.map(() => ({
      country: null,
      user: null,
      enrichmentType: 'clean',
      enrichment: { errors: [] },
    }));
    if (alerts.length === 0) return out;
    for (const plugin of this.plugins) {
      let results: PluginResult[];
      try {
        results = await plugin.enrich(alerts);
        if (results.length !== alerts.length)
          throw new Error(`returned ${results.length} results for ${alerts.length} alerts`);
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        this.logger.warn(
          { plugin: plugin.name, err: error },
          'Enrichment plugin failed for a batch',
        );
        for (const alert of out) alert.enrichment.errors.push({ plugin: plugin.name, message });
        continue;
      }
      results.forEach((result, i) => {
        const target = out[i];
        target.enrichment[plugin.name] = result.data ?? null;
        if (result.error)
          target.enrichment.errors.push({ plugin: plugin.name, message: result.error });
        const fields = result.fields;
        if (fields?.country !== undefined && fields.country !== null)
          target.country = fields.country;
        if (fields?.user !== undefined && fields.user !== null) target.user = fields.user;
        if (fields?.enrichmentType === 'tor_exit_node') target.enrichmentType = 'tor_exit_node';
      });
    }
    return out;
  }
}
