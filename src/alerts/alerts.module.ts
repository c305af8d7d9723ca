import { Module } from '@nestjs/common';
import { AlertWorkflowRepository } from './alert-workflow.repository.js';
import { AlertWorkflowService } from './alert-workflow.service.js';
import { AlertsController } from './alerts.controller.js';
import { AlertsRepository } from './alerts.repository.js';
import { AlertsService } from './alerts.service.js';

@Module({
  controllers: [AlertsController],
  providers: [AlertsService, AlertsRepository, AlertWorkflowService, AlertWorkflowRepository],

  exports: [AlertsService],
})
export class AlertsModule {}
