import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ValidateIf } from 'class-validator';
import { parseInstant } from '../../common/pagination/timestamp.js';
import { QueryRule as Rule } from '../../common/validation/query-fields.js';
import { GroupsField } from '../../users/dto/user-fields.js';
import type { Group } from '../../users/user.js';

/** Audit records show a key as `key:<name>`, which must fit their 64-character actor column. */
export const API_KEY_NAME_MAX = 60;
const NAME_PATTERN = /^[A-Za-z0-9](?:[A-Za-z0-9 ._-]*[A-Za-z0-9])?$/;

function nameRule(value: unknown, field: string): string | null {
  if (typeof value !== 'string') return `${field} must be a string`;
  if (value.length > API_KEY_NAME_MAX) {
    return `${field} must be at most ${API_KEY_NAME_MAX} characters long`;
  }
  return NAME_PATTERN.test(value)
    ? null
    : `${field} must be letters, digits, spaces, ".", "_" or "-", starting and ending with a letter or digit`;
}

function expiryRule(value: unknown, field: string): string | null {
  const instant = typeof value === 'string' ? parseInstant(value) : null;
  if (!instant) {
    return `${field} must be an ISO 8601 date-time with Z or an offset, e.g. 2030-01-01T00:00:00Z`;
  }
  return instant.epochMs > Date.now() ? null : `${field} must be in the future`;
}

/** `POST /api/api-keys`. */
export class CreateApiKeyDto {
  @ApiProperty({
    example: 'splunk-alert-action',
    minLength: 1,
    maxLength: API_KEY_NAME_MAX,
    pattern: NAME_PATTERN.source,
    description:
      'Names the key in lists and in audit records (as `key:<name>`); unique among keys not ' +
      'revoked, in any case',
  })
  @Rule('apiKeyName', nameRule)
  name: string;

  @GroupsField()
  groups: Group[];

  @ApiPropertyOptional({
    type: String,
    format: 'date-time',
    nullable: true,
    example: '2030-01-01T00:00:00Z',
    description: 'When the key stops working; absent or null: never. Must be in the future.',
  })
  @ValidateIf((_, value: unknown) => value !== undefined && value !== null)
  @Rule('apiKeyExpiry', expiryRule)
  expires_at?: string | null;
}
