import { MigrationInterface, QueryRunner } from 'typeorm';
import { LIVE_CHANNEL } from './1764500000200-live-events.js';

/**
 * Incidents in the live stream: `incident.created` and `incident.changed` rows in `live_events`,
 * written by statement-level triggers on `incidents` as the alerts' are on `alerts` (one row a
 * statement, in the writing transaction). A change is one a reader sees: status, assignee,
 * resolution, severity, its alert count or its window (the grouping grows incidents as alerts
 * arrive: one row for every incident a page grew).
 */
export class IncidentLiveEvents1764500000300 implements MigrationInterface {
  name = 'IncidentLiveEvents1764500000300';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE FUNCTION live_incidents_created() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        INSERT INTO live_events (type, ids)
        SELECT 'incident.created', array_agg(n.id ORDER BY n.created_at, n.id)
        FROM new_rows n HAVING count(*) > 0;
        IF FOUND THEN PERFORM pg_notify('${LIVE_CHANNEL}', ''); END IF;
        RETURN NULL;
      END $$`);
    await db.query(`
      CREATE FUNCTION live_incidents_changed() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        INSERT INTO live_events (type, ids)
        SELECT 'incident.changed', array_agg(n.id ORDER BY n.id)
        FROM new_rows n JOIN old_rows o ON o.id = n.id
        WHERE (n.status, n.assignee_id, n.resolution, n.severity, n.alert_count, n.window_start,
               n.window_end)
          IS DISTINCT FROM (o.status, o.assignee_id, o.resolution, o.severity, o.alert_count,
                            o.window_start, o.window_end)
        HAVING count(*) > 0;
        IF FOUND THEN PERFORM pg_notify('${LIVE_CHANNEL}', ''); END IF;
        RETURN NULL;
      END $$`);
    await db.query(`
      CREATE TRIGGER incidents_live_created AFTER INSERT ON incidents
      REFERENCING NEW TABLE AS new_rows
      FOR EACH STATEMENT EXECUTE FUNCTION live_incidents_created()`);
    await db.query(`
      CREATE TRIGGER incidents_live_changed AFTER UPDATE ON incidents
      REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
      FOR EACH STATEMENT EXECUTE FUNCTION live_incidents_changed()`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TRIGGER incidents_live_changed ON incidents`);
    await db.query(`DROP TRIGGER incidents_live_created ON incidents`);
    await db.query(`DROP FUNCTION live_incidents_changed()`);
    await db.query(`DROP FUNCTION live_incidents_created()`);
  }
}
