// The filters that select alerts: the query of `GET /api/alerts` and the `filter` object of
// `POST /api/alerts/bulk` are this one class, so both select exactly the same alerts.
import {
  EnumQuery,
  InstantQuery,
  IntegerQuery,
  NotBefore,
  TextQuery,
} from '../../common/validation/query-fields.js';
import { SEVERITIES, type Severity } from '../../common/severity.js';
import { ENRICHMENT_TYPES, type EnrichmentType } from '../../enrichment/enrichment.types.js';
import {
  ALERT_ORIGINS,
  ALERT_STATUSES,
  type AlertOrigin,
  type AlertStatus,
} from '../alert.types.js';
import type { AlertFilter } from '../alert-sql.js';
import { IncidentQuery } from './incident-query.js';
import { IpQuery } from './ip-query.js';

export class AlertFilterDto {
  @EnumQuery(SEVERITIES, { many: true, example: 'high,critical' })
  severity?: Severity[];

  @EnumQuery(ALERT_STATUSES)
  status?: AlertStatus;

  @TextQuery({ maxLength: 64, example: 'firewall', description: 'Exact source name' })
  source?: string;

  @TextQuery({
    minLength: 2,
    maxLength: 2,
    pattern: /^[A-Za-z]{2}$/,
    patternMessage: 'must be an ISO 3166-1 alpha-2 code (two letters)',
    normalise: (text) => text.toUpperCase(),
    example: 'DE',
    description: 'ISO 3166-1 alpha-2 country of the destination address, any case',
  })
  country?: string;

  @TextQuery({ maxLength: 128, example: 'alice', description: 'Exact user name' })
  user?: string;

  @IpQuery('alerts')
  ip?: string;

  @EnumQuery(ENRICHMENT_TYPES)
  enrichment_type?: EnrichmentType;

  @EnumQuery(ALERT_ORIGINS)
  origin?: AlertOrigin;

  @InstantQuery({
    example: '2024-05-01T00:00:00Z',
    description: '`created_at` at or after this instant (`YYYY-MM-DD` is midnight UTC)',
  })
  since?: string;

  @InstantQuery({
    example: '2024-05-02T00:00:00Z',
    description: '`created_at` at or before this instant; not before `since`',
  })
  @NotBefore('since')
  until?: string;

  @IntegerQuery(1, 8760, {
    example: 24,
    description: 'Created in the last N hours (combines with since/until)',
  })
  hours?: number;

  @TextQuery({
    maxLength: 200,
    example: 'port scan',
    description: 'Case-insensitive text in the description (`%` and `_` match literally)',
  })
  q?: string;

  @IncidentQuery()
  incident_id?: string;
}

/** The validated filter fields as the SQL builders take them. */
export function toAlertFilter(dto: AlertFilterDto): AlertFilter {
  return {
    severities: dto.severity,
    status: dto.status,
    source: dto.source,
    country: dto.country,
    user: dto.user,
    ip: dto.ip,
    enrichmentType: dto.enrichment_type,
    origin: dto.origin,
    since: dto.since,
    until: dto.until,
    hours: dto.hours,
    text: dto.q,
    incidentId: dto.incident_id,
  };
}
