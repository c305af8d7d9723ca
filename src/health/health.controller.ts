import { Controller, Get, Logger } from '@nestjs/common';
import {
  ApiOkResponse,
  ApiOperation,
  ApiServiceUnavailableResponse,
  ApiTags,
} from '@nestjs/swagger';
import {
  HealthCheck,
  HealthCheckResult,
  HealthCheckService,
  HealthIndicatorService,
} from '@nestjs/terminus';
import { Public } from '../auth/access.decorators.js';
import { ShutdownService } from '../common/lifecycle/shutdown.service.js';

import { ProblemDetails } from '../common/problem/problem-details.js';
import { HealthCheckFailedError } from './health-check-failed.error.js';
import { HealthSummary, HealthSummaryService } from './health-summary.service.js';

const DB_TIMEOUT_MS = 2000;

/** What a public probe says of a database error; the driver's message (addresses) goes to the log. */
const DATABASE_UNREACHABLE = 'database unreachable';

// What the probes answer, for the OpenAPI document (Terminus's result and HealthSummary).
const nullable = (type: string, format?: string) => ({
  type: [type, 'null'],
  ...(format ? { format } : {}),
});
const TERMINUS_RESULT = {
  type: 'object',
  required: ['status'],
  properties: {
    status: { type: 'string', enum: ['ok'] },
    info: { type: 'object', description: 'Each check that is up' },
    error: { type: 'object', description: 'Each check that is down (empty when ok)' },
    details: { type: 'object', description: 'Every check' },
  },
};
const HEALTH_SUMMARY = {
  type: 'object',
  required: [
    'status',
    'db_connected',
    'last_successful_sync',
    'last_sync_status',
    'last_error',
    'last_event_time',
    'sync_interval_seconds',
    'next_sync_at',
    'skipped_ticks',
    'sync_circuit',
    'running_sync',
    'upstream_url',
    'upstream_auth',
    'enrichment',
  ],
  properties: {
    status: { type: 'string', enum: ['ok', 'degraded'] },
    db_connected: { type: 'boolean', enum: [true] },
    last_successful_sync: nullable('string', 'date-time'),
    last_sync_status: nullable('string'),
    last_error: nullable('string'),
    last_event_time: nullable('string', 'date-time'),
    sync_interval_seconds: { type: 'integer' },
    next_sync_at: nullable('string', 'date-time'),
    skipped_ticks: {
      type: 'integer',
      description: 'Ticks this replica skipped: a sync was running',
    },
    sync_circuit: {
      type: 'object',
      required: ['state', 'consecutive_failures', 'retry_at', 'skipped_ticks'],
      properties: {
        state: { type: 'string' },
        consecutive_failures: { type: 'integer' },
        retry_at: nullable('string', 'date-time'),
        skipped_ticks: { type: 'integer' },
      },
    },
    running_sync: {
      type: ['object', 'null'],
      description: 'The sync in progress on any replica; null when none runs',
      properties: {
        run_id: { type: 'string', format: 'uuid' },
        mode: { type: 'string' },
        trigger: { type: 'string' },
        started_at: { type: 'string', format: 'date-time' },
        pages: { type: 'integer' },
        fetched: { type: 'integer' },
        host: nullable('string'),
      },
    },
    upstream_url: { type: 'string', description: 'Never with credentials' },
    upstream_auth: {
      type: 'string',
      description: 'How credentials are given, never what they are',
    },
    enrichment: {
      type: 'object',
      description: "The enrichment data sources' state",
      required: ['geoip_database', 'tor_list_updated_at', 'tor_list_size'],
      properties: {
        geoip_database: {
          type: ['object', 'null'],
          description: 'The GeoIP database in use; null until it is loaded',
          required: ['name', 'build_date', 'attribution'],
          properties: {
            name: { type: 'string' },
            build_date: { type: 'string', format: 'date-time' },
            attribution: nullable('string'),
          },
        },
        tor_list_updated_at: {
          ...nullable('string', 'date-time'),
          description: 'When the Tor exit list in use was published; null if unknown',
        },
        tor_list_size: { type: 'integer' },
      },
    },
  },
};

@ApiTags('health')
@Public()
@Controller('health')
export class HealthController {
  private readonly logger = new Logger(HealthController.name);

  constructor(
    private readonly health: HealthCheckService,
    private readonly indicators: HealthIndicatorService,
    private readonly summaries: HealthSummaryService,
    private readonly shutdown: ShutdownService,
  ) {}

  /** Liveness: the process serves requests. Never touches the database. */
  @Get('live')
  @ApiOperation({ operationId: 'getLiveness', summary: 'Liveness probe' })
  @HealthCheck({ swaggerDocumentation: false })
  @ApiOkResponse({ description: 'Terminus result, status "ok"', schema: TERMINUS_RESULT })
  live(): Promise<HealthCheckResult> {
    return this.health.check([]);
  }

  /** Readiness: not shutting down, the database answers and every migration is applied. */
  @Get('ready')
  @ApiOperation({
    operationId: 'getReadiness',
    summary: 'Readiness probe: the database answers, migrations applied, not draining',
  })
  @HealthCheck({ swaggerDocumentation: false })
  @ApiOkResponse({ description: 'Terminus result, status "ok"', schema: TERMINUS_RESULT })
  @ApiServiceUnavailableResponse({
    type: ProblemDetails,
    description: 'Terminus info/error/details as extensions',
  })
  async ready(): Promise<HealthCheckResult> {
    try {
      return await this.health.check([
        () => {
          const indicator = this.indicators.check('shutdown');
          return this.shutdown.draining
            ? indicator.down({ message: 'shutting down' })
            : indicator.up();
        },
        () =>
          this.indicators
            .check('database')
            .attempt(() => this.unlessUnreachable('database', () => this.summaries.ping()))
            .withTimeout(DB_TIMEOUT_MS),
        () =>
          this.indicators
            .check('migrations')
            .attempt(async () => {
              const pending = await this.unlessUnreachable('migrations', () =>
                this.summaries.pendingMigrations(),
              );
              if (pending.length > 0) throw new Error('pending migrations');
            })
            .withTimeout(DB_TIMEOUT_MS),
      ]);
    } catch (error) {
      throw new HealthCheckFailedError('The service is not ready', terminusReport(error));
    }
  }

  /** Runs a database check; its failure is logged in full and reported as DATABASE_UNREACHABLE. */
  private async unlessUnreachable<T>(check: string, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (error) {
      this.logger.warn({ err: error, check }, 'Readiness: the database check failed');
      throw new Error(DATABASE_UNREACHABLE);
    }
  }

  /** Summary for people and dashboards; 503 problem when the database is unreachable. */
  @Get()
  @ApiOperation({
    operationId: 'getHealth',
    summary: 'Health summary: database, sync, circuit and enrichment state',
  })
  @ApiOkResponse({
    description: 'status ok | degraded, sync and enrichment state',
    schema: HEALTH_SUMMARY,
  })
  @ApiServiceUnavailableResponse({
    type: ProblemDetails,
    description: 'Database unreachable (health_status "down")',
  })
  summary(): Promise<HealthSummary> {
    return this.summaries.summary();
  }
}

function terminusReport(error: unknown): Record<string, unknown> {
  const response = (error as { getResponse?: () => unknown }).getResponse?.();
  if (response && typeof response === 'object') {
    const { info, error: failed, details } = response as Record<string, unknown>;
    return { info, error: failed, details };
  }
  return {};
}
