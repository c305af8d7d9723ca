// Incidents on the wire. Rows become these shapes here and nowhere else.
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsDefined, IsInt, IsString, IsUUID, Matches, MaxLength, Min } from 'class-validator';
import { AlertChangeDto, NOTE_MAX } from '../../alerts/dto/alert-change.dto.js';
import { AssigneeDto } from '../../alerts/dto/alert.dto.js';
import { HistoryActorDto, historyEntry } from '../../alerts/dto/alert-history.dto.js';
import { BulkSkipDto } from '../../alerts/dto/bulk-result.dto.js';
import {
  ALERT_STATUSES,
  type AlertStatus,
  RESOLUTIONS,
  type Resolution,
} from '../../alerts/alert.types.js';
import { PageQueryDto } from '../../common/pagination/page-query.dto.js';
import { SEVERITIES, type Severity } from '../../common/severity.js';
import { IfPresent } from '../../common/validation/if-present.js';
import {
  EnumQuery,
  InstantQuery,
  IntegerQuery,
  NotBefore,
  TextQuery,
} from '../../common/validation/query-fields.js';
import { USERNAME_PATTERN } from '../../users/dto/user-fields.js';
import type { AlertsOutcome } from '../incidents.service.js';
import {
  INCIDENT_PAGING,
  type IncidentFilter,
  type IncidentHistoryRow,
  type IncidentRow,
  type IncidentStats,
} from '../incident.store.js';

export const INCIDENT_STATS_DEFAULT_HOURS = 168;

export class IncidentFilterDto {
  @EnumQuery(ALERT_STATUSES)
  status?: AlertStatus;

  @EnumQuery(SEVERITIES, { many: true, example: 'high,critical' })
  severity?: Severity[];

  @TextQuery({
    maxLength: 64,
    pattern: USERNAME_PATTERN,
    patternMessage: 'must be a username',
    example: 'alice',
    description: "The assignee's username",
  })
  assignee?: string;

  @InstantQuery({
    example: '2024-05-01T00:00:00Z',
    description: 'Created (`created_at`) at or after this instant',
  })
  since?: string;

  @InstantQuery({ example: '2024-05-02T00:00:00Z', description: 'Created at or before' })
  @NotBefore('since')
  until?: string;
}

export class ListIncidentsQueryDto extends PageQueryDto(INCIDENT_PAGING, IncidentFilterDto) {}

export function toIncidentFilter(dto: IncidentFilterDto): IncidentFilter {
  return {
    status: dto.status,
    severities: dto.severity,
    assignee: dto.assignee,
    since: dto.since,
    until: dto.until,
  };
}

export class IncidentStatsQueryDto {
  @IntegerQuery(1, 8760, {
    default: INCIDENT_STATS_DEFAULT_HOURS,
    description: 'The window: incidents created in the last N hours',
  })
  hours?: number;
}

export class IncidentDto {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({
    example: 'src_ip 10.0.0.12',
    description: 'What its alerts share, as a person reads it',
  })
  title: string;

  @ApiProperty({ type: String, format: 'uuid', nullable: true, description: 'Null once deleted' })
  rule_id: string | null;

  @ApiProperty({ example: 'Same source address' })
  rule_name: string;

  @ApiProperty({
    type: Object,
    example: { src_ip: '10.0.0.12' },
    description: "The key: the rule's fields and the values its alerts share",
  })
  key: Record<string, string>;

  @ApiProperty({
    format: 'date-time',
    description: 'Alerts created from here (inclusive)…',
  })
  window_start: string;

  @ApiProperty({ format: 'date-time', description: '…to here (exclusive) join it' })
  window_end: string;

  @ApiProperty({ enum: SEVERITIES, description: 'The highest of its alerts' })
  severity: Severity;

  @ApiProperty({ enum: ALERT_STATUSES })
  status: AlertStatus;

  @ApiProperty({ type: AssigneeDto, nullable: true })
  assignee: AssigneeDto | null;

  @ApiProperty({ enum: RESOLUTIONS, nullable: true })
  resolution: Resolution | null;

  @ApiProperty({ type: 'integer' })
  alert_count: number;

  @ApiProperty({ format: 'date-time' })
  first_alert_at: string;

  @ApiProperty({ format: 'date-time' })
  last_alert_at: string;

  @ApiProperty({ format: 'date-time' })
  created_at: string;

  @ApiProperty({ format: 'date-time' })
  updated_at: string;

  @ApiProperty({ type: 'integer', description: 'Bumped on every change (for `If-Match`)' })
  version: number;

  static fromRow(row: IncidentRow): IncidentDto {
    const key = JSON.parse(row.group_key) as Record<string, string>;
    return {
      id: row.id,
      title: Object.entries(key)
        .map(([field, value]) => `${field} ${value}`)
        .join(', '),
      rule_id: row.rule_id,
      rule_name: row.rule_name,
      key,
      window_start: row.window_start.toISOString(),
      window_end: row.window_end.toISOString(),
      severity: row.severity,
      status: row.status,
      assignee:
        row.assignee_id && row.assignee_username
          ? { id: row.assignee_id, username: row.assignee_username }
          : null,
      resolution: row.resolution,
      alert_count: row.alert_count,
      first_alert_at: row.first_alert_at.toISOString(),
      last_alert_at: row.last_alert_at.toISOString(),
      created_at: row.created_at.toISOString(),
      updated_at: row.updated_at.toISOString(),
      version: row.version,
    };
  }
}

export class IncidentDetailDto extends IncidentDto {
  @ApiProperty({
    type: [String],
    format: 'uuid',
    description: 'Its alerts, oldest first (at most 10,000: `alert_ids_capped`)',
  })
  alert_ids: string[];

  @ApiProperty()
  alert_ids_capped: boolean;
}

export class IncidentPageDto {
  @ApiProperty({ type: [IncidentDto] }) incidents: IncidentDto[];
  @ApiProperty() total: number;
  @ApiProperty() total_capped: boolean;
  @ApiProperty() limit: number;
  @ApiProperty({ type: 'integer', nullable: true }) offset: number | null;
  @ApiProperty() has_more: boolean;
  @ApiProperty({ type: String, nullable: true }) next_cursor: string | null;
}

export class UpdateIncidentDto extends AlertChangeDto {
  @ApiPropertyOptional({
    maxLength: NOTE_MAX,
    description: 'Kept in the history (and on each alert a resolution changes)',
  })
  @IfPresent()
  @IsString()
  @MaxLength(NOTE_MAX)
  @Matches(/\S/, { message: 'note must not be blank' })
  note?: string;

  @ApiPropertyOptional({ type: 'integer', minimum: 1, description: 'The version you read (409)' })
  @IfPresent()
  @IsInt()
  @Min(1)
  version?: number;
}

export class AlertsOutcomeDto implements AlertsOutcome {
  @ApiProperty({ description: 'Alerts resolved with the incident (one history row each)' })
  updated: number;

  @ApiProperty({ type: [BulkSkipDto], description: 'Alerts left as they were, and why' })
  @Type(() => BulkSkipDto)
  skipped: BulkSkipDto[];
}

export class UpdatedIncidentDto extends IncidentDto {
  @ApiProperty({
    type: AlertsOutcomeDto,
    nullable: true,
    description: 'When the change resolved the incident: what it did to its alerts',
  })
  alerts: AlertsOutcomeDto | null;
}

export class MergeIncidentDto {
  @ApiProperty({
    format: 'uuid',
    description: 'The incident merged into this one (it is then resolved as a duplicate)',
  })
  @IsDefined()
  @IsUUID('4', { message: 'incident_id must be a UUID' })
  incident_id: string;
}

export class IncidentHistoryEntryDto {
  @ApiProperty({ type: 'integer' }) id: number;
  @ApiProperty({ format: 'date-time' }) at: string;
  @ApiProperty({ type: HistoryActorDto }) actor: HistoryActorDto;

  @ApiProperty({
    type: String,
    enum: ['status', 'assignee', 'merge', 'alert_moved'],
    nullable: true,
    description:
      'The field changed; `merge`: from the merged incident to the one kept; `alert_moved`: ' +
      'the alert (`from`) taken out; null for a note',
  })
  field: IncidentHistoryRow['field'];

  @ApiProperty({ type: String, nullable: true }) from: string | null;
  @ApiProperty({ type: String, nullable: true }) to: string | null;
  @ApiProperty({ enum: RESOLUTIONS, nullable: true }) resolution: Resolution | null;
  @ApiProperty({ type: String, nullable: true }) note: string | null;

  static fromRow(row: IncidentHistoryRow): IncidentHistoryEntryDto {
    return historyEntry(row);
  }
}

export class IncidentHistoryDto {
  @ApiProperty({ format: 'uuid' }) incident_id: string;
  @ApiProperty({ type: [IncidentHistoryEntryDto], description: 'Oldest first; append-only' })
  history: IncidentHistoryEntryDto[];
}

class IncidentsByStatusDto {
  @ApiProperty() open: number;
  @ApiProperty() acknowledged: number;
  @ApiProperty() resolved: number;
}

class AlertsPerIncidentDto {
  @ApiProperty({ type: Number, nullable: true }) mean: number | null;
  @ApiProperty({ type: Number, nullable: true }) max: number | null;
}

export class IncidentStatsDto implements IncidentStats {
  @ApiProperty() hours: number;
  @ApiProperty({ type: IncidentsByStatusDto, description: 'Every incident, by status now' })
  by_status: IncidentsByStatusDto;
  @ApiProperty({ description: 'Incidents created in the window (merged-away ones left out)' })
  created: number;
  @ApiProperty({ type: AlertsPerIncidentDto, description: 'Over the incidents of the window' })
  alerts_per_incident: AlertsPerIncidentDto;
  @ApiProperty({
    type: Number,
    nullable: true,
    description: 'Mean seconds from an incident of the window being made to its acknowledgement',
  })
  mtta_seconds: number | null;
  @ApiProperty({ type: Number, nullable: true, description: '…and to its resolution' })
  mttr_seconds: number | null;
}
