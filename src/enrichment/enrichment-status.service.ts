import { Injectable } from '@nestjs/common';
import { GeoIpPlugin, type GeoIpDatabaseInfo } from './geoip/geoip.plugin.js';
import { TorExitList } from './tor/tor-exit-list.js';

/** `enrichment` in GET /health. */
export interface EnrichmentStatusReport {
  geoip_database: GeoIpDatabaseInfo | null;
  /** When the Tor exit list in use was downloaded (ISO 8601 UTC), null if unknown. */
  tor_list_updated_at: string | null;
  tor_list_size: number;
}

/** What the enrichment data sources are, for /health. Reads memory only. */
@Injectable()
export class EnrichmentStatus {
  constructor(
    private readonly geoip: GeoIpPlugin,
    private readonly tor: TorExitList,
  ) {}

  report(): EnrichmentStatusReport {
    return {
      geoip_database: this.geoip.databaseInfo(),
      tor_list_updated_at: this.tor.updatedAt?.toISOString() ?? null,
      tor_list_size: this.tor.size,
    };
  }
}
