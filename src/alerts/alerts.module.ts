import { Module } from '@nestjs/common';
import { UsersModule } from '../users/users.module.js';
import { AlertStatsController } from './alert-stats.controller.js';
import { AlertStore } from './alert.store.js';
import { AlertWorkflowService } from './alert-workflow.service.js';
import { AlertsController } from './alerts.controller.js';
import { AlertsService } from './alerts.service.js';

// The store is what the rest of the app writes alerts through (ingestion, events, retention, each
// in its own transaction); the services behind the controllers are this module's own.
// Fastify's router matches the static /api/alerts/stats before /api/alerts/:id whatever the order
// of the controllers (the e2e spec holds it to that).
@Module({
  imports: [UsersModule],
  controllers: [AlertsController, AlertStatsController],
  providers: [AlertsService, AlertWorkflowService, AlertStore],
  exports: [AlertStore],
})
export class AlertsModule {}
