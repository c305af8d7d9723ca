// The bodies that change alerts: PATCH /api/alerts/{id}, POST …/notes and POST /api/alerts/bulk.
// The rules a change must meet on its own (a resolution with `resolved` and only then, note
// length) live here, so a single PATCH and each `set` of a bulk action are checked alike.
import { applyDecorators } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsDefined,
  IsIn,
  IsInt,
  IsObject,
  IsString,
  IsUUID,
  Matches,
  MaxLength,
  Min,
  ValidateIf,
  ValidateNested,
} from 'class-validator';
import { QueryRule } from '../../common/validation/query-fields.js';
import { USERNAME_PATTERN } from '../../users/dto/user-fields.js';
import { ALERT_STATUSES, type AlertStatus, RESOLUTIONS, type Resolution } from '../alert.types.js';
import { AlertFilterDto } from './alert-filter.dto.js';
import { IfPresent } from '../../common/validation/if-present.js';

export const NOTE_MAX = 5000;
export const BULK_LIMIT = 10_000;

/** No member set (class instances carry their declared fields as undefined). */
const isEmptyObject = (value: unknown) =>
  typeof value === 'object' &&
  value !== null &&
  Object.values(value).every((member) => member === undefined);

const NoteText = (name: string) =>
  applyDecorators(
    IsString(),
    MaxLength(NOTE_MAX),
    Matches(/\S/, { message: `${name} must not be blank` }),
  );

export class AlertChangeDto {
  @ApiPropertyOptional({
    enum: ALERT_STATUSES,
    description:
      'open → acknowledged → resolved, open → resolved, acknowledged → open. resolved is final.',
  })
  @IfPresent()
  @IsIn(ALERT_STATUSES, { message: `status must be one of: ${ALERT_STATUSES.join(', ')}` })
  status?: AlertStatus;

  @ApiPropertyOptional({
    type: String,
    nullable: true,
    example: 'alice',
    description: 'Username of an active user; null unassigns',
  })
  @ValidateIf((_, value: unknown) => value !== undefined && value !== null)
  @IsString()
  @Matches(USERNAME_PATTERN, { message: 'assignee must be a username (3-64 characters)' })
  assignee?: string | null;

  @ApiPropertyOptional({
    enum: RESOLUTIONS,
    description: 'Required with `status: resolved`, and only then',
  })
  @ValidateIf(
    (object: AlertChangeDto, value: unknown) => value !== undefined || object.status === 'resolved',
  )
  @QueryRule('resolutionWithResolved', (value, _, body) => {
    if (value === undefined) return `resolving takes a resolution: ${RESOLUTIONS.join(', ')}`;
    if (body.status !== 'resolved') return 'resolution is given only with status resolved';
    return typeof value === 'string' && (RESOLUTIONS as readonly string[]).includes(value)
      ? null
      : `resolution must be one of: ${RESOLUTIONS.join(', ')}`;
  })
  resolution?: Resolution;
}

export class UpdateAlertDto extends AlertChangeDto {
  @ApiPropertyOptional({
    maxLength: NOTE_MAX,
    description: 'Why; kept in the history with each change (or alone when nothing changes)',
  })
  @IfPresent()
  @NoteText('note')
  note?: string;

  @ApiPropertyOptional({
    type: 'integer',
    minimum: 1,
    description:
      'The version you read. If the alert has changed since, nothing is applied: 409. ' +
      '(Or send it as `If-Match`, which answers 412.)',
  })
  @IfPresent()
  @IsInt()
  @Min(1)
  version?: number;
}

export class AddNoteDto {
  @ApiProperty({ maxLength: NOTE_MAX, example: 'Called the user; laptop re-imaged.' })
  @IsDefined()
  @NoteText('text')
  text: string;
}

export class BulkAlertsDto {
  @ApiPropertyOptional({
    type: [String],
    format: 'uuid',
    maxItems: BULK_LIMIT,
    description: `Alerts by id, at most ${BULK_LIMIT.toLocaleString('en')}. Not with \`filter\`.`,
  })
  @ValidateIf((object: BulkAlertsDto, value: unknown) => value !== undefined || !object.filter)
  @QueryRule('idsOrFilter', (value, _, body) =>
    value !== undefined && body.filter !== undefined
      ? 'give ids or filter, not both'
      : value === undefined
        ? 'give ids or filter'
        : null,
  )
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(BULK_LIMIT)
  @IsUUID('4', { each: true, message: 'each value in ids must be a UUID' })
  ids?: string[];

  @ApiPropertyOptional({
    type: AlertFilterDto,
    description:
      'Alerts by the filters of `GET /api/alerts` (at least one). The newest ' +
      `${BULK_LIMIT.toLocaleString('en')} matches are acted on; \`truncated\` says more matched.`,
  })
  @IfPresent()
  @IsObject()
  @QueryRule('filterNotEmpty', (value) =>
    isEmptyObject(value)
      ? 'filter must name at least one condition (an empty filter would select every alert)'
      : null,
  )
  @ValidateNested()
  @Type(() => AlertFilterDto)
  filter?: AlertFilterDto;

  @ApiProperty({ type: AlertChangeDto })
  @IsDefined()
  @IsObject()
  @QueryRule('setNotEmpty', (value) =>
    isEmptyObject(value) ? 'set must change at least one of status, assignee' : null,
  )
  @ValidateNested()
  @Type(() => AlertChangeDto)
  set: AlertChangeDto;

  @ApiPropertyOptional({ maxLength: NOTE_MAX, description: 'Kept in the history of every change' })
  @IfPresent()
  @NoteText('note')
  note?: string;
}
