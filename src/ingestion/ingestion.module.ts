import { Module } from '@nestjs/common';
import { ScheduleModule } from '@nestjs/schedule';
import { AlertsModule } from '../alerts/alerts.module.js';
import { EnrichmentModule } from '../enrichment/enrichment.module.js';
import { IngestionController } from './ingestion.controller.js';
import { IngestionService } from './ingestion.service.js';
import { SettingsChangeListener } from './settings-change.listener.js';
import { IngestionMetrics } from './ingestion-metrics.js';
import { PushIngestionController } from './push-ingestion.controller.js';
import { PushIngestionService } from './push-ingestion.service.js';
import { PushRepository } from './push.repository.js';
import { SettingsRepository } from './settings.repository.js';

import { SyncCircuitService } from './sync-circuit.service.js';

import { SyncSettingsService } from './sync-settings.service.js';
import { SyncRepository } from './sync.repository.js';
import { SyncScheduler } from './sync.scheduler.js';
import { SyncService } from './sync.service.js';
import { UpstreamChaosController } from './upstream-chaos.controller.js';
import { UpstreamChaosService } from './upstream-chaos.service.js';
import { UpstreamClient } from './upstream.client.js';
import { UpstreamCredentials } from './upstream-credentials.js';

@Module({
  imports: [ScheduleModule.forRoot(), EnrichmentModule, AlertsModule],
  controllers: [IngestionController, PushIngestionController, UpstreamChaosController],
  providers: [
    UpstreamCredentials,
    UpstreamClient,
    UpstreamChaosService,
    SyncRepository,
    SyncService,
    SyncScheduler,
    SettingsRepository,
    SyncSettingsService,
    SettingsChangeListener,
    SyncCircuitService,
    IngestionMetrics,
    IngestionService,
    PushRepository,
    PushIngestionService,
  ],
  // The facade alone: the repository, scheduler and circuit are reached through it.
  exports: [IngestionService],
})
export class IngestionModule {}
