import { Module } from '@nestjs/common';
import { AlertStatsController } from './alert-stats.controller.js';
import { AlertStatsRepository } from './alert-stats.repository.js';
import { AlertWorkflowRepository } from './alert-workflow.repository.js';
import { AlertWorkflowService } from './alert-workflow.service.js';
import { AlertsController } from './alerts.controller.js';
import { AlertsRepository } from './alerts.repository.js';
import { AlertsService } from './alerts.service.js';

// Fastify's router matches the static /api/alerts/stats before /api/alerts/:id whatever the order
// of the controllers (the e2e spec holds it to that).
@Module({
  controllers: [AlertsController, AlertStatsController],
  providers: [
    AlertsService,
    AlertsRepository,
    AlertWorkflowService,
    AlertWorkflowRepository,
    AlertStatsRepository,
  ],
  exports: [AlertsService],
})
export class AlertsModule {}
