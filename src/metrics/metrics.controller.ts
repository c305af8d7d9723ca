import { Controller, Get, Header } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Public } from '../auth/access.decorators.js';
import { MetricsService } from './metrics.service.js';

@ApiTags('telemetry')
@Public()
@Controller('metrics')
export class MetricsController {
  constructor(private readonly metrics: MetricsService) {}

  @Get()
  @ApiOperation({
    operationId: 'scrapeMetrics',
    summary: 'Prometheus text exposition',
    description:
      'Per process: scrape every replica. `vigil_ingest_lag_seconds` and ' +
      '`vigil_sync_circuit_state` are read from the shared database, so replicas agree on them.',
  })
  @ApiOkResponse({
    description: 'Prometheus text format 0.0.4',
    content: { 'text/plain': { schema: { type: 'string' } } },
  })
  @Header('content-type', 'text/plain; version=0.0.4; charset=utf-8')
  @Header('cache-control', 'no-store')
  async scrape(): Promise<string> {
    return (await this.metrics.render()).body;
  }
}
