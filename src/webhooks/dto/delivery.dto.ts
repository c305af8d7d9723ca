// The delivery log of a subscription.
import { ApiProperty } from '@nestjs/swagger';
import { PageMetaDto } from '../../common/pagination/page-meta.dto.js';
import { PageQueryDto, type PagingOptions } from '../../common/pagination/page-query.dto.js';
import { EnumQuery } from '../../common/validation/query-fields.js';
import type { WebhookEventType } from '../webhook-payload.js';
import type { DeliveryRow, DeliveryStatus } from '../webhook.repository.js';

export const DELIVERY_STATUSES = ['pending', 'delivered', 'failed'] as const;
const EVENT_TYPES = ['alert.created', 'alert.changed', 'webhook.test'] as const;

export const DELIVERY_PAGING: PagingOptions = {
  sortable: ['created_at'],
  defaultSort: '-created_at',
  defaultLimit: 50,
  maxLimit: 200,
  maxOffset: 10_000,
};

class DeliveryFilterDto {
  @EnumQuery(DELIVERY_STATUSES)
  status?: DeliveryStatus;
}

export class ListDeliveriesQueryDto extends PageQueryDto(DELIVERY_PAGING, DeliveryFilterDto) {}

export class DeliveryDto {
  @ApiProperty({ format: 'uuid', description: 'The `webhook-id` every attempt of it carries' })
  id: string;

  @ApiProperty({ format: 'uuid' })
  subscription_id: string;

  @ApiProperty({ enum: EVENT_TYPES })
  type: WebhookEventType;

  @ApiProperty({
    type: [String],
    format: 'uuid',
    description: 'The alerts it reports (at most 100)',
  })
  alert_ids: string[];

  @ApiProperty({
    enum: DELIVERY_STATUSES,
    description: '`pending` until delivered (2xx) or given up on (`failed`)',
  })
  status: DeliveryStatus;

  @ApiProperty({ type: 'integer', description: 'Attempts made (or under way)' })
  attempts: number;

  @ApiProperty({ format: 'date-time', description: 'When it was written, with its alerts' })
  created_at: string;

  @ApiProperty({
    type: String,
    format: 'date-time',
    nullable: true,
    description: 'When a pending delivery is (re)tried next',
  })
  next_attempt_at: string | null;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  last_attempt_at: string | null;

  @ApiProperty({
    type: 'integer',
    nullable: true,
    description: 'The last answer; null when none came',
  })
  last_status_code: number | null;

  @ApiProperty({ type: String, nullable: true })
  last_error: string | null;

  @ApiProperty({ type: 'integer', nullable: true, description: "The last attempt's round trip" })
  latency_ms: number | null;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  delivered_at: string | null;

  static from(row: DeliveryRow): DeliveryDto {
    return {
      id: row.id,
      subscription_id: row.subscription_id,
      type: row.type,
      alert_ids: row.alert_ids,
      status: row.status,
      attempts: row.attempts,
      created_at: row.created_at.toISOString(),
      next_attempt_at: row.status === 'pending' ? row.next_attempt_at.toISOString() : null,
      last_attempt_at: row.last_attempt_at?.toISOString() ?? null,
      last_status_code: row.last_status_code,
      last_error: row.last_error,
      latency_ms: row.latency_ms,
      delivered_at: row.delivered_at?.toISOString() ?? null,
    };
  }
}

export class DeliveryPageDto extends PageMetaDto {
  @ApiProperty({ type: [DeliveryDto] })
  deliveries: DeliveryDto[];
}
