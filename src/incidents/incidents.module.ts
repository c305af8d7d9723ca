import { Module } from '@nestjs/common';
import { AlertsModule } from '../alerts/alerts.module.js';
import { UsersModule } from '../users/users.module.js';
import { CorrelationRulesController } from './correlation-rules.controller.js';
import { CorrelationRulesRepository } from './correlation-rules.repository.js';
import { IncidentLiveRenderer } from './incident-live.renderer.js';
import { IncidentStore } from './incident.store.js';
import { IncidentsController } from './incidents.controller.js';
import { IncidentsService } from './incidents.service.js';

// Incidents and the rules that make them. Alerts are grouped by the database (the trigger on
// `alerts`), so no writer of alerts needs to know this module exists; a resolution changes the
// incident's alerts through the AlertStore, as a bulk change does. Fastify matches the static
// /api/incidents/stats before /api/incidents/:id.
@Module({
  imports: [AlertsModule, UsersModule],
  controllers: [IncidentsController, CorrelationRulesController],
  providers: [IncidentStore, IncidentsService, CorrelationRulesRepository, IncidentLiveRenderer],
  exports: [IncidentLiveRenderer],
})
export class IncidentsModule {}
