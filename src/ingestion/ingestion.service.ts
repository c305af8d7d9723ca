// The ingestion module's one face to the rest of the app: its controller, GET /health and anything
// else reach syncs, their history, the schedule and the upstream's credentials through here, so
// the module exports this alone and its repository, scheduler and circuit stay its own business.
import { Injectable } from '@nestjs/common';
import type { Circuit } from './sync-circuit.js';
import { SyncCircuitService } from './sync-circuit.service.js';
import { SyncSettingsService } from './sync-settings.service.js';
import {
  SyncRepository,
  type QuarantinedRecord,
  type SyncMode,
  type SyncRun,
  type SyncTrigger,
} from './sync.repository.js';
import { SyncScheduler } from './sync.scheduler.js';
import { SyncService } from './sync.service.js';
import { UpstreamCredentials } from './upstream-credentials.js';

@Injectable()
export class IngestionService {
  constructor(
    private readonly sync: SyncService,
    private readonly runs: SyncRepository,
    private readonly settings: SyncSettingsService,
    private readonly scheduler: SyncScheduler,
    private readonly circuits: SyncCircuitService,
    private readonly credentials: UpstreamCredentials,
  ) {}

  /** Starts a sync (see SyncService.start); throws SyncAlreadyRunningError when one runs anywhere. */
  start(trigger: SyncTrigger, mode?: SyncMode): Promise<{ runId: string; done: Promise<SyncRun> }> {
    return this.sync.start(trigger, mode);
  }

  listRuns(limit: number): Promise<SyncRun[]> {
    return this.runs.listRuns(limit);
  }

  listQuarantine(
    limit: number,
    offset: number,
  ): Promise<{ records: QuarantinedRecord[]; total: number }> {
    return this.runs.listQuarantine(limit, offset);
  }

  /** The last finished run and the last successful one, across replicas. */
  latestFinished(): Promise<{ last: SyncRun | null; lastSuccess: SyncRun | null }> {
    return this.runs.latestFinished();
  }

  /** The newest event time stored so far (where the next incremental sync resumes). */
  bookmark(): Promise<Date | null> {
    return this.runs.bookmark();
  }

  /** The sync in progress on any replica, if any. */
  runningRun(): Promise<SyncRun | null> {
    return this.runs.runningRun();
  }

  syncIntervalSeconds(): Promise<number> {
    return this.settings.syncIntervalSeconds();
  }

  setSyncIntervalSeconds(seconds: number): Promise<void> {
    return this.settings.setSyncIntervalSeconds(seconds);
  }

  /** The scheduled syncs' circuit breaker, shared by every replica. */
  circuit(): Promise<Circuit> {
    return this.circuits.current();
  }

  /** The interval this replica schedules syncs at; null when it schedules none. */
  get currentIntervalSeconds(): number | null {
    return this.scheduler.currentIntervalSeconds;
  }

  get nextSyncAt(): Date | null {
    return this.scheduler.nextSyncAt;
  }

  /** Ticks this replica skipped because a sync was already running somewhere. */
  get skippedTicks(): number {
    return this.scheduler.skippedTicks;
  }

  /** Ticks this replica skipped while the circuit was open. */
  get circuitSkippedTicks(): number {
    return this.scheduler.circuitSkippedTicks;
  }

  /** How the service authenticates to the upstream, never the credentials themselves. */
  describeUpstreamAuth(): string {
    return this.credentials.describe();
  }
}
