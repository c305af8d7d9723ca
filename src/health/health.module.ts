import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { EnrichmentModule } from '../enrichment/enrichment.module.js';
import { IngestionModule } from '../ingestion/ingestion.module.js';
import { HealthController } from './health.controller.js';
import { HealthSummaryService } from './health-summary.service.js';

@Module({
  imports: [TerminusModule.forRoot({ logger: false }), IngestionModule, EnrichmentModule],
  controllers: [HealthController],
  providers: [HealthSummaryService],
})
export class HealthModule {}
