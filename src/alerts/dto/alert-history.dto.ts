import { ApiProperty } from '@nestjs/swagger';
import { RESOLUTIONS, type Resolution } from '../alert.types.js';
import type { HistoryRow } from '../alert.store.js';

export class HistoryActorDto {
  @ApiProperty({ type: String, format: 'uuid', nullable: true }) id: string | null;
  @ApiProperty({ example: 'alice' }) username: string;
}

export class AlertHistoryEntryDto {
  @ApiProperty({ type: 'integer', description: 'Increases with every entry' })
  id: number;

  @ApiProperty({ format: 'date-time' })
  at: string;

  @ApiProperty({ type: HistoryActorDto })
  actor: HistoryActorDto;

  @ApiProperty({
    type: String,
    enum: ['status', 'assignee'],
    nullable: true,
    description: 'The field changed; null for a note',
  })
  field: 'status' | 'assignee' | null;

  @ApiProperty({
    type: String,
    nullable: true,
    description: 'Value before (a status, or an assignee username)',
  })
  from: string | null;

  @ApiProperty({ type: String, nullable: true, description: 'Value after' })
  to: string | null;

  @ApiProperty({
    enum: RESOLUTIONS,
    nullable: true,
    description: 'On a change of status to resolved',
  })
  resolution: Resolution | null;

  @ApiProperty({ type: String, nullable: true })
  note: string | null;

  static fromRow(row: HistoryRow): AlertHistoryEntryDto {
    return historyEntry(row);
  }
}

/** A history row on the wire: alerts' and incidents' have the same columns, each its fields. */
export function historyEntry<Field extends string | null>(
  row: Omit<HistoryRow, 'field'> & { field: Field },
) {
  return {
    id: Number(row.id),
    at: row.at.toISOString(),
    actor: { id: row.actor_id, username: row.actor_username },
    field: row.field,
    from: row.from_value,
    to: row.to_value,
    resolution: row.resolution,
    note: row.note,
  };
}

export class AlertHistoryDto {
  @ApiProperty({ format: 'uuid' })
  alert_id: string;

  @ApiProperty({ type: [AlertHistoryEntryDto], description: 'Oldest first; append-only' })
  history: AlertHistoryEntryDto[];
}
