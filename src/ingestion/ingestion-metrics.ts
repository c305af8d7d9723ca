// The ingestion gauges Prometheus reads at scrape time from the shared database: how far the
// bookmark trails the clock, and the scheduled syncs' circuit.
import { Injectable, OnModuleInit } from '@nestjs/common';
import { MetricsService } from '../metrics/metrics.service.js';
import type { CircuitState } from './sync-circuit.js';
import { SyncCircuitService } from './sync-circuit.service.js';
import { SyncRepository } from './sync.repository.js';

const STATES: CircuitState[] = ['closed', 'open', 'half_open'];

@Injectable()
export class IngestionMetrics implements OnModuleInit {
  constructor(
    private readonly metrics: MetricsService,
    private readonly runs: SyncRepository,
    private readonly circuit: SyncCircuitService,
  ) {}

  onModuleInit(): void {
    this.metrics.gauge(
      'vigil_ingest_lag_seconds',
      'Now minus the sync bookmark (the newest alert time committed); absent before the first sync',
      async (set) => {
        const bookmark = await this.runs.bookmark().catch(() => null);
        if (bookmark) set((Date.now() - bookmark.getTime()) / 1000);
      },
    );
    this.metrics.gauge(
      'vigil_sync_circuit_state',
      'The scheduled syncs circuit breaker: 1 for the current state',
      async (set) => {
        const current = await this.circuit.current().catch(() => null);
        if (!current) return;
        for (const state of STATES) set(state === current.state ? 1 : 0, { state });
      },
      ['state'],
    );
  }
}
