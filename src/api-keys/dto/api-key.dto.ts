import { ApiProperty } from '@nestjs/swagger';
import { GROUPS, type Group } from '../../users/user.js';
import type { ApiKey } from '../api-key.js';
import type { CreatedApiKey } from '../api-keys.service.js';

export class ApiKeyCreatorDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ example: 'admin' }) username: string;
}

/** A key as listed: never its secret nor its hash. */
export class ApiKeyDto {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ example: 'splunk-alert-action' })
  name: string;

  @ApiProperty({ enum: GROUPS, isArray: true })
  groups: Group[];

  @ApiProperty({
    example: 'vgk_3q2P0aXw',
    description: 'The first characters of the key, to recognise it (not enough to use it)',
  })
  prefix: string;

  @ApiProperty({
    type: ApiKeyCreatorDto,
    nullable: true,
    description: 'The admin who created it; null when an API key did',
  })
  created_by: ApiKeyCreatorDto | null;

  @ApiProperty({ format: 'date-time' })
  created_at: string;

  @ApiProperty({ type: String, format: 'date-time', nullable: true, description: 'null: never' })
  expires_at: string | null;

  @ApiProperty({
    type: String,
    format: 'date-time',
    nullable: true,
    description: 'The last request made with it, to the minute; null: never used',
  })
  last_used_at: string | null;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  revoked_at: string | null;

  static from(key: ApiKey): ApiKeyDto {
    return {
      id: key.id,
      name: key.name,
      groups: key.groups,
      prefix: key.prefix,
      created_by: key.createdBy,
      created_at: key.createdAt.toISOString(),
      expires_at: key.expiresAt?.toISOString() ?? null,
      last_used_at: key.lastUsedAt?.toISOString() ?? null,
      revoked_at: key.revokedAt?.toISOString() ?? null,
    };
  }
}

export class CreatedApiKeyDto extends ApiKeyDto {
  @ApiProperty({
    example: 'vgk_3q2P0aXwJ8mYb1cR7tVnQeLk5sZuHd9oFgIyAxW4pE0',
    description:
      'The key: send it as `Authorization: Bearer <key>`. Shown this once; only its hash is kept.',
  })
  key: string;

  static fromCreated(created: CreatedApiKey): CreatedApiKeyDto {
    return { ...ApiKeyDto.from(created), key: created.key };
  }
}

export class ApiKeyListDto {
  @ApiProperty({ type: [ApiKeyDto] })
  api_keys: ApiKeyDto[];
}
