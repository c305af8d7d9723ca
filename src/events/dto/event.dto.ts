// An event on the wire. Rows become this shape here and nowhere else.
import { ApiProperty } from '@nestjs/swagger';
import {
  ALERT_STATUSES,
  type AlertStatus,
  SEVERITIES,
  type Severity,
} from '../../alerts/alert.types.js';
import type { EventRow } from '../event-sql.js';

export class EventAlertDto {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ enum: ALERT_STATUSES })
  status: AlertStatus;
}

export class EventCreatorDto {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ example: 'admin' })
  username: string;
}

export class EventDto {
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

  @ApiProperty({
    type: EventCreatorDto,
    nullable: true,
    description: 'The admin who posted it; null once that user is gone',
  })
  created_by: EventCreatorDto | null;

  @ApiProperty({
    type: EventAlertDto,
    nullable: true,
    description: 'The alert the event raised (high and critical events); null otherwise',
  })
  alert: EventAlertDto | null;

  static fromRow(row: EventRow): EventDto {
    return {
      id: row.id,
      source: row.source,
      event_type: row.event_type,
      severity: row.severity,
      description: row.description,
      occurred_at: row.occurred_at.toISOString(),
      received_at: row.received_at.toISOString(),
      src_ip: row.src_ip,
      dst_ip: row.dst_ip,
      attributes: row.attributes,
      created_by:
        row.created_by && row.created_by_username
          ? { id: row.created_by, username: row.created_by_username }
          : null,
      alert:
        row.alert_id && row.alert_status ? { id: row.alert_id, status: row.alert_status } : null,
    };
  }
}
