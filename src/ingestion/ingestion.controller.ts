import { Body, Controller, Get, HttpCode, HttpStatus, Post, Put, Query } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiBadRequestResponse,
  ApiConflictResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { RequireGroups } from '../auth/access.decorators.js';
import { ProblemDetails } from '../common/problem/problem-details.js';
import {
  ListQuarantineQuery,
  ListRunsQuery,
  QuarantineListDto,
  QuarantinedRecordDto,
  ServiceConfigDto,
  StartSyncDto,
  SyncRunDto,
  SyncRunListDto,
  SyncStartedDto,
} from './dto/ingestion.dto.js';
import { IngestionService } from './ingestion.service.js';

@ApiTags('ingestion')
@Controller('api')
export class IngestionController {
  constructor(private readonly ingestion: IngestionService) {}

  @Post('sync')
  @RequireGroups('admin')
  @HttpCode(HttpStatus.ACCEPTED)
  @ApiOperation({
    operationId: 'startSync',
    summary: 'Start a sync, or a reconciliation with `{"mode": "reconcile"}`',
  })
  @ApiAcceptedResponse({
    type: SyncStartedDto,
    description: 'Started; follow it in GET /api/sync/runs',
  })
  @ApiConflictResponse({ type: ProblemDetails, description: 'A sync is running on some replica' })
  @ApiBadRequestResponse({ type: ProblemDetails })
  async start(@Body() body: StartSyncDto): Promise<SyncStartedDto> {
    const { runId } = await this.ingestion.start('manual', body.mode ?? 'incremental');
    return { run_id: runId };
  }

  @Get('sync/runs')
  @RequireGroups('admin', 'analyst')
  @ApiOperation({ operationId: 'listSyncRuns', summary: 'Recent sync runs, newest first' })
  @ApiOkResponse({ type: SyncRunListDto })
  @ApiBadRequestResponse({ type: ProblemDetails })
  async listRuns(@Query() query: ListRunsQuery): Promise<SyncRunListDto> {
    return {
      runs: (await this.ingestion.listRuns(query.limit ?? 50)).map((run) => SyncRunDto.from(run)),
    };
  }

  @Get('sync/quarantine')
  @RequireGroups('admin')
  @ApiOperation({
    operationId: 'listQuarantine',
    summary: 'Upstream records that could not be stored, with the reason',
  })
  @ApiOkResponse({ type: QuarantineListDto })
  @ApiBadRequestResponse({ type: ProblemDetails })
  async listQuarantine(@Query() query: ListQuarantineQuery): Promise<QuarantineListDto> {
    const limit = query.limit ?? 50;
    const offset = query.offset ?? 0;
    const { records, total } = await this.ingestion.listQuarantine(limit, offset);
    return { records: records.map((r) => QuarantinedRecordDto.from(r)), total, limit, offset };
  }

  @Get('config')
  @RequireGroups('admin', 'analyst')
  @ApiOperation({ operationId: 'getConfig', summary: 'The sync interval in force' })
  @ApiOkResponse({ type: ServiceConfigDto })
  async getConfig(): Promise<ServiceConfigDto> {
    return { sync_interval_seconds: await this.ingestion.syncIntervalSeconds() };
  }

  @Put('config')
  @RequireGroups('admin')
  @ApiOperation({ operationId: 'updateConfig', summary: 'Change the sync interval' })
  @ApiOkResponse({
    type: ServiceConfigDto,
    description: 'Stored and applied to the schedule at once',
  })
  @ApiBadRequestResponse({ type: ProblemDetails })
  async putConfig(@Body() body: ServiceConfigDto): Promise<ServiceConfigDto> {
    await this.ingestion.setSyncIntervalSeconds(body.sync_interval_seconds);
    return { sync_interval_seconds: body.sync_interval_seconds };
  }
}
