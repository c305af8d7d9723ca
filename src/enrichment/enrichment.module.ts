import { Module } from '@nestjs/common';
import { ENRICHMENT_PLUGINS, type EnrichmentPlugin } from './enrichment-plugin.js';
import { EnrichmentService } from './enrichment.service.js';

/** The plugins, in the order they run. Adding one (WHOIS, ASN…) is one file and one entry here. */
const PLUGINS: Array<new (...args: never[]) => EnrichmentPlugin> = [];

@Module({
  providers: [
    ...PLUGINS,
    { provide: ENRICHMENT_PLUGINS, useFactory: (...plugins: EnrichmentPlugin[]) => plugins, inject: PLUGINS },
    EnrichmentService,
  ],
  exports: [EnrichmentService],
})
export class EnrichmentModule {}
