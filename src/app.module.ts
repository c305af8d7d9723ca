import { Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { APP_FILTER, APP_GUARD, APP_PIPE } from '@nestjs/core';
import { AlertsModule } from './alerts/alerts.module.js';
import { ApiKeysModule } from './api-keys/api-keys.module.js';
import { AuthModule } from './auth/auth.module.js';
import { GroupsGuard } from './auth/groups.guard.js';
import { BearerAuthGuard } from './auth/bearer-auth.guard.js';
import { HttpModule } from './common/http/http.module.js';
import { LifecycleModule } from './common/lifecycle/lifecycle.module.js';
import { LoggingModule } from './common/logging.module.js';
import { ProblemDetailsFilter } from './common/problem/problem-details.filter.js';
import { ClientThrottleGuard } from './common/throttling/client-throttle.guard.js';
import { ThrottlingModule } from './common/throttling/throttling.module.js';
import { createValidationPipe } from './common/validation/validation.pipe.js';
import {
  appConfig,
  authConfig,
  databaseConfig,
  enrichmentConfig,
  ingestionConfig,
  throttleConfig,
  webhookConfig,
} from './config/index.js';
import { DashboardModule } from './dashboard/dashboard.module.js';
import { DatabaseModule } from './database/database.module.js';
import { EnrichmentModule } from './enrichment/enrichment.module.js';
import { EventsModule } from './events/events.module.js';
import { HealthModule } from './health/health.module.js';
import { IncidentsModule } from './incidents/incidents.module.js';
import { IngestionModule } from './ingestion/ingestion.module.js';
import { LiveModule } from './live/live.module.js';
import { MetricsModule } from './metrics/metrics.module.js';
import { RetentionModule } from './retention/retention.module.js';
import { UsersModule } from './users/users.module.js';
import { WebhooksModule } from './webhooks/webhooks.module.js';

@Module({
  imports: [
    ConfigModule.forRoot({
      isGlobal: true,
      ignoreEnvFile: true,
      load: [
        appConfig,
        authConfig,
        databaseConfig,
        throttleConfig,
        ingestionConfig,
        enrichmentConfig,
        webhookConfig,
      ],
    }),
    LoggingModule,
    LifecycleModule,
    HttpModule,

    MetricsModule,

    DatabaseModule,

    ThrottlingModule,
    UsersModule,
    AuthModule,
    ApiKeysModule,
    EnrichmentModule,
    AlertsModule,
    EventsModule,
    IngestionModule,
    RetentionModule,
    WebhooksModule,
    LiveModule,
    IncidentsModule,
    HealthModule,
    DashboardModule,
  ],
  providers: [
    { provide: APP_PIPE, useFactory: createValidationPipe },
    { provide: APP_FILTER, useClass: ProblemDetailsFilter },
    // Order matters: throttle first (cheap, protects the rest), then authenticate, then authorise.
    { provide: APP_GUARD, useExisting: ClientThrottleGuard },
    { provide: APP_GUARD, useClass: BearerAuthGuard },
    { provide: APP_GUARD, useClass: GroupsGuard },
  ],
})
export class AppModule {}
