import { Body, Controller, Get, Param, Post, Query } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiCreatedResponse,
  ApiInternalServerErrorResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { RequireGroups } from '../auth/access.decorators.js';
import { CurrentUser } from '../auth/current-user.decorator.js';
import { pageMeta } from '../common/pagination/page-request.js';
import { TOTAL_CAP } from '../common/pagination/paginate.js';
import { ProblemDetails } from '../common/problem/problem-details.js';
import type { Principal } from '../users/principal.js';
import { CreateEventDto } from './dto/create-event.dto.js';
import { EventDto } from './dto/event.dto.js';
import { EventPageDto } from './dto/event-page.dto.js';
import { ListEventsQueryDto } from './dto/list-events-query.dto.js';
import { ALERTING_SEVERITIES, EVENT_PAGING } from './event-sql.js';
import { EventsService } from './events.service.js';
import { UUID_PARAM } from '../common/validation/uuid-param.js';

const CREATE_DESCRIPTION = `Stores a raw event. A ${ALERTING_SEVERITIES.join(' or ')} event also \
raises an \`open\` alert (origin \`event\`, enriched like ingested alerts) in the same \
transaction: either both are stored or neither. The response carries that alert as \`alert\` \
(null for other severities).

Every invalid field is named in the 400's \`errors\`; unknown fields are refused.`;

const LIST_DESCRIPTION = `Newest first by default. Every filter is optional; given filters are \
combined with AND. Each event carries the alert it raised, if any.

Paging: \`limit\` rows (default ${EVENT_PAGING.defaultLimit}, at most ${EVENT_PAGING.maxLimit}) \
from \`offset\` (at most ${EVENT_PAGING.maxOffset.toLocaleString('en')}), or after \`cursor\` — \
the \`next_cursor\` of the previous page, which keeps working at any depth and neither skips nor \
repeats rows when new events arrive. \`has_more\` says whether another page follows.

\`total\` counts every event matching the filters exactly up to \
${TOTAL_CAP.toLocaleString('en')}; when more match, \`total\` is \
${TOTAL_CAP.toLocaleString('en')} and \`total_capped\` is true.

Unknown parameters are refused (400).`;

@ApiTags('events')
@RequireGroups('admin')
@Controller('api/events')
export class EventsController {
  constructor(private readonly events: EventsService) {}

  @Post()
  @ApiOperation({
    operationId: 'createEvent',
    summary: 'Post an event',
    description: CREATE_DESCRIPTION,
  })
  @ApiCreatedResponse({ type: EventDto })
  @ApiBadRequestResponse({ type: ProblemDetails, description: 'A field is invalid or unknown' })
  @ApiInternalServerErrorResponse({
    type: ProblemDetails,
    description: 'Nothing was stored (neither the event nor its alert)',
  })
  async create(@Body() body: CreateEventDto, @CurrentUser() user: Principal): Promise<EventDto> {
    const row = await this.events.create(
      {
        source: body.source,
        eventType: body.event_type,
        severity: body.severity,
        description: body.description,
        occurredAt: body.occurred_at,
        srcIp: body.src_ip,
        dstIp: body.dst_ip,
        attributes: body.attributes,
      },
      user,
    );
    return EventDto.fromRow(row);
  }

  @Get()
  @ApiOperation({
    operationId: 'listEvents',
    summary: 'List events, filtered and paged',
    description: LIST_DESCRIPTION,
  })
  @ApiOkResponse({ type: EventPageDto })
  @ApiBadRequestResponse({ type: ProblemDetails, description: 'A parameter is invalid or unknown' })
  async list(@Query() query: ListEventsQueryDto): Promise<EventPageDto> {
    const { page, request } = await this.events.list(
      {
        severities: query.severity,
        source: query.source,
        eventType: query.event_type,
        ip: query.ip,
        since: query.since,
        until: query.until,
      },
      query,
    );
    return { events: page.rows.map((row) => EventDto.fromRow(row)), ...pageMeta(page, request) };
  }

  @Get(':id')
  @ApiOperation({ operationId: 'getEvent', summary: 'One event with the alert it raised' })
  @ApiOkResponse({ type: EventDto })
  @ApiBadRequestResponse({ type: ProblemDetails })
  @ApiNotFoundResponse({ type: ProblemDetails })
  async get(@Param('id', UUID_PARAM) id: string): Promise<EventDto> {
    return EventDto.fromRow(await this.events.get(id));
  }
}
