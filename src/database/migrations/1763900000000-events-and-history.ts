import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The SOC workflow: raw events (high and critical ones raise an alert), and the append-only
 * history of every change and note made to an alert.
 */
export class EventsAndHistory1763900000000 implements MigrationInterface {
  name = 'EventsAndHistory1763900000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE events (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        source varchar(64) NOT NULL,
        event_type varchar(64) NOT NULL,
        severity varchar(16) NOT NULL,
        description text NOT NULL,
        occurred_at timestamptz NOT NULL,
        received_at timestamptz NOT NULL DEFAULT now(),
        src_ip inet,
        dst_ip inet,
        attributes jsonb NOT NULL DEFAULT '{}',
        created_by uuid REFERENCES users (id) ON DELETE SET NULL,
        CONSTRAINT events_severity_known CHECK (severity IN ('low', 'medium', 'high', 'critical'))
      )`);
    // Newest-first listing and keyset paging, alone and under the equality filters.
    await db.query(`CREATE INDEX events_occurred_idx ON events (occurred_at DESC, id DESC)`);
    for (const column of ['severity', 'source']) {
      await db.query(
        `CREATE INDEX events_${column}_occurred_idx ON events (${column}, occurred_at DESC, id DESC)`,
      );
    }

    // An event raises at most one alert, and an alert's event exists.
    await db.query(
      `ALTER TABLE alerts ADD CONSTRAINT alerts_event_fk FOREIGN KEY (event_id) REFERENCES events (id) ON DELETE SET NULL`,
    );
    await db.query(
      `CREATE UNIQUE INDEX alerts_event_id_key ON alerts (event_id) WHERE event_id IS NOT NULL`,
    );
    await db.query(
      `CREATE INDEX alerts_origin_created_idx ON alerts (origin, created_at DESC, id DESC)`,
    );

    // One row per changed field, or per note (field NULL). Users are deactivated, not deleted; the
    // actor's username is kept beside the id so the record reads on its own. A status change to
    // 'resolved' carries its resolution.
    await db.query(`
      CREATE TABLE alert_history (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        alert_id uuid NOT NULL REFERENCES alerts (id) ON DELETE CASCADE,
        actor_id uuid REFERENCES users (id),
        actor_username varchar(64) NOT NULL,
        at timestamptz NOT NULL DEFAULT now(),
        field varchar(16),
        from_value text,
        to_value text,
        resolution varchar(32),
        note text,
        CONSTRAINT alert_history_field_known CHECK (field IS NULL OR field IN ('status', 'assignee')),
        CONSTRAINT alert_history_note_has_text CHECK (field IS NOT NULL OR note IS NOT NULL)
      )`);
    await db.query(`CREATE INDEX alert_history_alert_idx ON alert_history (alert_id, id)`);
    // Stats read the first acknowledgement and resolution of each alert.
    await db.query(
      `CREATE INDEX alert_history_status_idx ON alert_history (alert_id, to_value, at) WHERE field = 'status'`,
    );

    // Append-only, enforced by the database: no UPDATE ever, and DELETE only inside a transaction
    // that declares a purge (SET LOCAL vigil.history_purge = 'on'), which is what the retention
    // job does when it deletes old alerts (their history goes by ON DELETE CASCADE).
    await db.query(`
      CREATE FUNCTION alert_history_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP = 'DELETE' AND current_setting('vigil.history_purge', true) = 'on' THEN
          RETURN OLD;
        END IF;
        RAISE EXCEPTION 'alert_history is append-only (% refused)', TG_OP
          USING ERRCODE = 'insufficient_privilege';
      END
      $$`);
    await db.query(`
      CREATE TRIGGER alert_history_append_only
      BEFORE UPDATE OR DELETE ON alert_history
      FOR EACH ROW EXECUTE FUNCTION alert_history_append_only()`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE alert_history`);
    await db.query(`DROP FUNCTION alert_history_append_only()`);
    await db.query(`DROP INDEX alerts_origin_created_idx`);
    await db.query(`DROP INDEX alerts_event_id_key`);
    await db.query(`ALTER TABLE alerts DROP CONSTRAINT alerts_event_fk`);
    await db.query(`DROP TABLE events`);
  }
}
