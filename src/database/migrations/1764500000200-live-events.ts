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

/**
 * The feed's triggers on `table`: `<resource>.created` rows for its inserts (ids in creation
 * order) and `<resource>.changed` rows for updates that change one of `changed` (a change the
 * reader sees), one row a statement, each with a notification.
 */
export function liveFeedTriggers(table: string, resource: string, changed: string[]): string[] {
  const created = `live_${table}_created`;
  const updated = `live_${table}_changed`;
  const columns = (alias: string) => changed.map((c) => `${alias}.${c}`).join(', ');
  return [
    `CREATE FUNCTION ${created}() RETURNS trigger LANGUAGE plpgsql AS $$
     BEGIN
       INSERT INTO live_events (type, ids)
       SELECT '${resource}.created', array_agg(n.id ORDER BY n.created_at, n.id)
       FROM new_rows n HAVING count(*) > 0;
       IF FOUND THEN PERFORM pg_notify('${LIVE_CHANNEL}', ''); END IF;
       RETURN NULL;
     END $$`,
    `CREATE FUNCTION ${updated}() RETURNS trigger LANGUAGE plpgsql AS $$
     BEGIN
       INSERT INTO live_events (type, ids)
       SELECT '${resource}.changed', array_agg(n.id ORDER BY n.id)
       FROM new_rows n JOIN old_rows o ON o.id = n.id
       WHERE (${columns('n')}) IS DISTINCT FROM (${columns('o')})
       HAVING count(*) > 0;
       IF FOUND THEN PERFORM pg_notify('${LIVE_CHANNEL}', ''); END IF;
       RETURN NULL;
     END $$`,
    `CREATE TRIGGER ${table}_live_created AFTER INSERT ON ${table}
     REFERENCING NEW TABLE AS new_rows
     FOR EACH STATEMENT EXECUTE FUNCTION ${created}()`,
    `CREATE TRIGGER ${table}_live_changed AFTER UPDATE ON ${table}
     REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
     FOR EACH STATEMENT EXECUTE FUNCTION ${updated}()`,
  ];
}

/** What liveFeedTriggers made on `table`, undone. */
export function dropLiveFeedTriggers(table: string): string[] {
  return [
    `DROP TRIGGER ${table}_live_changed ON ${table}`,
    `DROP TRIGGER ${table}_live_created ON ${table}`,
    `DROP FUNCTION live_${table}_changed()`,
    `DROP FUNCTION live_${table}_created()`,
  ];
}

/** The alert columns whose change is an `alert.changed` event (the webhook outbox's, too). */
export const ALERT_LIVE_CHANGES = ['status', 'assignee_id', 'resolution'];

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
    for (const statement of liveFeedTriggers('alerts', 'alert', ALERT_LIVE_CHANGES))
      await db.query(statement);
  }

  async down(db: QueryRunner): Promise<void> {
    for (const statement of dropLiveFeedTriggers('alerts')) await db.query(statement);
    await db.query(`DROP TABLE live_events`);
  }
}
