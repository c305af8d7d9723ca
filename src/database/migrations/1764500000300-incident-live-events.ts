import { MigrationInterface, QueryRunner } from 'typeorm';
import { dropLiveFeedTriggers, liveFeedTriggers } from './1764500000200-live-events.js';

/**
 * Incidents in the live stream: `incident.created` and `incident.changed` rows in `live_events`,
 * written by statement-level triggers on `incidents` as the alerts' are on `alerts` (one row a
 * statement, in the writing transaction). A change is one a reader sees: status, assignee,
 * resolution, severity, its alert count or its window (the grouping grows incidents as alerts
 * arrive: one row for every incident a page grew).
 */
/** The incident columns whose change is an `incident.changed` event. */
export const INCIDENT_LIVE_CHANGES = [
  'status',
  'assignee_id',
  'resolution',
  'severity',
  'alert_count',
  'window_start',
  'window_end',
];

export class IncidentLiveEvents1764500000300 implements MigrationInterface {
  name = 'IncidentLiveEvents1764500000300';

  async up(db: QueryRunner): Promise<void> {
    for (const statement of liveFeedTriggers('incidents', 'incident', INCIDENT_LIVE_CHANGES))
      await db.query(statement);
  }

  async down(db: QueryRunner): Promise<void> {
    for (const statement of dropLiveFeedTriggers('incidents')) await db.query(statement);
  }
}
