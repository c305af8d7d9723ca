import { Controller, Get, Param, ParseUUIDPipe, Query } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { RequireGroups } from '../auth/access.decorators.js';
import { pageMeta } from '../common/pagination/page-request.js';
import { TOTAL_CAP } from '../common/pagination/paginate.js';
import { ProblemDetails } from '../common/problem/problem-details.js';
import { ValidationFailedException } from '../common/validation/validation-failed.exception.js';
import { ALERT_PAGING } from './alert-sql.js';
import { AlertsService } from './alerts.service.js';
import { AlertDetailDto, AlertDto } from './dto/alert.dto.js';
import { AlertPageDto } from './dto/alert-page.dto.js';
import { ListAlertsQueryDto } from './dto/list-alerts-query.dto.js';

// A malformed id is a validation error like any other: a 400 whose `errors` name the field.
const ALERT_ID = new ParseUUIDPipe({
  version: '4',
  exceptionFactory: () =>
    new ValidationFailedException([{ field: 'id', message: 'id must be a UUID' }]),
});

const LIST_DESCRIPTION = `Newest first by default. Every filter is optional; given filters are \
combined with AND.

Paging: \`limit\` rows (default ${ALERT_PAGING.defaultLimit}, at most ${ALERT_PAGING.maxLimit}) \
from \`offset\` (at most ${ALERT_PAGING.maxOffset.toLocaleString('en')}), or after \`cursor\` — \
the \`next_cursor\` of the previous page, which keeps working at any depth and neither skips nor \
repeats rows when new alerts arrive. \`has_more\` says whether another page follows.

\`total\` counts every alert matching the filters (not only the rows after the cursor) exactly up \
to ${TOTAL_CAP.toLocaleString('en')}; when more match, \`total\` is \
${TOTAL_CAP.toLocaleString('en')} and \`total_capped\` is true. An exact count of hundreds of \
thousands of rows would cost more than the page itself on every request.

Unknown parameters are refused (400).`;

@ApiTags('alerts')
@RequireGroups('admin', 'analyst')
@Controller('api/alerts')
export class AlertsController {
  constructor(private readonly alerts: AlertsService) {}

  @Get()
  @ApiOperation({ summary: 'List alerts, filtered and paged', description: LIST_DESCRIPTION })
  @ApiOkResponse({ type: AlertPageDto })
  @ApiBadRequestResponse({ type: ProblemDetails, description: 'A parameter is invalid or unknown' })
  async list(@Query() query: ListAlertsQueryDto): Promise<AlertPageDto> {
    const { page, request } = await this.alerts.list(
      {
        severities: query.severity,
        status: query.status,
        source: query.source,
        country: query.country,
        user: query.user,
        enrichmentType: query.enrichment_type,
        origin: query.origin,
        since: query.since,
        until: query.until,
        hours: query.hours,
        text: query.q,
      },
      query,
    );
    return { alerts: page.rows.map((row) => AlertDto.fromRow(row)), ...pageMeta(page, request) };
  }

  @Get(':id')
  @ApiOperation({ summary: 'One alert with its enrichment, event and assignee' })
  @ApiOkResponse({ type: AlertDetailDto })
  @ApiBadRequestResponse({ type: ProblemDetails })
  @ApiNotFoundResponse({ type: ProblemDetails })
  async get(@Param('id', ALERT_ID) id: string): Promise<AlertDetailDto> {
    return AlertDetailDto.fromRow(await this.alerts.get(id));
  }
}
