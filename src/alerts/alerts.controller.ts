import {
  Body,
  Controller,
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
  ApiCreatedResponse,
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
import { pageMeta } from '../common/pagination/page-request.js';
import { TOTAL_CAP } from '../common/pagination/paginate.js';
import { ProblemDetails } from '../common/problem/problem-details.js';
import type { Principal } from '../users/principal.js';
import { ALERT_PAGING } from './alert-sql.js';
import { AlertWorkflowService } from './alert-workflow.service.js';
import { AlertsService } from './alerts.service.js';
import { AlertDetailDto, AlertDto } from './dto/alert.dto.js';
import { AddNoteDto, BULK_LIMIT, BulkAlertsDto, UpdateAlertDto } from './dto/alert-change.dto.js';
import { toAlertFilter } from './dto/alert-filter.dto.js';
import { AlertHistoryDto, AlertHistoryEntryDto } from './dto/alert-history.dto.js';
import { AlertPageDto } from './dto/alert-page.dto.js';
import { BulkResultDto } from './dto/bulk-result.dto.js';
import { ListAlertsQueryDto, toListOptions } from './dto/list-alerts-query.dto.js';
import { UUID_PARAM } from '../common/validation/uuid-param.js';
import { RelatedAlertsDto } from './dto/related-alerts.dto.js';
import { RELATED_CAP, RELATED_WINDOW_HOURS } from './related-sql.js';

const LIST_DESCRIPTION = `Newest first by default. Every filter is optional; given filters are \
combined with AND.

Paging: \`limit\` rows (default ${ALERT_PAGING.defaultLimit}, at most ${ALERT_PAGING.maxLimit}) \
from \`offset\` (at most ${ALERT_PAGING.maxOffset.toLocaleString('en')}), or after \`cursor\` — \
the \`next_cursor\` of the previous page, which keeps working at any depth and neither skips nor \
repeats rows when new alerts arrive. \`has_more\` says whether another page follows.

\`total\` counts every alert matching the filters (not only the rows after the cursor). With no \
filters but \`severity\`, \`status\`, \`source\`, \`origin\` and \`enrichment_type\` it is exact \
at any size, read from counts the store keeps as alerts are written; so it is with \
\`incident_id\` alone (the incident's alert count). With any other filter (\`since\`, \`until\`, \
\`hours\`, \`country\`, \`user\`, \`ip\`, \`q\`, \`incident_id\` with another filter) it is \
exact up to ${TOTAL_CAP.toLocaleString('en')}; when more match, \`total\` is ${TOTAL_CAP.toLocaleString('en')} and \
\`total_capped\` is true: counting hundreds of thousands of rows would cost more than the page \
itself on every request.

Each alert carries its fields but not its enrichment document: \`enrichment_type\` and \`country\` \
say what the list shows, and the document, half of a row's bytes, is in \`GET /api/alerts/{id}\`. \
Ask for it with \`include=enrichment\`.

Unknown parameters are refused (400).`;

const RELATED_DESCRIPTION = `The first triage pivot: what else touched this alert's addresses or \
user. The other alerts created within ${RELATED_WINDOW_HOURS} h before or after this one's \
\`created_at\` that share a key with it, one group per key: \`src_ip\` and \`dst_ip\` (this \
alert's address found as the other alert's source or destination, as \`ip=<address>\` on the \
list finds it) and \`user\`. Each group lists its newest ${RELATED_CAP} alerts (\`capped\` when \
there are more) with its \`total\`; an alert sharing two keys is in both groups.`;

const PATCH_DESCRIPTION = `Transitions: open → acknowledged → resolved, open → resolved, \
acknowledged → open. \`resolved\` is final (409, with \`allowed_transitions\`); resolving takes a \
\`resolution\`. \`assignee\` is the username of an active user, null to unassign. A field already \
at the requested value is not a change.

Each change writes one history row (a \`note\` goes on each; a note alone is a row of its own), in \
the same transaction as the change. Concurrent changes: send the version you read as \`If-Match\` \
(412 when stale) or as \`version\` (409 when stale); either way the alert is locked while the \
change is checked and written, so of two changes made from one version exactly one applies.`;

const BULK_DESCRIPTION = `By \`ids\` or by \`filter\` (the filters of the list), at most \
${BULK_LIMIT.toLocaleString('en')} alerts per call: with a filter, the newest matches, and \
\`truncated\` says that more matched (call again to go on). Every alert is checked and audited as a \
single PATCH would be; alerts that cannot take the change (resolved is final, not an allowed \
transition) or already are as asked are listed in \`skipped\` with the reason and left untouched. \
All of it is one transaction.`;

@ApiTags('alerts')
@RequireGroups('admin', 'analyst')
@Controller('api/alerts')
export class AlertsController {
  constructor(
    private readonly alerts: AlertsService,
    private readonly workflow: AlertWorkflowService,
  ) {}

  @Get()
  @ApiOperation({
    operationId: 'listAlerts',
    summary: 'List alerts, filtered and paged',
    description: LIST_DESCRIPTION,
  })
  @ApiOkResponse({ type: AlertPageDto })
  @ApiBadRequestResponse({ type: ProblemDetails, description: 'A parameter is invalid or unknown' })
  async list(@Query() query: ListAlertsQueryDto): Promise<AlertPageDto> {
    const { page, request } = await this.alerts.list(
      toAlertFilter(query),
      query,
      toListOptions(query),
    );

    return { alerts: page.rows.map((row) => AlertDto.fromRow(row)), ...pageMeta(page, request) };
  }

  @Get(':id')
  @ApiOperation({
    operationId: 'getAlert',
    summary: 'One alert with its enrichment, event and assignee',
    description: "The `ETag` header is the alert's version, for `If-Match` on a change.",
  })
  @UseInterceptors(VersionEtagInterceptor)
  @ApiOkResponse({ type: AlertDetailDto })
  @ApiBadRequestResponse({ type: ProblemDetails })
  @ApiNotFoundResponse({ type: ProblemDetails })
  async get(@Param('id', UUID_PARAM) id: string): Promise<AlertDetailDto> {
    return AlertDetailDto.fromRow(await this.alerts.get(id));
  }

  @Patch(':id')
  @RequireGroups('admin')
  @ApiOperation({
    operationId: 'updateAlert',
    summary: 'Change status, assignee or resolution',
    description: PATCH_DESCRIPTION,
  })
  @UseInterceptors(VersionEtagInterceptor)
  // The same name as the @Headers() parameter below, so Swagger merges the two into one.
  @ApiHeader({
    name: 'if-match',
    required: false,
    description: "The alert's ETag as you read it; 412 when it has changed since",
  })
  @ApiOkResponse({ type: AlertDetailDto, description: 'The alert after the change' })
  @ApiBadRequestResponse({ type: ProblemDetails })
  @ApiNotFoundResponse({ type: ProblemDetails })
  @ApiConflictResponse({
    type: ProblemDetails,
    description:
      'Not an allowed transition (`allowed_transitions` lists them), or `version` is stale',
  })
  @ApiPreconditionFailedResponse({ type: ProblemDetails, description: '`If-Match` is stale' })
  async update(
    @Param('id', UUID_PARAM) id: string,
    @Body() body: UpdateAlertDto,
    @CurrentUser() actor: Principal,
    @Headers('if-match') ifMatch?: string,
  ): Promise<AlertDetailDto> {
    const { version, ...change } = body;
    return AlertDetailDto.fromRow(
      await this.workflow.update(id, change, actor, { version, ifMatch }),
    );
  }

  @Get(':id/history')
  @ApiOperation({
    operationId: 'getAlertHistory',
    summary: 'Every change and note, oldest first',
    description: 'Append-only: the database refuses to update or delete history rows.',
  })
  @ApiOkResponse({ type: AlertHistoryDto })
  @ApiBadRequestResponse({ type: ProblemDetails })
  @ApiNotFoundResponse({ type: ProblemDetails })
  async history(@Param('id', UUID_PARAM) id: string): Promise<AlertHistoryDto> {
    const rows = await this.workflow.history(id);
    return { alert_id: id, history: rows.map((row) => AlertHistoryEntryDto.fromRow(row)) };
  }

  @Get(':id/related')
  @ApiOperation({
    operationId: 'getRelatedAlerts',
    summary: 'Alerts sharing an address or the user, within 24 h',
    description: RELATED_DESCRIPTION,
  })
  @ApiOkResponse({ type: RelatedAlertsDto })
  @ApiBadRequestResponse({ type: ProblemDetails })
  @ApiNotFoundResponse({ type: ProblemDetails })
  async related(@Param('id', UUID_PARAM) id: string): Promise<RelatedAlertsDto> {
    return RelatedAlertsDto.from(await this.alerts.related(id));
  }

  @Post(':id/notes')
  @RequireGroups('admin')
  @ApiOperation({ operationId: 'addAlertNote', summary: 'Add a note (also to a resolved alert)' })
  @ApiCreatedResponse({ type: AlertHistoryEntryDto, description: 'The history entry written' })
  @ApiBadRequestResponse({ type: ProblemDetails })
  @ApiNotFoundResponse({ type: ProblemDetails })
  async addNote(
    @Param('id', UUID_PARAM) id: string,
    @Body() body: AddNoteDto,
    @CurrentUser() actor: Principal,
  ): Promise<AlertHistoryEntryDto> {
    return AlertHistoryEntryDto.fromRow(await this.workflow.addNote(id, body.text, actor));
  }

  @Post('bulk')
  @HttpCode(200)
  @RequireGroups('admin')
  @ApiOperation({
    operationId: 'bulkUpdateAlerts',
    summary: 'Change many alerts at once',
    description: BULK_DESCRIPTION,
  })
  @ApiOkResponse({ type: BulkResultDto })
  @ApiBadRequestResponse({ type: ProblemDetails })
  async bulk(@Body() body: BulkAlertsDto, @CurrentUser() actor: Principal): Promise<BulkResultDto> {
    const target = body.ids ? { ids: body.ids } : { filter: toAlertFilter(body.filter!) };
    return this.workflow.bulk(target, body.set, body.note, actor);
  }
}
