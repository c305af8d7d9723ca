// An alert on the wire. Rows become this shape here and nowhere else.
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { SEVERITIES, type Severity } from '../../common/severity.js';
import {
  ENRICHMENT_TYPES,
  type Enrichment,
  type EnrichmentType,
} from '../../enrichment/enrichment.types.js';
import {
  ALERT_ORIGINS,
  ALERT_STATUSES,
  type AlertOrigin,
  type AlertStatus,
  RESOLUTIONS,
  type Resolution,
} from '../alert.types.js';
import type { AlertDetailRow, AlertRow } from '../alert-sql.js';

export class AssigneeDto {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ example: 'alice' })
  username: string;
}

export class EnrichmentErrorDto {
  @ApiProperty({ example: 'geo' })
  plugin: string;

  @ApiProperty({ example: 'GeoIP database unavailable' })
  message: string;
}

export class EnrichmentDto {
  @ApiProperty({
    type: Object,
    nullable: true,
    description: 'GeoIP of the destination address; null when unknown',
  })
  geo: unknown;

  @ApiProperty({
    type: Object,
    nullable: true,
    description: 'Tor exit node lookup; null when not run',
  })
  tor: unknown;

  @ApiProperty({
    type: Object,
    nullable: true,
    description: 'User and asset context; null when nothing is known',
  })
  context: unknown;

  @ApiProperty({
    type: [EnrichmentErrorDto],
    description: 'Plugins that failed for this alert (the alert is stored regardless)',
  })
  errors: EnrichmentErrorDto[];

  [plugin: string]: unknown;
}

/**
 * The enrichment with geo, tor, context (null when absent) and errors always present. What the
 * plugins store already has them all and goes out as it is (no copy per row); older or partial
 * records are completed.
 */
function withEveryMember(enrichment: Enrichment): EnrichmentDto {
  if ('geo' in enrichment && 'tor' in enrichment && 'context' in enrichment && enrichment.errors)
    return enrichment as EnrichmentDto;
  const { geo = null, tor = null, context = null, errors = [], ...others } = enrichment;
  return { ...others, geo, tor, context, errors };
}

/** An alert's own fields: what the list and the detail both carry. */
class AlertFieldsDto {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ example: 'firewall' })
  source: string;

  @ApiProperty({
    type: String,
    nullable: true,
    description: "The upstream's id of the alert; null when it gave none or for event alerts",
  })
  external_id: string | null;

  @ApiProperty({ enum: ALERT_ORIGINS })
  origin: AlertOrigin;

  @ApiProperty({ enum: SEVERITIES })
  severity: Severity;

  @ApiProperty({ enum: ALERT_STATUSES })
  status: AlertStatus;

  @ApiProperty()
  description: string;

  @ApiProperty({ format: 'date-time', description: 'When the alert happened (event time)' })
  created_at: string;

  @ApiProperty({ format: 'date-time', description: 'When Vigil stored it' })
  ingested_at: string;

  @ApiProperty({ format: 'date-time' })
  updated_at: string;

  @ApiProperty({ type: String, nullable: true, example: '10.0.0.12' })
  src_ip: string | null;

  @ApiProperty({ type: String, nullable: true, example: '185.220.101.1' })
  dst_ip: string | null;

  @ApiProperty({ type: String, nullable: true, example: 'DE', description: 'ISO 3166-1 alpha-2' })
  country: string | null;

  @ApiProperty({ type: String, nullable: true, example: 'alice' })
  user: string | null;

  @ApiProperty({ enum: ENRICHMENT_TYPES })
  enrichment_type: EnrichmentType;

  @ApiProperty({ type: AssigneeDto, nullable: true })
  assignee: AssigneeDto | null;

  @ApiProperty({ enum: RESOLUTIONS, nullable: true })
  resolution: Resolution | null;

  @ApiProperty({ type: String, format: 'uuid', nullable: true })
  event_id: string | null;

  @ApiProperty({ type: 'integer', description: 'Bumped on every change (optimistic concurrency)' })
  version: number;

  @ApiProperty({
    type: String,
    format: 'uuid',
    nullable: true,
    description: 'The incident the correlation rules grouped it into (at most one)',
  })
  incident_id: string | null;

  static fieldsOf(row: AlertRow): AlertFieldsDto {
    return {
      id: row.id,
      source: row.source,
      external_id: row.external_id,
      origin: row.origin,
      severity: row.severity,
      status: row.status,
      description: row.description,
      created_at: row.created_at,
      ingested_at: row.ingested_at,
      updated_at: row.updated_at,
      src_ip: row.src_ip,
      dst_ip: row.dst_ip,
      country: row.country,
      user: row.user_name,
      enrichment_type: row.enrichment_type,
      assignee:
        row.assignee_id && row.assignee_username
          ? { id: row.assignee_id, username: row.assignee_username }
          : null,
      resolution: row.resolution,
      event_id: row.event_id,
      version: row.version,
      incident_id: row.incident_id,
    };
  }
}

/** An alert as a list page carries it. */
export class AlertDto extends AlertFieldsDto {
  @ApiPropertyOptional({
    type: EnrichmentDto,
    description: 'Only with `include=enrichment` (`GET /api/alerts/{id}` always has it)',
  })
  enrichment?: EnrichmentDto;

  static fromRow(row: AlertRow): AlertDto {
    const fields = AlertFieldsDto.fieldsOf(row);
    return row.enrichment ? { ...fields, enrichment: withEveryMember(row.enrichment) } : fields;
  }
}

/**
 * The event that raised an alert, as the store embeds it in the alert's detail. Defined here, on
 * the store's side, so the store does not know who feeds it; the events API serves this same
 * shape plus the event's links (EventDto extends it).
 */
export class AlertEventDto {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ example: 'edr' })
  source: string;

  @ApiProperty({ example: 'process_injection' })
  event_type: string;

  @ApiProperty({ enum: SEVERITIES })
  severity: Severity;

  @ApiProperty()
  description: string;

  @ApiProperty({ format: 'date-time', description: 'When the event happened' })
  occurred_at: string;

  @ApiProperty({ format: 'date-time', description: 'When Vigil stored it' })
  received_at: string;

  @ApiProperty({ type: String, nullable: true, example: '10.0.0.12' })
  src_ip: string | null;

  @ApiProperty({ type: String, nullable: true, example: '185.220.101.1' })
  dst_ip: string | null;

  @ApiProperty({ type: 'object', additionalProperties: true, example: { host: 'fin-ws-042' } })
  attributes: Record<string, unknown>;
}

export class AlertDetailDto extends AlertFieldsDto {
  @ApiProperty({ type: EnrichmentDto })
  enrichment: EnrichmentDto;

  @ApiProperty({
    type: AlertEventDto,
    nullable: true,
    description: 'The event that raised the alert (origin `event`); null for upstream alerts',
  })
  event: AlertEventDto | null;

  static fromRow(row: AlertDetailRow): AlertDetailDto {
    return {
      ...AlertFieldsDto.fieldsOf(row),
      enrichment: withEveryMember(row.enrichment),
      event: row.event,
    };
  }
}
