// Correlation rules on the wire: `POST /api/correlation-rules`, `PATCH …/{id}` and the answers.
import {
  ApiProperty,
  ApiPropertyOptional,
  type ApiPropertyOptions,
  PartialType,
} from '@nestjs/swagger';
import {
  ArrayMaxSize,
  ArrayMinSize,
  ArrayUnique,
  IsArray,
  IsBoolean,
  IsDefined,
  IsIn,
  IsInt,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
} from 'class-validator';
import { IfPresent } from '../../common/validation/if-present.js';
import { QueryRule } from '../../common/validation/query-fields.js';
import {
  CORRELATION_KEYS,
  type CorrelationKey,
  type CorrelationRule,
} from '../correlation-rules.repository.js';

export const WINDOW_MIN_SECONDS = 60;
export const WINDOW_MAX_SECONDS = 7 * 86_400;

const OBSERVABLES: readonly CorrelationKey[] = ['src_ip', 'dst_ip', 'user'];

const keysRule = (value: unknown) =>
  Array.isArray(value) && !value.some((key) => OBSERVABLES.includes(key as CorrelationKey))
    ? 'keys must hold at least one of src_ip, dst_ip, user (source only narrows one of them)'
    : null;

const KEYS_DOC: ApiPropertyOptions = {
  enum: [...CORRELATION_KEYS],
  isArray: true,
  minItems: 1,
  maxItems: 4,
  example: ['src_ip'],
  description:
    'Alerts whose values of these fields are all equal (and present) are grouped: `src_ip`, ' +
    '`dst_ip`, `user`, and `source` to keep one detection source apart from another',
};

export class CreateCorrelationRuleDto {
  @ApiProperty({ maxLength: 100, example: 'Same source address' })
  @IsDefined()
  @IsString()
  @MaxLength(100)
  @Matches(/\S/, { message: 'name must not be blank' })
  name: string;

  @ApiProperty(KEYS_DOC)
  @IsDefined()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(4)
  @ArrayUnique()
  @IsIn(CORRELATION_KEYS, {
    each: true,
    message: `each key must be one of: ${CORRELATION_KEYS.join(', ')}`,
  })
  @QueryRule('observableKey', keysRule)
  keys: CorrelationKey[];

  @ApiProperty({
    type: 'integer',
    minimum: WINDOW_MIN_SECONDS,
    maximum: WINDOW_MAX_SECONDS,
    example: 3600,
    description: "An incident's window: from its first alert, this many seconds",
  })
  @IsDefined()
  @IsInt()
  @Min(WINDOW_MIN_SECONDS)
  @Max(WINDOW_MAX_SECONDS)
  window_seconds: number;

  @ApiPropertyOptional({ default: true })
  @IfPresent()
  @IsBoolean()
  enabled?: boolean;

  @ApiPropertyOptional({
    type: 'integer',
    minimum: 1,
    description:
      'Rules are tried in this order (lowest first); an alert goes to the first that has all ' +
      'its key fields. Default: after every other rule.',
  })
  @IfPresent()
  @IsInt()
  @Min(1)
  @Max(1_000_000)
  position?: number;
}

/** `PATCH /api/correlation-rules/{id}`: any of the fields, each checked as on create. */
export class UpdateCorrelationRuleDto extends PartialType(CreateCorrelationRuleDto) {}

export class CorrelationRuleDto {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty()
  name: string;

  @ApiProperty({ enum: [...CORRELATION_KEYS], isArray: true })
  keys: CorrelationKey[];

  @ApiProperty({ type: 'integer' })
  window_seconds: number;

  @ApiProperty()
  enabled: boolean;

  @ApiProperty({ type: 'integer' })
  position: number;

  @ApiProperty({ format: 'date-time' })
  created_at: string;

  @ApiProperty({ format: 'date-time' })
  updated_at: string;

  static from(rule: CorrelationRule): CorrelationRuleDto {
    return {
      ...rule,
      created_at: rule.created_at.toISOString(),
      updated_at: rule.updated_at.toISOString(),
    };
  }
}

export class CorrelationRuleListDto {
  @ApiProperty({ type: [CorrelationRuleDto] })
  rules: CorrelationRuleDto[];
}
