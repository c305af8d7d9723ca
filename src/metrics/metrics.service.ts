// The Prometheus series of contract section 2 ("Probes and telemetry"), in one registry per
// process. Labels are bounded: routes are templates (`/api/alerts/:id`), never raw URLs; an
// unmatched request is `route="unmatched"`; status codes and methods are finite sets; sources are
// the upstream's few source names.
import { Injectable } from '@nestjs/common';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

const KNOWN_METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);

export interface FinishedSync {
  result: string;
  mode: string;
  durationSeconds: number;
}

/** Where ingested records came from: a sync (`upstream`) or POST /api/ingest/alerts (`push`). */
const INGEST_ORIGINS = ['upstream', 'push'] as const;
export type IngestOrigin = (typeof INGEST_ORIGINS)[number];

/** What one committed batch stored (the commit statement's own counts). */
export interface CommittedBatch {
  insertedBySource: Record<string, number>;
  quarantined: number;
  late: number;
  futureDated: number;
}

@Injectable()
export class MetricsService {
  readonly registry = new Registry();

  private readonly httpDuration = new Histogram({
    name: 'vigil_http_request_duration_seconds',
    help: 'HTTP requests served, by method, route template and status code',
    labelNames: ['method', 'route', 'status_code'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });

  private readonly syncRuns = new Counter({
    name: 'vigil_sync_runs_total',
    help: 'Sync runs this process finished, by result (success, failed, interrupted) and mode (incremental, reconcile)',
    labelNames: ['result', 'mode'] as const,
    registers: [this.registry],
  });

  private readonly syncDuration = new Histogram({
    name: 'vigil_sync_duration_seconds',
    help: 'Duration of the sync runs this process finished',
    buckets: [0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800],
    registers: [this.registry],
  });

  private readonly ingested = new Counter({
    name: 'vigil_alerts_ingested_total',
    help: 'Alerts stored by syncs (origin upstream) and pushes (origin push) of this process (new ones, not duplicates), by source',
    labelNames: ['source', 'origin'] as const,
    registers: [this.registry],
  });

  private readonly quarantined = new Counter({
    name: 'vigil_quarantined_records_total',
    help: 'Records quarantined by syncs (origin upstream) and pushes (origin push) of this process (new ones)',
    labelNames: ['origin'] as const,
    registers: [this.registry],
  });

  private readonly late = new Counter({
    name: 'vigil_late_alerts_total',
    help: 'Alerts stored by syncs of this process that earlier syncs had missed (they reached the upstream late)',
    registers: [this.registry],
  });

  private readonly futureDated = new Counter({
    name: 'vigil_future_dated_alerts_total',
    help: 'Alerts stored by syncs and pushes of this process dated more than SYNC_MAX_FUTURE_SECONDS ahead of its clock',
    registers: [this.registry],
  });

  private readonly upstreamResponses = new Counter({
    name: 'vigil_upstream_responses_total',
    help: 'Upstream HTTP attempts (retries included), by status code; "error" when none came',
    labelNames: ['status_code'] as const,
    registers: [this.registry],
  });

  private readonly webhookAttempts = new Counter({
    name: 'vigil_webhook_deliveries_total',
    help: 'Webhook delivery attempts of this process, by subscription id and outcome (delivered, retry: will be tried again, failed: given up)',
    labelNames: ['subscription', 'outcome'] as const,
    registers: [this.registry],
  });

  private readonly webhookLatency = new Histogram({
    name: 'vigil_webhook_delivery_latency_seconds',
    help: 'From a delivery being written (with its alerts) to its receiver answering 2xx, by subscription id',
    labelNames: ['subscription'] as const,
    buckets: [0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 300, 3600, 21600],
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'vigil_' });
    // Both series from the start, at 0, as the counter was before it had a label.
    for (const origin of INGEST_ORIGINS) this.quarantined.inc({ origin }, 0);
  }

  /** A gauge whose value is read when Prometheus scrapes (e.g. from the database). */
  gauge(
    name: string,
    help: string,
    read: (set: (value: number, labels?: Record<string, string>) => void) => Promise<void>,
    labelNames: string[] = [],
  ): void {
    new Gauge({
      name,
      help,
      labelNames,
      registers: [this.registry],
      async collect() {
        this.reset();
        await read((value, labels) => (labels ? this.set(labels, value) : this.set(value)));
      },
    });
  }

  observeHttp(method: string, route: string | undefined, status: number, seconds: number): void {
    this.httpDuration.observe(
      {
        method: KNOWN_METHODS.has(method) ? method : 'OTHER',
        route: route ?? 'unmatched',
        status_code: String(status),
      },
      seconds,
    );
  }

  syncFinished(run: FinishedSync): void {
    this.syncRuns.inc({ result: run.result, mode: run.mode });
    this.syncDuration.observe(run.durationSeconds);
  }

  pageCommitted(batch: CommittedBatch, origin: IngestOrigin = 'upstream'): void {
    for (const [source, n] of Object.entries(batch.insertedBySource))
      this.ingested.inc({ source, origin }, n);
    if (batch.quarantined > 0) this.quarantined.inc({ origin }, batch.quarantined);
    if (batch.late > 0) this.late.inc(batch.late);
    if (batch.futureDated > 0) this.futureDated.inc(batch.futureDated);
  }

  /** Subscription ids are a bounded set (an admin creates each). */
  webhookAttempt(
    subscription: string,
    outcome: 'delivered' | 'retry' | 'failed',
    latencySeconds?: number,
  ): void {
    this.webhookAttempts.inc({ subscription, outcome });
    if (latencySeconds !== undefined) this.webhookLatency.observe({ subscription }, latencySeconds);
  }

  upstreamResponse(status: number | undefined): void {
    this.upstreamResponses.inc({ status_code: status === undefined ? 'error' : String(status) });
  }

  async render(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}
