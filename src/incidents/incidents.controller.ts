import {
  Body,
  Controller,
  Delete,
  Get,
  Headers,
  HttpCode,
  Param,
  Patch,
  Post,
  Query,
  UseInterceptors,
} from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiConflictResponse,
  ApiHeader,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiPreconditionFailedResponse,
  ApiTags,
} from '@nestjs/swagger';
import { RequireGroups } from '../auth/access.decorators.js';
import { CurrentUser } from '../auth/current-user.decorator.js';
import { VersionEtagInterceptor } from '../common/http/version-etag.interceptor.js';
import { pageMeta, pageRequest } from '../common/pagination/page-request.js';
import { NotFoundError } from '../common/problem/domain-error.js';
import { ProblemDetails } from '../common/problem/problem-details.js';
import { UUID_PARAM } from '../common/validation/uuid-param.js';
import type { Principal } from '../users/principal.js';
import {
  INCIDENT_STATS_DEFAULT_HOURS,
  IncidentDetailDto,
  IncidentDto,
  IncidentHistoryDto,
  IncidentHistoryEntryDto,
  IncidentPageDto,
  IncidentStatsDto,
  IncidentStatsQueryDto,
  ListIncidentsQueryDto,
  MergeIncidentDto,
  toIncidentFilter,
  UpdatedIncidentDto,
  UpdateIncidentDto,
} from './dto/incident.dto.js';
import { ALERT_IDS_CAP, INCIDENT_PAGING, IncidentStore } from './incident.store.js';
import { IncidentsService } from './incidents.service.js';

const PATCH_DESCRIPTION = `The alerts' lifecycle: open → acknowledged → resolved, open → \
resolved, acknowledged → open; \`resolved\` is final (409). Resolving takes a \`resolution\` and \
resolves every alert of the incident not resolved yet, each checked and audited as a single PATCH \
would be (one alert history row each, carrying the note, or "Resolved with incident <id>"); \
resolved alerts are listed in \`alerts.skipped\` with the reason. One history row on the incident \
per field changed. All of it is one transaction. \`If-Match\` (412) or \`version\` (409) as for \
alerts. A resolved incident takes no more alerts: one arriving in its window starts a new \
incident.`;

@ApiTags('incidents')
@RequireGroups('admin', 'analyst')
@Controller('api/incidents')
export class IncidentsController {
  constructor(
    private readonly store: IncidentStore,
    private readonly incidents: IncidentsService,
  ) {}

  @Get()
  @ApiOperation({
    operationId: 'listIncidents',
    summary: 'List incidents, filtered and paged (newest first by default)',
    description:
      'Paging and `total` as for `GET /api/alerts` (`cursor` for keyset paging, `offset` ' +
      'up to 10,000). Unknown parameters are refused (400).',
  })
  @ApiOkResponse({ type: IncidentPageDto })
  @ApiBadRequestResponse({ type: ProblemDetails })
  async list(@Query() query: ListIncidentsQueryDto): Promise<IncidentPageDto> {
    const request = pageRequest(query, INCIDENT_PAGING);
    const page = await this.store.list(toIncidentFilter(query), request);
    return {
      incidents: page.rows.map((row) => IncidentDto.fromRow(row)),
      ...pageMeta(page, request),
    };
  }

  @Get('stats')
  @ApiOperation({
    operationId: 'getIncidentStats',
    summary: 'Incidents by status; alerts per incident, MTTA and MTTR over a window',
  })
  @ApiOkResponse({ type: IncidentStatsDto })
  @ApiBadRequestResponse({ type: ProblemDetails })
  async stats(@Query() query: IncidentStatsQueryDto): Promise<IncidentStatsDto> {
    return this.store.stats(query.hours ?? INCIDENT_STATS_DEFAULT_HOURS);
  }

  @Get(':id')
  @ApiOperation({
    operationId: 'getIncident',
    summary: 'One incident with its alert ids',
    description: "The `ETag` header is the incident's version, for `If-Match` on a change.",
  })
  @UseInterceptors(VersionEtagInterceptor)
  @ApiOkResponse({ type: IncidentDetailDto })
  @ApiBadRequestResponse({ type: ProblemDetails })
  @ApiNotFoundResponse({ type: ProblemDetails })
  async get(@Param('id', UUID_PARAM) id: string): Promise<IncidentDetailDto> {
    const row = await this.incidents.get(id);
    const ids = await this.store.alertIds(id, ALERT_IDS_CAP + 1);
    return {
      ...IncidentDto.fromRow(row),
      alert_ids: ids.slice(0, ALERT_IDS_CAP),
      alert_ids_capped: ids.length > ALERT_IDS_CAP,
    };
  }

  @Patch(':id')
  @RequireGroups('admin')
  @ApiOperation({
    operationId: 'updateIncident',
    summary: 'Change status, assignee or resolution; resolving resolves its alerts',
    description: PATCH_DESCRIPTION,
  })
  @UseInterceptors(VersionEtagInterceptor)
  @ApiHeader({
    name: 'if-match',
    required: false,
    description: "The incident's ETag as you read it; 412 when it has changed since",
  })
  @ApiOkResponse({ type: UpdatedIncidentDto })
  @ApiBadRequestResponse({ type: ProblemDetails })
  @ApiNotFoundResponse({ type: ProblemDetails })
  @ApiConflictResponse({ type: ProblemDetails })
  @ApiPreconditionFailedResponse({ type: ProblemDetails })
  async update(
    @Param('id', UUID_PARAM) id: string,
    @Body() body: UpdateIncidentDto,
    @CurrentUser() actor: Principal,
    @Headers('if-match') ifMatch?: string,
  ): Promise<UpdatedIncidentDto> {
    const { version, ...change } = body;
    const { incident, alerts } = await this.incidents.update(id, change, actor, {
      version,
      ifMatch,
    });
    return { ...IncidentDto.fromRow(incident), alerts };
  }

  @Get(':id/history')
  @ApiOperation({ operationId: 'getIncidentHistory', summary: 'Every change and note' })
  @ApiOkResponse({ type: IncidentHistoryDto })
  @ApiBadRequestResponse({ type: ProblemDetails })
  @ApiNotFoundResponse({ type: ProblemDetails })
  async history(@Param('id', UUID_PARAM) id: string): Promise<IncidentHistoryDto> {
    const rows = await this.store.history(id);
    if (!rows) throw new NotFoundError('Incident', id);
    return { incident_id: id, history: rows.map((row) => IncidentHistoryEntryDto.fromRow(row)) };
  }

  @Post(':id/merge')
  @HttpCode(200)
  @RequireGroups('admin')
  @ApiOperation({
    operationId: 'mergeIncident',
    summary: 'Merge another incident into this one',
    description:
      'Its alerts move to this incident, which is recounted (count, severity, first and last ' +
      'alert); the other is resolved as a `duplicate` holding no alerts. Both record the merge ' +
      'in their history. Neither may be resolved (409).',
  })
  @ApiOkResponse({ type: IncidentDto, description: 'This incident after the merge' })
  @ApiBadRequestResponse({ type: ProblemDetails })
  @ApiNotFoundResponse({ type: ProblemDetails })
  @ApiConflictResponse({ type: ProblemDetails })
  async merge(
    @Param('id', UUID_PARAM) id: string,
    @Body() body: MergeIncidentDto,
    @CurrentUser() actor: Principal,
  ): Promise<IncidentDto> {
    return IncidentDto.fromRow(await this.incidents.merge(id, body.incident_id, actor));
  }

  @Delete(':id/alerts/:alertId')
  @RequireGroups('admin')
  @ApiOperation({
    operationId: 'removeIncidentAlert',
    summary: 'Move an alert out of the incident',
    description:
      'The alert is then in no incident (it is not grouped again); the incident is recounted ' +
      'and records the move.',
  })
  @ApiOkResponse({ type: IncidentDto, description: 'The incident after the move' })
  @ApiBadRequestResponse({ type: ProblemDetails })
  @ApiNotFoundResponse({ type: ProblemDetails })
  async removeAlert(
    @Param('id', UUID_PARAM) id: string,
    @Param('alertId', UUID_PARAM) alertId: string,
    @CurrentUser() actor: Principal,
  ): Promise<IncidentDto> {
    return IncidentDto.fromRow(await this.incidents.removeAlert(id, alertId, actor));
  }
}
