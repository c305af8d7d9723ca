import { Controller, Get } from '@nestjs/common';
import { ApiOkResponse, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import {
  HealthCheck,
  HealthCheckResult,
  HealthCheckService,
  HealthIndicatorService,
} from '@nestjs/terminus';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { Public } from '../auth/access.decorators.js';
import { ShutdownService } from '../common/lifecycle/shutdown.service.js';

import { ProblemDetails } from '../common/problem/problem-details.js';
import { HealthCheckFailedError } from './health-check-failed.error.js';
import { HealthSummary, HealthSummaryService } from './health-summary.service.js';

const DB_TIMEOUT_MS = 2000;

@ApiTags('health')
@Public()
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly indicators: HealthIndicatorService,
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly summaries: HealthSummaryService,
    private readonly shutdown: ShutdownService,
  ) {}

  /** Liveness: the process serves requests. Never touches the database. */
  @Get('live')
  @HealthCheck({ swaggerDocumentation: false })
  @ApiOkResponse({ description: 'Terminus result, status "ok"' })
  live(): Promise<HealthCheckResult> {
    return this.health.check([]);
  }

  /** Readiness: not shutting down, the database answers and every migration is applied. */
  @Get('ready')
  @HealthCheck({ swaggerDocumentation: false })
  @ApiOkResponse({ description: 'Terminus result, status "ok"' })
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
            .attempt(() => this.dataSource.query('SELECT 1'))
            .withTimeout(DB_TIMEOUT_MS),
        () =>
          this.indicators
            .check('migrations')
            .attempt(async () => {
              if (await this.dataSource.showMigrations()) throw new Error('pending migrations');
            })
            .withTimeout(DB_TIMEOUT_MS),
      ]);
    } catch (error) {
      throw new HealthCheckFailedError('The service is not ready', terminusReport(error));
    }
  }

  /** Summary for people and dashboards; 503 problem when the database is unreachable. */
  @Get()
  @ApiOkResponse({ description: 'status ok | degraded, sync and enrichment state' })
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
