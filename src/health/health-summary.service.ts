// GET /health: what an operator or the dashboard wants at a glance. Reads only the database and
// in-process state; never calls the upstream.
import { Inject, Injectable } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { pendingMigrations } from '../database/data-source.js';
import { Database } from '../database/database.js';
import { ingestionConfig } from '../config/ingestion.config.js';
import type { EnrichmentStatusReport } from '../enrichment/enrichment-status.service.js';
import { EnrichmentService } from '../enrichment/enrichment.service.js';
import type { CircuitState } from '../ingestion/sync-circuit.js';
import { IngestionService } from '../ingestion/ingestion.service.js';
import { HealthCheckFailedError } from './health-check-failed.error.js';

const DB_TIMEOUT_MS = 2000;

export interface HealthSummary {
  status: 'ok' | 'degraded';
  db_connected: true;
  last_successful_sync: string | null;
  last_sync_status: string | null;
  last_error: string | null;
  last_event_time: string | null;
  sync_interval_seconds: number;
  next_sync_at: string | null;
  /** Ticks this replica skipped because a sync was already running somewhere. */
  skipped_ticks: number;
  /** The scheduled syncs' circuit breaker (shared by every replica). */
  sync_circuit: {
    state: CircuitState;
    consecutive_failures: number;
    retry_at: string | null;
    /** Ticks this replica skipped while it was open. */
    skipped_ticks: number;
  };
  /** The sync in progress on any replica, so a stuck one is visible; null when none runs. */
  running_sync: {
    run_id: string;
    mode: string;
    trigger: string;
    started_at: string;
    pages: number;
    fetched: number;
    host: string | null;
  } | null;
  /** Never holds credentials (userinfo is stripped from UPSTREAM_URL). */
  upstream_url: string;
  /** How the service authenticates to the upstream (never the credentials themselves). */
  upstream_auth: string;
  enrichment: EnrichmentStatusReport;
}

@Injectable()
export class HealthSummaryService {
  constructor(
    private readonly db: Database,
    private readonly sync: IngestionService,
    private readonly enrichment: EnrichmentService,
    @Inject(ingestionConfig.KEY) private readonly ingestion: ConfigType<typeof ingestionConfig>,
  ) {}

  /** Resolves when the database answers a trivial statement. */
  async ping(): Promise<void> {
    await this.db.query('SELECT 1');
  }

  /** The migrations this release has that the database has not applied. */
  pendingMigrations(): Promise<string[]> {
    return pendingMigrations(this.db);
  }

  async summary(): Promise<HealthSummary> {
    const connected = await withTimeout(this.ping(), DB_TIMEOUT_MS).then(
      () => true,
      () => false,
    );
    if (!connected) {
      throw new HealthCheckFailedError('The database is unreachable', {
        health_status: 'down',
        db_connected: false,
        upstream_url: this.ingestion.upstreamUrl,
        sync_interval_seconds: this.sync.currentIntervalSeconds,
        enrichment: this.enrichment.report(),
      });
    }
    const [{ last, lastSuccess }, bookmark, interval, circuit, running] = await Promise.all([
      this.sync.latestFinished(),
      this.sync.bookmark(),
      this.sync.syncIntervalSeconds(),
      this.sync.circuit(),
      this.sync.runningRun(),
    ]);
    const failed = last?.result === 'failed';
    return {
      status: failed ? 'degraded' : 'ok',
      db_connected: true,
      last_successful_sync: lastSuccess?.finishedAt?.toISOString() ?? null,
      last_sync_status: last?.result ?? null,
      last_error: failed ? last.error : null,
      last_event_time: bookmark?.toISOString() ?? null,
      // The interval this replica syncs at (the stored one when it does not schedule syncs).
      sync_interval_seconds: this.sync.currentIntervalSeconds ?? interval,

      next_sync_at: this.sync.nextSyncAt?.toISOString() ?? null,
      skipped_ticks: this.sync.skippedTicks,
      sync_circuit: {
        state: circuit.state,
        consecutive_failures: circuit.consecutiveFailures,
        retry_at: circuit.retryAt?.toISOString() ?? null,
        skipped_ticks: this.sync.circuitSkippedTicks,
      },
      running_sync: running && {
        run_id: running.id,
        mode: running.mode,
        trigger: running.trigger,
        started_at: running.startedAt.toISOString(),
        pages: running.pages,
        fetched: running.fetched,
        host: running.host,
      },
      upstream_url: this.ingestion.upstreamUrl,
      upstream_auth: this.sync.describeUpstreamAuth(),
      enrichment: this.enrichment.report(),
    };
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
