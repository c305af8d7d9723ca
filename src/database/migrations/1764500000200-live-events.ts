import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The live stream's feed (GET /api/stream): one `live_events` row per statement that created or
 * changed alerts, written by statement-level triggers in the writing transaction, so an event
 * exists exactly when its change committed, whoever wrote it (a sync's page, an event, a push, a
 * PATCH, a bulk change). A row names its type and the ids it is about; its id orders the feed and
 * is what clients resume from (`Last-Event-ID`). Rows live for the resumption window only: every
 * replica purges the older ones.
 *
 * The trigger is one INSERT … SELECT over the statement's transition table and a pg_notify (one
 * per transaction: PostgreSQL folds equal notifications), so a 1,000-alert page pays one row, not
 * a thousand. Nothing is rendered here: replicas render an event only when a client is connected.
 *
 * `type` is free text so other resources' events (`incident.created`, `incident.changed`) can use
 * the same table and triggers of their own; `ids` are the alerts (or incidents) the event is
 * about.
 */
export const LIVE_CHANNEL = 'vigil_live';

export class LiveEvents1764500000200 implements MigrationInterface {
  name = 'LiveEvents1764500000200';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE live_events (
        id bigserial PRIMARY KEY,
        type varchar(32) NOT NULL,
        ids uuid[] NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await db.query(`
      CREATE FUNCTION live_alerts_created() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        INSERT INTO live_events (type, ids)
        SELECT 'alert.created', array_agg(n.id ORDER BY n.created_at, n.id)
        FROM new_rows n HAVING count(*) > 0;
        IF FOUND THEN PERFORM pg_notify('${LIVE_CHANNEL}', ''); END IF;
        RETURN NULL;
      END $$`);
    // A change is what the webhook outbox calls one: status, assignee or resolution.
    await db.query(`
      CREATE FUNCTION live_alerts_changed() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        INSERT INTO live_events (type, ids)
        SELECT 'alert.changed', array_agg(n.id ORDER BY n.id)
        FROM new_rows n JOIN old_rows o ON o.id = n.id
        WHERE (n.status, n.assignee_id, n.resolution)
          IS DISTINCT FROM (o.status, o.assignee_id, o.resolution)
        HAVING count(*) > 0;
        IF FOUND THEN PERFORM pg_notify('${LIVE_CHANNEL}', ''); END IF;
        RETURN NULL;
      END $$`);
    await db.query(`
      CREATE TRIGGER alerts_live_created AFTER INSERT ON alerts
      REFERENCING NEW TABLE AS new_rows
      FOR EACH STATEMENT EXECUTE FUNCTION live_alerts_created()`);
    await db.query(`
      CREATE TRIGGER alerts_live_changed AFTER UPDATE ON alerts
      REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
      FOR EACH STATEMENT EXECUTE FUNCTION live_alerts_changed()`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TRIGGER alerts_live_changed ON alerts`);
    await db.query(`DROP TRIGGER alerts_live_created ON alerts`);
    await db.query(`DROP FUNCTION live_alerts_changed()`);
    await db.query(`DROP FUNCTION live_alerts_created()`);
    await db.query(`DROP TABLE live_events`);
  }
}
