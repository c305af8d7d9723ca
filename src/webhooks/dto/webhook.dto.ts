// The bodies of the webhook subscription API.
import { ApiProperty, ApiPropertyOptional, PartialType } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  ArrayUnique,
  IsArray,
  IsBoolean,
  IsIn,
  IsObject,
  IsString,
  IsUrl,
  MaxLength,
  ValidateNested,
} from 'class-validator';
import { IfPresent } from '../../common/validation/if-present.js';
import type { WebhookFormat } from '../webhook-payload.js';
import type { AlertEvent, WebhookSubscription } from '../webhook.repository.js';
import { WebhookFilterViewDto } from './webhook-filter-view.dto.js';
import { fromWebhookFilter, WebhookFilterDto } from './webhook-filter.dto.js';

export const WEBHOOK_EVENTS = ['alert.created', 'alert.changed'] as const;
export const WEBHOOK_FORMATS = ['standard', 'slack'] as const;
export const URL_MAX = 2048;

export class CreateWebhookDto {
  @ApiProperty({
    example: 'https://soar.example.com/hooks/vigil',
    maxLength: URL_MAX,
    description: 'http or https; redirects are not followed',
  })
  @IsString()
  @MaxLength(URL_MAX)
  @IsUrl(
    { protocols: ['http', 'https'], require_protocol: true, require_tld: false },
    { message: 'url must be an http or https URL' },
  )
  url: string;

  @ApiProperty({ enum: WEBHOOK_EVENTS, isArray: true, example: ['alert.created'] })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(WEBHOOK_EVENTS.length)
  @ArrayUnique()
  @IsIn(WEBHOOK_EVENTS, {
    each: true,
    message: `each value in events must be one of: ${WEBHOOK_EVENTS.join(', ')}`,
  })
  events: AlertEvent[];

  @ApiPropertyOptional({
    type: WebhookFilterDto,
    description:
      'Only alerts matching every condition (the filters of `GET /api/alerts`, without the time window); none: every alert',
  })
  @IfPresent()
  @IsObject()
  @ValidateNested()
  @Type(() => WebhookFilterDto)
  filter?: WebhookFilterDto;

  @ApiPropertyOptional({
    enum: WEBHOOK_FORMATS,
    default: 'standard',
    description:
      '`standard`: `{type, timestamp, data: {alerts}}`; `slack`: a Slack incoming-webhook message (`text`, `blocks`)',
  })
  @IfPresent()
  @IsIn(WEBHOOK_FORMATS)
  format?: WebhookFormat;

  @ApiPropertyOptional({ default: true })
  @IfPresent()
  @IsBoolean()
  enabled?: boolean;
}

export class UpdateWebhookDto extends PartialType(CreateWebhookDto) {}

export class WebhookDto {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty()
  url: string;

  @ApiProperty({ enum: WEBHOOK_EVENTS, isArray: true })
  events: AlertEvent[];

  @ApiProperty({ type: WebhookFilterViewDto })
  filter: WebhookFilterViewDto;

  @ApiProperty({ enum: WEBHOOK_FORMATS })
  format: WebhookFormat;

  @ApiProperty({ description: 'false when disabled by an admin or paused after failures' })
  enabled: boolean;

  @ApiProperty({ type: 'integer', description: 'Deliveries given up on since the last success' })
  consecutive_failures: number;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  paused_at: string | null;

  @ApiProperty({
    type: String,
    nullable: true,
    description: 'Why the subscription was paused; enabling it again clears this',
  })
  paused_reason: string | null;

  @ApiProperty({ type: String, nullable: true, description: 'The admin who created it' })
  created_by: string | null;

  @ApiProperty({ format: 'date-time' })
  created_at: string;

  @ApiProperty({ format: 'date-time' })
  updated_at: string;

  static from(subscription: WebhookSubscription): WebhookDto {
    return {
      id: subscription.id,
      url: subscription.url,
      events: subscription.events,
      filter: fromWebhookFilter(subscription.filter),
      format: subscription.format,
      enabled: subscription.enabled,
      consecutive_failures: subscription.consecutiveFailures,
      paused_at: subscription.pausedAt?.toISOString() ?? null,
      paused_reason: subscription.pausedReason,
      created_by: subscription.createdBy,
      created_at: subscription.createdAt.toISOString(),
      updated_at: subscription.updatedAt.toISOString(),
    };
  }
}

export class CreatedWebhookDto extends WebhookDto {
  @ApiProperty({
    example: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
    description:
      'The signing secret (Standard Webhooks), shown this once: receivers verify `webhook-signature` with it',
  })
  secret: string;
}

export class WebhookListDto {
  @ApiProperty({ type: [WebhookDto] })
  webhooks: WebhookDto[];
}
