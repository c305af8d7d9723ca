import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsOptional } from 'class-validator';
import { SEVERITIES, type Severity } from '../../common/severity.js';
// One constraint whose message is the failed rule's: made for query strings, fits bodies as well.
import { QueryRule as Rule } from '../../common/validation/query-fields.js';
import {
  ATTRIBUTES_MAX_BYTES,
  ATTRIBUTES_MAX_DEPTH,
  attributesRule,
  CRITICAL_DESCRIPTION_MIN,
  DESCRIPTION_MAX,
  descriptionRule,
  FUTURE_SKEW_MS,
  ipRule,
  lowerCased,
  NAME_MAX,
  nameRule,
  normalisedInstant,
  occurredAtRule,
  severityRule,
  trimmed,
} from '../event-rules.js';
import { ALERTING_SEVERITIES } from '../event-sql.js';
import { IfPresent } from '../../common/validation/if-present.js';

const Trim = () => Transform(({ value }: { value: unknown }) => trimmed(value));

/** `POST /api/events`. Each field has one rule, so each offending field gets one message. */
export class CreateEventDto {
  @ApiProperty({ example: 'edr', minLength: 1, maxLength: NAME_MAX, description: 'Trimmed' })
  @Trim()
  @Rule('eventName', nameRule)
  source: string;

  @ApiProperty({
    example: 'process_injection',
    minLength: 1,
    maxLength: NAME_MAX,
    description: 'Trimmed',
  })
  @Trim()
  @Rule('eventName', nameRule)
  event_type: string;

  @ApiProperty({
    enum: SEVERITIES,
    example: 'high',
    description:
      'Case-insensitive (stored lower-case). Events of severity ' +
      `${ALERTING_SEVERITIES.join(' or ')} raise an open alert in the same transaction.`,
  })
  @Transform(({ value }: { value: unknown }) => lowerCased(value))
  @Rule('severity', severityRule)
  severity: Severity;

  @ApiProperty({
    minLength: 1,
    maxLength: DESCRIPTION_MAX,
    example: 'Credential dumping tool executed on host fin-ws-042',
    description:
      `Trimmed; 1 to ${DESCRIPTION_MAX} characters. A critical event needs at least ` +
      `${CRITICAL_DESCRIPTION_MIN} visible characters (whitespace, zero-width and other invisible characters do not count).`,
  })
  @Trim()
  @Rule('description', (value, field, body) => descriptionRule(value, field, body.severity))
  description: string;

  @ApiPropertyOptional({
    type: String,
    format: 'date-time',
    example: '2024-05-01T12:00:00Z',
    description:
      'When the event happened: an ISO 8601 date-time with `Z` or an offset (a bare ' +
      '`YYYY-MM-DD` is midnight UTC). Defaults to the ' +
      `time it is received. At most ${FUTURE_SKEW_MS / 60_000} minutes in the future (an ` +
      'allowance for clock skew between the reporting system and Vigil); a later instant is ' +
      'refused with 400.',
  })
  @Transform(({ value }: { value: unknown }) => normalisedInstant(value))
  @IfPresent()
  @Rule('occurredAt', (value, field) => occurredAtRule(value, field))
  occurred_at?: string;

  @ApiPropertyOptional({
    type: String,
    nullable: true,
    example: '10.0.0.12',
    description: 'IPv4 or IPv6',
  })
  @IsOptional()
  @Rule('ip', ipRule)
  src_ip?: string | null;

  @ApiPropertyOptional({
    type: String,
    nullable: true,
    example: '185.220.101.1',
    description: 'IPv4 or IPv6',
  })
  @IsOptional()
  @Rule('ip', ipRule)
  dst_ip?: string | null;

  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: true,
    example: { host: 'fin-ws-042', process: 'mimikatz.exe' },
    description:
      `Free-form JSON object: at most ${ATTRIBUTES_MAX_BYTES / 1024} KiB serialised (UTF-8), ` +
      `nesting objects and arrays at most ${ATTRIBUTES_MAX_DEPTH} levels deep`,
  })
  @IfPresent()
  @Rule('attributes', attributesRule)
  attributes?: Record<string, unknown>;
}
