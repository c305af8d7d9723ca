// An event on the wire. Rows become this shape here and nowhere else.
import { ApiProperty } from '@nestjs/swagger';
import { ALERT_STATUSES, type AlertStatus } from '../../alerts/alert.types.js';
import { AlertEventDto } from '../../alerts/dto/alert.dto.js';
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

/**
 * The event's own fields are the ones the alert store embeds in an alert's detail (one shape in
 * the API, defined once on the store's side: events feed alerts, never the other way); an event
 * adds its links.
 */
export class EventDto extends AlertEventDto {
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
