import { Module } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { enrichmentConfig } from '../config/enrichment.config.js';
import { ContextModule } from './context/context.module.js';
import { ContextPlugin } from './context/context.plugin.js';
import { ENRICHMENT_PLUGINS, type EnrichmentPlugin } from './enrichment-plugin.js';
import { EnrichmentStatus } from './enrichment-status.service.js';
import { EnrichmentService } from './enrichment.service.js';
import { GEOIP_OPTIONS, GeoIpPlugin, type GeoIpOptions } from './geoip/geoip.plugin.js';
import {
  shippedSnapshotPath,
  TOR_EXIT_LIST_OPTIONS,
  TorExitList,
  type TorExitListOptions,
} from './tor/tor-exit-list.js';
import { TorPlugin } from './tor/tor.plugin.js';

/** The plugins, in the order they run. Adding one (WHOIS, ASN…) is one file and one entry here. */
const PLUGINS: Array<new (...args: never[]) => EnrichmentPlugin> = [
  GeoIpPlugin,
  TorPlugin,
  ContextPlugin,
];

type EnrichmentConfig = ConfigType<typeof enrichmentConfig>;

@Module({
  imports: [ContextModule],
  providers: [
    {
      provide: GEOIP_OPTIONS,
      inject: [enrichmentConfig.KEY],
      useFactory: (config: EnrichmentConfig): GeoIpOptions => config.geoip,
    },
    {
      provide: TOR_EXIT_LIST_OPTIONS,
      inject: [enrichmentConfig.KEY],
      useFactory: (config: EnrichmentConfig): TorExitListOptions => ({
        ...config.tor,
        snapshotPath: shippedSnapshotPath(),
      }),
    },
    TorExitList,
    // The context plugin comes from ContextModule, which owns its tables.
    ...PLUGINS.filter((plugin) => plugin !== ContextPlugin),
    {
      provide: ENRICHMENT_PLUGINS,
      useFactory: (...plugins: EnrichmentPlugin[]) => plugins,
      inject: PLUGINS,
    },
    EnrichmentService,
    EnrichmentStatus,
  ],
  exports: [EnrichmentService],
})
export class EnrichmentModule {}
