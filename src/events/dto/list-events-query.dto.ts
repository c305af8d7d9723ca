import { PageQueryDto } from '../../common/pagination/page-query.dto.js';
import {
  EnumQuery,
  InstantQuery,
  NotBefore,
  TextQuery,
} from '../../common/validation/query-fields.js';
import { SEVERITIES, type Severity } from '../../common/severity.js';
import { IpQuery } from '../../alerts/dto/ip-query.js';
import { NAME_MAX } from '../event-rules.js';
import { EVENT_PAGING } from '../event-sql.js';

/** `GET /api/events`: every filter optional, all combined with AND. */
export class ListEventsQueryDto extends PageQueryDto(EVENT_PAGING) {
  @EnumQuery(SEVERITIES, { many: true, example: 'high,critical' })
  severity?: Severity[];

  @TextQuery({ maxLength: NAME_MAX, example: 'edr', description: 'Exact source name' })
  source?: string;

  @TextQuery({ maxLength: NAME_MAX, example: 'process_injection', description: 'Exact event type' })
  event_type?: string;

  @IpQuery('events')
  ip?: string;

  @InstantQuery({
    example: '2024-05-01T00:00:00Z',
    description: '`occurred_at` at or after this instant (`YYYY-MM-DD` is midnight UTC)',
  })
  since?: string;

  @InstantQuery({
    example: '2024-05-02T00:00:00Z',
    description: '`occurred_at` at or before this instant; not before `since`',
  })
  @NotBefore('since')
  until?: string;
}
