import { ApiProperty } from '@nestjs/swagger';
import type { BulkResult, SkipReason } from '../alert-workflow.service.js';

const SKIP_REASONS: SkipReason[] = [
  'resolved_is_final',
  'invalid_transition',
  'unchanged',
  'not_found',
];

export class BulkSkipDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ enum: SKIP_REASONS }) reason: SkipReason;
  @ApiProperty() message: string;
}

export class BulkResultDto implements BulkResult {
  @ApiProperty({
    description: 'Alerts matching the ids or the filter (all of them, also beyond the limit)',
  })
  matched: number;

  @ApiProperty({ description: 'Alerts changed (one history row per field changed)' })
  updated: number;

  @ApiProperty({ type: [BulkSkipDto], description: 'Alerts acted on but left as they were' })
  skipped: BulkSkipDto[];

  @ApiProperty({ description: 'More alerts matched the filter than one call acts on' })
  truncated: boolean;
}
