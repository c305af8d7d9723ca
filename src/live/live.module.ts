import { Module } from '@nestjs/common';
import { AlertsModule } from '../alerts/alerts.module.js';
import { AuthModule } from '../auth/auth.module.js';
import { IncidentLiveRenderer } from '../incidents/incident-live.renderer.js';
import { IncidentsModule } from '../incidents/incidents.module.js';
import { AlertLiveRenderer } from './alert-live.renderer.js';
import { LiveEventsRepository } from './live-events.repository.js';
import { LiveHub } from './live-hub.service.js';
import { LIVE_RENDERERS, type LiveRenderer } from './live-renderer.js';
import { LiveStreamController } from './live-stream.controller.js';

// GET /api/stream. The feed it follows is written by the database (triggers on `alerts`), so no
// writer of alerts knows this module exists; each resource's events have a renderer here
// (alerts', and incidents' from the incidents module, whose triggers write `incident.*` rows).
@Module({
  imports: [AlertsModule, IncidentsModule, AuthModule],
  controllers: [LiveStreamController],
  providers: [
    LiveEventsRepository,
    LiveHub,
    AlertLiveRenderer,
    {
      provide: LIVE_RENDERERS,
      inject: [AlertLiveRenderer, IncidentLiveRenderer],
      useFactory: (...renderers: LiveRenderer[]) => renderers,
    },
  ],
})
export class LiveModule {}
