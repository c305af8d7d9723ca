import { IntegerQuery } from '../../common/validation/query-fields.js';

export const STATS_DEFAULT_HOURS = 24;
export const STATS_MAX_HOURS = 720;

/** `GET /api/alerts/stats`. */
export class AlertStatsQueryDto {
  @IntegerQuery(1, STATS_MAX_HOURS, {
    default: STATS_DEFAULT_HOURS,
    example: STATS_DEFAULT_HOURS,
    description: 'The window: alerts created (`created_at`) in the last N hours',
  })
  hours?: number;
}
