import { Module } from '@nestjs/common';
import { AlertsModule } from '../alerts/alerts.module.js';
import { RetentionRepository } from './retention.repository.js';
import { RetentionService } from './retention.service.js';

@Module({ imports: [AlertsModule], providers: [RetentionService, RetentionRepository] })
export class RetentionModule {}
