import { Controller, Headers, Sse } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiHeader,
  ApiOkResponse,
  ApiOperation,
  ApiServiceUnavailableResponse,
  ApiTags,
} from '@nestjs/swagger';
import { RequireGroups } from '../auth/access.decorators.js';
import { ProblemDetails } from '../common/problem/problem-details.js';
import { LIVE_LIMITS, LiveHub } from './live-hub.service.js';
import type { LiveStream } from './live-renderer.js';

const minutes = LIVE_LIMITS.windowSeconds / 60;

const DESCRIPTION = `Server-Sent Events (\`text/event-stream\`): each alert created or changed \
(status, assignee or resolution) on any replica, as its transaction commits.

- \`event:\` the type: \`alert.created\`, \`alert.changed\`; \`resync\` when events you asked for \
cannot be sent (reload what you show). More types may come (\`incident.*\`): ignore the unknown.
- \`data:\` the alert as \`GET /api/alerts/{id}\` serves it, as it is when the event is sent (an \
alert deleted meanwhile is skipped).
- \`id:\` \`<row>.<index>\`: one statement's change is a row, each of its alerts an index. Send the \
last id you received as \`Last-Event-ID\` (EventSource does) to resume exactly after it, within \
${minutes} minutes and ${LIVE_LIMITS.maxBacklogEvents.toLocaleString('en')} events; past that, \
a \`resync\` event. The first message (no data) carries your position, so a reconnect misses \
nothing even before the first event.
- A comment line (\`: heartbeat\`) every ${LIVE_LIMITS.heartbeatMs / 1000} s. A stream ends after \
${LIVE_LIMITS.maxStreamMs / 60_000} minutes, when the service stops, or when the client reads \
too slowly (${LIVE_LIMITS.clientBufferChars / 1024 / 1024} MiB waiting): reconnect with \
\`Last-Event-ID\`, after \`retry:\` ms.`;

@ApiTags('stream')
@RequireGroups('admin', 'analyst')
@Controller('api/stream')
export class LiveStreamController {
  constructor(private readonly hub: LiveHub) {}

  @Sse(undefined, { maxPendingDataLength: LIVE_LIMITS.clientBufferChars })
  @ApiOperation({
    operationId: 'streamEvents',
    summary: 'Live alert events (Server-Sent Events)',
    description: DESCRIPTION,
  })
  @ApiHeader({
    name: 'last-event-id',
    required: false,
    description: 'The id of the last event received: the stream resumes right after it',
  })
  @ApiOkResponse({
    description: 'The event stream; it stays open',
    content: { 'text/event-stream': { schema: { type: 'string' } } },
  })
  @ApiBadRequestResponse({
    type: ProblemDetails,
    description: '`Last-Event-ID` is not the id of an event of this stream',
  })
  @ApiServiceUnavailableResponse({
    type: ProblemDetails,
    description: `This replica serves its maximum of ${LIVE_LIMITS.maxClients} streams, or is stopping`,
  })
  open(@Headers('last-event-id') lastEventId?: string): LiveStream {
    return this.hub.open(lastEventId);
  }
}
