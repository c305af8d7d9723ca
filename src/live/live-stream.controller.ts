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
import { bearerCredentialOf } from '../auth/bearer-auth.guard.js';
import { CredentialCheck } from '../auth/credential-check.service.js';
import { ProblemDetails } from '../common/problem/problem-details.js';
import { LIVE_LIMITS, LiveHub } from './live-hub.service.js';
import type { LiveStream } from './live-renderer.js';
import type { Group } from '../users/user.js';

/** Who may read the stream. */
const READERS: Group[] = ['admin', 'analyst'];

const minutes = LIVE_LIMITS.windowSeconds / 60;

const DESCRIPTION = `Server-Sent Events (\`text/event-stream\`): each alert and incident created \
or changed on any replica, as its transaction commits.

- \`event:\` the type: \`alert.created\`, \`alert.changed\` (status, assignee or resolution), \
\`incident.created\`, \`incident.changed\` (status, assignee, resolution, severity, alert count or \
window); \`resync\` when events you asked for cannot be sent (reload what you show). More types \
may come: ignore the unknown.
- \`data:\` the alert as \`GET /api/alerts/{id}\` serves it, or the incident as \
\`GET /api/incidents/{id}\` does without its alert ids, as it is when the event is sent (one \
deleted meanwhile is skipped).
- \`id:\` \`<row>.<index>\`: one statement's change is a row, each of its alerts or incidents an \
index. Send the last id you received as \`Last-Event-ID\` (EventSource does) to resume exactly \
after it, within ${minutes} minutes and ${LIVE_LIMITS.maxBacklogEvents.toLocaleString('en')} \
events; past that, a \`resync\` event. The first message (no data) carries your position, so a \
reconnect misses nothing even before the first event.
- A comment line (\`: heartbeat\`) every ${LIVE_LIMITS.heartbeatMs / 1000} s. A stream ends after \
${LIVE_LIMITS.maxStreamMs / 60_000} minutes, when the service stops, when the client reads too \
slowly (${LIVE_LIMITS.clientBufferChars / 1024 / 1024} MiB waiting), and within \
${LIVE_LIMITS.recheckMs / 1000} s of its caller losing access (a user deactivated, signed out or \
moved out of the groups, a key revoked, the access token or key expired): reconnect with \
\`Last-Event-ID\`, after \`retry:\` ms, and a current token (a caller without access is \
then refused, 401 or 403).`;

@ApiTags('stream')
@RequireGroups(...READERS)
@Controller('api/stream')
export class LiveStreamController {
  constructor(
    private readonly hub: LiveHub,
    private readonly credentials: CredentialCheck,
  ) {}

  @Sse(undefined, { maxPendingDataLength: LIVE_LIMITS.clientBufferChars })
  @ApiOperation({
    operationId: 'streamEvents',
    summary: 'Live alert and incident events (Server-Sent Events)',
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
  open(
    @Headers('last-event-id') lastEventId: string | undefined,
    @Headers('authorization') authorization: string | undefined,
  ): LiveStream {
    // The guards let the request in with this credential, so it is there; the stream lasts only
    // while it would still let a request in.
    const credential = bearerCredentialOf(authorization)!;
    return this.hub.open(lastEventId, async () => {
      const caller = await this.credentials.current(credential);
      return caller !== null && caller.groups.some((group) => READERS.includes(group));
    });
  }
}
