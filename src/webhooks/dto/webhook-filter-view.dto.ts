import { ApiPropertyOptional } from '@nestjs/swagger';
import {
  ALERT_ORIGINS,
  ALERT_STATUSES,
  type AlertOrigin,
  type AlertStatus,
} from '../../alerts/alert.types.js';
import { SEVERITIES, type Severity } from '../../common/severity.js';
import { ENRICHMENT_TYPES, type EnrichmentType } from '../../enrichment/enrichment.types.js';

/** A subscription's filter as the API shows it: the conditions it has, severities as an array. */
export class WebhookFilterViewDto {
  @ApiPropertyOptional({ enum: SEVERITIES, isArray: true })
  severity?: Severity[];

  @ApiPropertyOptional({ enum: ALERT_STATUSES })
  status?: AlertStatus;

  @ApiPropertyOptional()
  source?: string;

  @ApiPropertyOptional({ example: 'DE' })
  country?: string;

  @ApiPropertyOptional()
  user?: string;

  @ApiPropertyOptional({ enum: ENRICHMENT_TYPES })
  enrichment_type?: EnrichmentType;

  @ApiPropertyOptional({ enum: ALERT_ORIGINS })
  origin?: AlertOrigin;

  @ApiPropertyOptional({ description: 'Case-insensitive text in the description' })
  q?: string;
}
