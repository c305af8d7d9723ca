import { Module } from '@nestjs/common';
import { AlertsModule } from '../alerts/alerts.module.js';
import { EnrichmentModule } from '../enrichment/enrichment.module.js';
import { EventsController } from './events.controller.js';
import { EventsRepository } from './events.repository.js';
import { EventsService } from './events.service.js';

@Module({
  imports: [EnrichmentModule, AlertsModule],
  controllers: [EventsController],
  providers: [EventsService, EventsRepository],
})
export class EventsModule {}
