import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Incidents: alerts grouped by correlation rules as they are stored.
 *
 * - `correlation_rules`: which alert fields make the key (`src_ip`, `dst_ip`, `user`, with or
 *   without `source`), the window, on or off, and the order rules are tried in (`position`): an
 *   alert goes to the first enabled rule whose key fields it all has, so it is in at most one
 *   incident.
 * - `incidents`: one rule's key (`group_key`, the key fields' values as canonical JSON text) over
 *   one window `[window_start, window_end)`. The window starts at the incident's first alert and
 *   lasts the rule's window, cut short where a later incident of the same key begins; an alert
 *   arriving late, a little before the window, moves it back when every alert still fits. The
 *   open windows of one rule and key are disjoint: one transaction at a time groups by a rule
 *   (an advisory lock held to its commit), so two replicas storing alerts of one key at once
 *   cannot make two incidents for it. A resolved incident takes no more alerts: one arriving in
 *   its window starts a new incident.
 * - `incident_alerts`: which incident an alert is in (its primary key is the alert). A table of
 *   its own rather than a column of `alerts`: grouping after the insert writes one narrow row per
 *   alert instead of a second version of a wide row with twelve indexes, and a merge or a move
 *   rewrites only these rows. No foreign keys here (nor on `incidents.rule_id`): their checks,
 *   one query per row, cost the grouping 13 ms a 1,000-alert page. The rows are written only by
 *   the grouping (ids it just read) and the incident workflow; an alert's deletion (retention)
 *   takes its row with it by the trigger below, which also recounts its incident and deletes one
 *   left empty, and a rule's deletion clears `rule_id` in its transaction.
 * - `incident_history`: append-only, as `alert_history`.
 *
 * The statement-level AFTER INSERT trigger on `alerts` groups the statement's alerts in its
 * transaction (a sync's page, an event, a push: whoever inserts), set-based, rule by rule.
 */
export const SEVERITIES = `ARRAY['low', 'medium', 'high', 'critical']`;

/** The advisory lock class of the grouping (the second key is the rule's). */
export const LOCK_CLASS = 16_001;

/**
 * The incidents the `matched` alerts (alert_id, created_at, rank, incident_id) join, grown by
 * them (count, severity, window moved back, first and last alert), and the alerts' rows: two CTEs
 * of the grouping statement (`grown`, `joined`).
 */
export const GROW_MATCHED = `grown AS (
  UPDATE incidents i SET
    alert_count = i.alert_count + g.n,
    severity = (${SEVERITIES})[greatest(g.rank,
                 array_position(${SEVERITIES}, i.severity::text))],
    window_start = least(i.window_start, g.first_at),
    window_end = CASE WHEN g.first_at < i.window_start
      THEN least(g.first_at + r.width, i.window_end) ELSE i.window_end END,
    first_alert_at = least(i.first_alert_at, g.first_at),
    last_alert_at = greatest(i.last_alert_at, g.last_at),
    updated_at = now()
  FROM (SELECT m.incident_id, count(*)::int AS n, max(m.rank) AS rank,
               min(m.created_at) AS first_at, max(m.created_at) AS last_at
        FROM matched m GROUP BY m.incident_id) g
  WHERE i.id = g.incident_id
), joined AS (
  -- Every matched incident is locked and open: the update above grows each.
  INSERT INTO incident_alerts (alert_id, incident_id)
  SELECT m.alert_id, m.incident_id FROM matched m`;

/** The alert `n`'s key for rule `r` (only the rule's fields), as canonical JSON text. */
const KEY = `jsonb_strip_nulls(jsonb_build_object(
    'src_ip', CASE WHEN 'src_ip' = ANY (r.keys) THEN host(n.src_ip) END,
    'dst_ip', CASE WHEN 'dst_ip' = ANY (r.keys) THEN host(n.dst_ip) END,
    'user', CASE WHEN 'user' = ANY (r.keys) THEN n.user_name END,
    'source', CASE WHEN 'source' = ANY (r.keys) THEN n.source END))`;

/** Where the next open incident of rule `r` and key `key` after `instant` begins (null: none). */
export const nextStart = (
  key: string,
  instant: string,
) => `(SELECT min(i.window_start) FROM incidents i
    WHERE i.rule_id = r.id AND i.group_key = ${key} AND i.status <> 'resolved'
      AND i.window_start > ${instant})`;

/** Which of the key fields alert `n` has, as bits: src_ip 1, dst_ip 2, user 4. */
export const FIELDS = `(CASE WHEN n.src_ip IS NULL THEN 0 ELSE 1 END
    | CASE WHEN n.dst_ip IS NULL THEN 0 ELSE 2 END
    | CASE WHEN n.user_name IS NULL THEN 0 ELSE 4 END)`;

/** The same bits for the fields a rule's `keys` name. */
export const maskOf = (keys: string) => `(CASE WHEN 'src_ip' = ANY (${keys}) THEN 1 ELSE 0 END
    | CASE WHEN 'dst_ip' = ANY (${keys}) THEN 2 ELSE 0 END
    | CASE WHEN 'user' = ANY (${keys}) THEN 4 ELSE 0 END)`;

/**
 * The grouping of the alerts in `keyed` (id, created_at, rank, k: the alert's key) by rule `r`
 * (id, name, width), the rest of one statement after its `keyed` CTE (see the function below).
 */
const GROUP_KEYED_ALERTS = `candidates AS (
                -- The incident holding the alert, or the next one when the alert is a little
                -- earlier than it (one index probe per alert).
                SELECT k.id AS alert_id, k.created_at, k.rank, c.id AS incident_id
                FROM keyed k CROSS JOIN LATERAL (
                  SELECT i.id FROM incidents i
                  WHERE i.rule_id = r.id AND i.group_key = k.k AND i.status <> 'resolved'
                    AND i.window_start > k.created_at - r.width
                    AND i.window_start < k.created_at + r.width
                    AND k.created_at < i.window_end
                    AND (k.created_at >= i.window_start
                         OR i.last_alert_at < k.created_at + r.width)
                  ORDER BY i.window_start
                  LIMIT 1) c
              ), locked AS (
                -- Locked in id order (as every incident lock is taken), and checked again as
                -- locked: one resolved meanwhile takes no more alerts.
                SELECT i.id, i.window_start, i.window_end, i.last_alert_at FROM incidents i
                WHERE i.id IN (SELECT incident_id FROM candidates) AND i.status <> 'resolved'
                ORDER BY i.id
                FOR NO KEY UPDATE
              ), fitting AS (
                SELECT c.*, l.window_start, l.last_alert_at,
                       min(c.created_at) OVER (PARTITION BY c.incident_id) AS first_at,
                       max(c.created_at) OVER (PARTITION BY c.incident_id) AS last_at
                FROM candidates c JOIN locked l ON l.id = c.incident_id
                WHERE c.created_at < l.window_end
                  AND (c.created_at >= l.window_start
                       OR l.last_alert_at < c.created_at + r.width)
              ), matched AS (
                -- Earlier alerts move the window back only if every alert, old and new, fits.
                SELECT f.alert_id, f.created_at, f.rank, f.incident_id FROM fitting f
                WHERE f.created_at >= f.window_start
                   OR greatest(f.last_alert_at, f.last_at) < f.first_at + r.width
              ), ${GROW_MATCHED}
              ), rest AS (
                SELECT k.* FROM keyed k WHERE k.id NOT IN (SELECT alert_id FROM matched)
              ), per_key AS (
                SELECT k, array_agg(created_at ORDER BY created_at) AS ts FROM rest GROUP BY k
              ), windows (k, ts, start, finish) AS (
                SELECT p.k, p.ts, p.ts[1], least(p.ts[1] + r.width, ${nextStart('p.k', 'p.ts[1]')})
                FROM per_key p
                UNION ALL
                SELECT w.k, w.ts, f.start, least(f.start + r.width, ${nextStart('w.k', 'f.start')})
                FROM windows w
                CROSS JOIN LATERAL (SELECT min(t) AS start FROM unnest(w.ts) t
                                    WHERE t >= w.finish) f
                WHERE f.start IS NOT NULL
              ), numbered AS (
                -- Each new window's incident id, drawn once (a CTE read twice is materialised).
                SELECT w.k, w.start, w.finish, gen_random_uuid() AS incident_id FROM windows w
              ), members AS (
                SELECT w.incident_id, w.k, w.start, w.finish, x.id, x.created_at, x.rank
                FROM numbered w JOIN rest x
                  ON x.k = w.k AND x.created_at >= w.start AND x.created_at < w.finish
              ), made AS (
                INSERT INTO incidents (id, rule_id, rule_name, group_key, window_start,
                                       window_end, severity, alert_count, first_alert_at,
                                       last_alert_at)
                SELECT m.incident_id, r.id, r.name, m.k, m.start, m.finish,
                       (${SEVERITIES})[max(m.rank)], count(*), min(m.created_at),
                       max(m.created_at)
                FROM members m
                GROUP BY m.incident_id, m.k, m.start, m.finish
              )
              INSERT INTO incident_alerts (alert_id, incident_id)
              SELECT m.id, m.incident_id FROM members m;`;

/**
 * The grouping trigger's function as this migration made it (migration …400 replaces it). Per
 * enabled rule, in order, one statement over the statement's alerts that have the rule's key
 * fields (and not all those of an earlier rule), under the rule's lock:
 * 1. an alert joins the open incident of its key whose window holds it; one a little earlier
 *    than the next incident of its key joins it too when that incident's alerts all still fit
 *    a window starting at the alert, which the incident then moves back to (so the order in
 *    which an upstream delivers one burst does not split it). The incidents are locked in id
 *    order and checked again as locked: one resolved meanwhile takes none.
 * 2. the rest start incidents: per key, a window at the earliest alert left, as long as the
 *    rule's window or up to the next open incident of that key, then the next window at the
 *    first alert after it, and so on.
 * Each lookup is one index probe per alert (or key): the cost does not grow with the table.
 */
export const GROUPING_FUNCTION = `
      CREATE FUNCTION incidents_group_alerts() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE
        r record;
        -- The key fields a rule needs, as bits (src_ip 1, dst_ip 2, user 4; source is always
        -- there); an alert goes to the first rule whose bits it has all of.
        needs int;
        earlier int[] := '{}';
      BEGIN
        FOR r IN SELECT id, name, keys, window_seconds * interval '1 second' AS width
                 FROM correlation_rules WHERE enabled ORDER BY position, id LOOP
          needs := ${maskOf('r.keys')};
          -- One transaction at a time groups by this rule, until it commits: what the one before
          -- made is then visible to the statement below (a new snapshot), so two never make two
          -- incidents for one key and window.
          PERFORM pg_advisory_xact_lock(${LOCK_CLASS}, hashtext(r.id::text));
              WITH RECURSIVE keyed AS (
                SELECT n.id, n.created_at,
                       array_position(${SEVERITIES}, n.severity::text) AS rank,
                       (${KEY})::text AS k
                FROM (SELECT n.*, ${FIELDS} AS has FROM new_rows n) n
                WHERE n.has & needs = needs
                  AND NOT EXISTS (SELECT 1 FROM unnest(earlier) e WHERE n.has & e = e)
              ), ${GROUP_KEYED_ALERTS}
          earlier := earlier || needs;
        END LOOP;
        RETURN NULL;
      END $$`;

export class Incidents1764500000100 implements MigrationInterface {
  name = 'Incidents1764500000100';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE correlation_rules (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        name varchar(100) NOT NULL,
        keys text[] NOT NULL,
        window_seconds int NOT NULL,
        enabled boolean NOT NULL DEFAULT true,
        position int NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT correlation_keys_known CHECK (
          cardinality(keys) BETWEEN 1 AND 4
          AND keys <@ ARRAY['src_ip', 'dst_ip', 'user', 'source']::text[]
          AND keys && ARRAY['src_ip', 'dst_ip', 'user']::text[]),
        CONSTRAINT correlation_window_range CHECK (window_seconds BETWEEN 60 AND 604800)
      )`);
    await db.query(
      `CREATE UNIQUE INDEX correlation_rules_name_key ON correlation_rules (lower(name))`,
    );
    await db.query(`
      INSERT INTO correlation_rules (name, keys, window_seconds, position) VALUES
        ('Same source address', ARRAY['src_ip'], 3600, 1),
        ('Same user', ARRAY['user'], 3600, 2),
        ('Same destination address', ARRAY['dst_ip'], 3600, 3)`);

    await db.query(`
      CREATE TABLE incidents (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        rule_id uuid,
        rule_name varchar(100) NOT NULL,
        group_key text NOT NULL,
        window_start timestamptz NOT NULL,
        window_end timestamptz NOT NULL,
        severity varchar(16) NOT NULL,
        status varchar(16) NOT NULL DEFAULT 'open',
        assignee_id uuid REFERENCES users (id) ON DELETE SET NULL,
        resolution varchar(32),
        alert_count int NOT NULL DEFAULT 0,
        first_alert_at timestamptz NOT NULL,
        last_alert_at timestamptz NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        acknowledged_at timestamptz,
        resolved_at timestamptz,
        version int NOT NULL DEFAULT 1,
        CONSTRAINT incident_window_order CHECK (window_start < window_end),
        CONSTRAINT incident_status_known CHECK (status IN ('open', 'acknowledged', 'resolved')),
        CONSTRAINT incident_severity_known CHECK (severity IN ('low', 'medium', 'high', 'critical')),
        CONSTRAINT incident_resolution_known CHECK (resolution IS NULL OR
          resolution IN ('true_positive', 'false_positive', 'benign', 'duplicate'))
      ) WITH (fillfactor = 70)`);
    // The open incidents of a key by start: the grouping's lookups. Unique: one window per start.
    await db.query(`CREATE UNIQUE INDEX incidents_key_start_idx
      ON incidents (rule_id, group_key, window_start) WHERE status <> 'resolved'`);
    await db.query(`CREATE INDEX incidents_created_idx ON incidents (created_at DESC, id DESC)`);
    await db.query(
      `CREATE INDEX incidents_status_created_idx ON incidents (status, created_at DESC, id DESC)`,
    );

    await db.query(`
      CREATE TABLE incident_alerts (
        alert_id uuid PRIMARY KEY,
        incident_id uuid NOT NULL
      )`);
    await db.query(`CREATE INDEX incident_alerts_incident_idx ON incident_alerts (incident_id)`);

    await db.query(`
      CREATE TABLE incident_history (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        incident_id uuid NOT NULL REFERENCES incidents (id) ON DELETE CASCADE,
        actor_id uuid REFERENCES users (id),
        actor_username varchar(64) NOT NULL,
        at timestamptz NOT NULL DEFAULT now(),
        field varchar(16),
        from_value text,
        to_value text,
        resolution varchar(32),
        note text,
        CONSTRAINT incident_history_field_known
          CHECK (field IS NULL OR field IN ('status', 'assignee', 'merge', 'alert_moved')),
        CONSTRAINT incident_history_note_has_text CHECK (field IS NOT NULL OR note IS NOT NULL)
      )`);
    await db.query(
      `CREATE INDEX incident_history_incident_idx ON incident_history (incident_id, id)`,
    );
    await db.query(`
      CREATE TRIGGER incident_history_append_only
      BEFORE UPDATE OR DELETE ON incident_history
      FOR EACH ROW EXECUTE FUNCTION alert_history_append_only()`);

    await db.query(GROUPING_FUNCTION);
    await db.query(`
      CREATE TRIGGER alerts_group_incidents AFTER INSERT ON alerts
      REFERENCING NEW TABLE AS new_rows
      FOR EACH STATEMENT EXECUTE FUNCTION incidents_group_alerts()`);

    // Deleted alerts (retention) leave their incidents, which are recounted; an incident left
    // with no alert goes too (its history with it: retention declares a purge).
    await db.query(`
      CREATE FUNCTION incidents_alerts_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE
        emptied uuid[];
      BEGIN
        WITH gone AS (
          DELETE FROM incident_alerts ia USING old_rows o WHERE ia.alert_id = o.id
          RETURNING ia.incident_id
        ), recounted AS (
          UPDATE incidents i SET alert_count = i.alert_count - g.n, updated_at = now()
          FROM (SELECT incident_id, count(*)::int AS n FROM gone GROUP BY incident_id) g
          WHERE i.id = g.incident_id
          RETURNING i.id, i.alert_count
        )
        SELECT array_agg(id) INTO emptied FROM recounted WHERE alert_count = 0;
        -- (A statement of its own: one statement cannot change a row twice.)
        DELETE FROM incidents WHERE id = ANY (emptied);
        RETURN NULL;
      END $$`);
    await db.query(`
      CREATE TRIGGER alerts_leave_incidents AFTER DELETE ON alerts
      REFERENCING OLD TABLE AS old_rows
      FOR EACH STATEMENT EXECUTE FUNCTION incidents_alerts_deleted()`);
    await db.query(`
      CREATE FUNCTION incidents_alerts_truncated() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        -- (Not TRUNCATE: a TRUNCATE naming both tables would be refused.)
        DELETE FROM incident_alerts;
        RETURN NULL;
      END $$`);
    await db.query(`
      CREATE TRIGGER alerts_truncate_incidents AFTER TRUNCATE ON alerts
      FOR EACH STATEMENT EXECUTE FUNCTION incidents_alerts_truncated()`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TRIGGER alerts_truncate_incidents ON alerts`);
    await db.query(`DROP FUNCTION incidents_alerts_truncated()`);
    await db.query(`DROP TRIGGER alerts_leave_incidents ON alerts`);
    await db.query(`DROP FUNCTION incidents_alerts_deleted()`);
    await db.query(`DROP TRIGGER alerts_group_incidents ON alerts`);
    await db.query(`DROP FUNCTION incidents_group_alerts()`);
    await db.query(`DROP TABLE incident_history`);
    await db.query(`DROP TABLE incident_alerts`);
    await db.query(`DROP TABLE incidents`);
    await db.query(`DROP TABLE correlation_rules`);
  }
}
