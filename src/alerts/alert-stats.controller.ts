import { Controller, Get, Query } from '@nestjs/common';
import { ApiBadRequestResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { RequireGroups } from '../auth/access.decorators.js';
import { ProblemDetails } from '../common/problem/problem-details.js';
import { STATS_TOP } from './alert-stats-sql.js';
import { AlertsService } from './alerts.service.js';
import { AlertStatsDto } from './dto/alert-stats.dto.js';
import { AlertStatsQueryDto, STATS_DEFAULT_HOURS } from './dto/alert-stats-query.dto.js';

const STATS_DESCRIPTION = `What the dashboard draws, for the alerts created in the last \`hours\` \
hours (default ${STATS_DEFAULT_HOURS}) of the database clock: \`created_at\` from \`from\` to \`to\`, \
both inclusive. \`GET /api/alerts?since={from}&until={to}\` lists the same alerts. Alerts dated in \
the future are outside the window.

- \`by_severity\`, \`by_status\`, \`by_enrichment_type\` name every known value (0 when none) and \
add up to \`total\`; \`by_status\` counts the current status.
- \`by_source\` and \`by_country\` list the ${STATS_TOP} largest, by count descending then by name; \
\`by_source_other\` / \`by_country_other\` say how many values were left out and their alerts, so \
the list plus the rest adds up to \`total\`. Alerts of unknown country (private addresses, no \
geolocation) are one entry with \`country: null\`, ranked like any other (null after names on \
equal counts).
- \`timeline\` has one entry per UTC clock hour the window touches, oldest first, empty hours \
included: \`hours\` + 1 entries, the first counting from \`from\` and the last up to \`to\`. \
Each entry's \`total\` is the sum of its severities; the entries add up to the \
top-level \`total\`.
- Response times are measured from \`ingested_at\` (when Vigil stored the alert) to the first \
history entry that set the status to \`acknowledged\` (resp. \`resolved\`), for each alert of the \
window that has one, whatever its status now. \`mean_time_to_acknowledge_seconds\` is the mean \
over the \`acknowledged_count\` such alerts, \`mean_time_to_resolve_seconds\` over the \
\`resolved_count\` ones (including alerts resolved without being acknowledged); null when the \
count is 0.

Unknown parameters are refused (400).`;

@ApiTags('alerts')
@RequireGroups('admin', 'analyst')
@Controller('api/alerts')
export class AlertStatsController {
  constructor(private readonly alerts: AlertsService) {}

  @Get('stats')
  @ApiOperation({
    operationId: 'getAlertStats',
    summary: 'Counts, hourly timeline and response times',
    description: STATS_DESCRIPTION,
  })
  @ApiOkResponse({ type: AlertStatsDto })
  @ApiBadRequestResponse({ type: ProblemDetails, description: 'A parameter is invalid or unknown' })
  async get(@Query() query: AlertStatsQueryDto): Promise<AlertStatsDto> {
    return AlertStatsDto.fromStats(await this.alerts.stats(query.hours ?? STATS_DEFAULT_HOURS));
  }
}
