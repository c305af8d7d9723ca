import { MigrationInterface, QueryRunner } from 'typeorm';
import { COLUMNS, rollupFunction, TRIGGERS } from './1764300000000-alert-rollups.js';
import { CHANGED_OUTBOX_FUNCTION, outboxFunction } from './1764400000200-webhooks.js';
import {
  FIELDS,
  GROUPING_FUNCTION,
  GROW_MATCHED,
  LOCK_CLASS,
  maskOf,
  nextStart,
  SEVERITIES,
} from './1764500000100-incidents.js';
import { ALERT_LIVE_CHANGES, LIVE_CHANNEL, liveFeedTriggers } from './1764500000200-live-events.js';
import { INCIDENT_LIVE_CHANGES } from './1764500000300-incident-live-events.js';

/**
 * Statement triggers whose cost cannot depend on the plan PL/pgSQL cached.
 *
 * PL/pgSQL plans a trigger's statement once per connection and keeps the plan; a transition
 * table is not a parameter, so the plan is never made again for another size. The triggers that
 * compared an UPDATE's old and new rows joined `old_rows` and `new_rows` on `id`: on a connection
 * whose first such statement changed one row (a PATCH), the cached plan was a nested loop, and a
 * later bulk change of 8,000 alerts on that connection compared 64 million pairs in each trigger
 * (67 s instead of 0.9 s, measured); the grouping's page, which grows a few hundred incidents,
 * paid 45 ms for its live event that way (its first page had grown none).
 *
 * Rewritten without joining the two tables, so every plan is a sort or a hash, whatever it was
 * planned for:
 * - the changed rows are found by one window over both tables: a row whose watched columns did
 *   not change has two identical copies (old and new), a changed one two different ones;
 * - the rollups add the old rows as -1 and the new as +1: an unchanged row cancels out in their
 *   sums, which already drop zero rows.
 *
 * The grouping itself is rewritten with a cheaper key (the same text) and rule precedence as a
 * bit test; see below.
 */

/**
 * The statement's new rows (with two more columns, `after` and `copies`) of which one of
 * `columns` changed, from an UPDATE trigger's `old_rows` and `new_rows`, joined on nothing.
 */
export const changedRows = (columns: string[]) => `
  SELECT x.* FROM (
    SELECT b.*, count(*) OVER (PARTITION BY b.id, ${columns.map((c) => `b.${c}`).join(', ')}) AS copies
    FROM (SELECT true AS after, n.* FROM new_rows n
          UNION ALL SELECT false AS after, o.* FROM old_rows o) b
  ) x
  WHERE x.after AND x.copies = 1`;

const liveChangedFunction = (table: string, resource: string, changed: string[]) => `
  CREATE OR REPLACE FUNCTION live_${table}_changed() RETURNS trigger LANGUAGE plpgsql AS $$
  BEGIN
    INSERT INTO live_events (type, ids)
    SELECT '${resource}.changed', array_agg(c.id ORDER BY c.id)
    FROM (${changedRows(changed)}) c
    HAVING count(*) > 0;
    IF FOUND THEN PERFORM pg_notify('${LIVE_CHANNEL}', ''); END IF;
    RETURN NULL;
  END $$`;

/** An UPDATE's change to the rollups: the old rows out, the new rows in. */
const ROLLUP_UPDATE = `SELECT -1 AS sign, ${COLUMNS} FROM old_rows
    UNION ALL
    SELECT 1 AS sign, ${COLUMNS} FROM new_rows`;

/**
 * The alert `n`'s key for rule `r`, as text: the same text as the canonical JSON migration …100
 * built (`jsonb_strip_nulls(jsonb_build_object(…))::text`, which stays what incidents hold), a
 * quarter of its cost. jsonb orders keys by length, then bytes: user, dst_ip, source, src_ip;
 * `to_json` escapes a string as jsonb prints it; an address needs no escaping. A grouped alert
 * has every field its rule names (source always), so no value is null.
 */
const KEY_TEXT = `'{' || concat_ws(', ',
    CASE WHEN 'user' = ANY (r.keys) THEN '"user": ' || to_json(n.user_name)::text END,
    CASE WHEN 'dst_ip' = ANY (r.keys) THEN '"dst_ip": "' || host(n.dst_ip) || '"' END,
    CASE WHEN 'source' = ANY (r.keys) THEN '"source": ' || to_json(n.source)::text END,
    CASE WHEN 'src_ip' = ANY (r.keys) THEN '"src_ip": "' || host(n.src_ip) || '"' END) || '}'`;

/**
 * The earliest of `joined` (a key's alerts that joined incidents in this statement) after
 * `instant`: where the key's next incident begins if one of them moved it back. (An incident
 * holding `instant` would have taken the alert at `instant`: so each incident that took one of
 * these alerts begins after `instant`, at the earliest of its old start and its alerts.)
 */
const joinedAfter = (joined: string, instant: string) =>
  `(SELECT min(t) FROM unnest(${joined}) t WHERE t > ${instant})`;

/**
 * The grouping of migration …100: the same rules, steps and locks, each join of two of the
 * statement's own row sets (whose sizes the planner guesses at one or five rows, whatever they
 * are) replaced, so that no plan can be quadratic:
 * - the candidates' incidents are locked and read in one index probe per alert (they were read
 *   into a set of their own and joined back to the alerts);
 * - a key's new windows carry its alerts as arrays in time order and each window takes a slice
 *   of them (the alerts were joined to the windows by key and range).
 * The key is built as text (`KEY_TEXT`), and rule precedence is one bit test: `taken` has bit h
 * set when an earlier rule took the alerts whose key fields are the set h (an unnest per alert
 * before).
 *
 * One fix: an alert that moved the next incident of its key back, and an earlier alert of the key
 * in the same statement that started a window, made two overlapping windows: the new window was
 * cut short where the statement's snapshot still saw that incident begin. It now ends where the
 * incident begins after the move (`joinedAfter`). The three-replica property found it.
 */
const GROUPING = `
  CREATE OR REPLACE FUNCTION incidents_group_alerts() RETURNS trigger LANGUAGE plpgsql AS $$
  DECLARE
    r record;
    -- The key fields a rule needs, as bits (src_ip 1, dst_ip 2, user 4; source is always there).
    needs int;
    -- Bit h: the alerts with the key fields h (0-7) went to an earlier rule.
    taken int := 0;
  BEGIN
    FOR r IN SELECT id, name, keys, window_seconds * interval '1 second' AS width
             FROM correlation_rules WHERE enabled ORDER BY position, id LOOP
      needs := ${maskOf('r.keys')};
      -- One transaction at a time groups by this rule, to its commit (see migration …100).
      PERFORM pg_advisory_xact_lock(${LOCK_CLASS}, hashtext(r.id::text));
      WITH RECURSIVE keyed AS (
        SELECT n.id, n.created_at, array_position(${SEVERITIES}, n.severity::text) AS rank,
               ${KEY_TEXT} AS k
        FROM (SELECT n.id, n.created_at, n.severity, n.src_ip, n.dst_ip, n.user_name, n.source,
                     ${FIELDS} AS has
              FROM new_rows n) n
        WHERE n.has & needs = needs AND (taken >> n.has) & 1 = 0
      ), candidates AS (
        -- The incident holding the alert, or the next one when the alert is a little earlier
        -- than it (one index probe per alert).
        SELECT k.id AS alert_id, k.created_at, k.rank, k.k, c.id AS incident_id
        FROM keyed k CROSS JOIN LATERAL (
          SELECT i.id FROM incidents i
          WHERE i.rule_id = r.id AND i.group_key = k.k AND i.status <> 'resolved'
            AND i.window_start > k.created_at - r.width
            AND i.window_start < k.created_at + r.width
            AND k.created_at < i.window_end
            AND (k.created_at >= i.window_start OR i.last_alert_at < k.created_at + r.width)
          ORDER BY i.window_start
          LIMIT 1) c
      ), locked AS (
        -- Locked in id order (as every incident lock is taken) and read as locked: one resolved
        -- meanwhile takes no more alerts.
        SELECT c.alert_id, c.created_at, c.rank, c.k, i.id AS incident_id, i.window_start,
               i.window_end, i.last_alert_at
        FROM candidates c JOIN incidents i ON i.id = c.incident_id
        WHERE i.status <> 'resolved'
        ORDER BY i.id
        FOR NO KEY UPDATE OF i
      ), fitting AS (
        SELECT l.*, min(l.created_at) OVER (PARTITION BY l.incident_id) AS first_at,
               max(l.created_at) OVER (PARTITION BY l.incident_id) AS last_at
        FROM locked l
        WHERE l.created_at < l.window_end
          AND (l.created_at >= l.window_start OR l.last_alert_at < l.created_at + r.width)
      ), matched AS (
        -- Earlier alerts move the window back only if every alert, old and new, fits.
        SELECT f.alert_id, f.created_at, f.rank, f.k, f.incident_id FROM fitting f
        WHERE f.created_at >= f.window_start
           OR greatest(f.last_alert_at, f.last_at) < f.first_at + r.width
      ), ${GROW_MATCHED}
      ), per_key AS (
        -- The rest start incidents: each key's alerts in time order, and when the key's
        -- matched alerts are (an incident that one moves back begins at it: the snapshot
        -- below still sees the incident where it was).
        SELECT u.k,
               array_agg(u.id ORDER BY u.created_at, u.id) FILTER (WHERE u.rest) AS ids,
               array_agg(u.created_at ORDER BY u.created_at, u.id) FILTER (WHERE u.rest) AS ts,
               array_agg(u.rank ORDER BY u.created_at, u.id) FILTER (WHERE u.rest) AS ranks,
               array_agg(u.created_at) FILTER (WHERE NOT u.rest) AS joined
        FROM (SELECT k.k, k.id, k.created_at, k.rank, true AS rest FROM keyed k
              WHERE k.id NOT IN (SELECT alert_id FROM matched)
              UNION ALL
              SELECT m.k, m.alert_id, m.created_at, m.rank, false FROM matched m) u
        GROUP BY u.k
        HAVING bool_or(u.rest)
      ), windows (k, ids, ts, ranks, joined, lo, finish) AS (
        -- A window at the key's first alert (ts[lo]), as long as the rule's or up to the key's
        -- next open incident; the next at the first alert at or after its end, and so on.
        SELECT p.k, p.ids, p.ts, p.ranks, p.joined, 1,
               least(p.ts[1] + r.width, ${nextStart('p.k', 'p.ts[1]')},
                     ${joinedAfter('p.joined', 'p.ts[1]')})
        FROM per_key p
        UNION ALL
        SELECT w.k, w.ids, w.ts, w.ranks, w.joined, f.lo,
               least(w.ts[f.lo] + r.width, ${nextStart('w.k', 'w.ts[f.lo]')},
                     ${joinedAfter('w.joined', 'w.ts[f.lo]')})
        FROM windows w
        CROSS JOIN LATERAL (SELECT min(i) AS lo FROM generate_subscripts(w.ts, 1) i
                            WHERE i > w.lo AND w.ts[i] >= w.finish) f
        WHERE f.lo IS NOT NULL
      ), numbered AS (
        -- Each window's alerts: its slice up to the next window's first. Its incident id drawn
        -- once (a CTE read twice is materialised).
        SELECT w.k, w.finish, gen_random_uuid() AS incident_id,
               w.ids[w.lo:w.hi] AS ids, w.ts[w.lo:w.hi] AS ts, w.ranks[w.lo:w.hi] AS ranks
        FROM (SELECT w.*, coalesce(lead(w.lo) OVER (PARTITION BY w.k ORDER BY w.lo) - 1,
                                   cardinality(w.ts)) AS hi
              FROM windows w) w
      ), made AS (
        INSERT INTO incidents (id, rule_id, rule_name, group_key, window_start, window_end,
                               severity, alert_count, first_alert_at, last_alert_at)
        SELECT w.incident_id, r.id, r.name, w.k, w.ts[1], w.finish,
               (${SEVERITIES})[(SELECT max(x) FROM unnest(w.ranks) x)], cardinality(w.ids),
               w.ts[1], w.ts[cardinality(w.ts)]
        FROM numbered w
      )
      INSERT INTO incident_alerts (alert_id, incident_id)
      SELECT a.id, w.incident_id FROM numbered w CROSS JOIN LATERAL unnest(w.ids) a (id);
      FOR h IN 0..7 LOOP
        IF h & needs = needs THEN taken := taken | (1 << h); END IF;
      END LOOP;
    END LOOP;
    RETURN NULL;
  END $$`;

/** A CREATE FUNCTION of an earlier migration, replacing the function of that name. */
const orReplace = (sql: string) => sql.replace('CREATE FUNCTION', 'CREATE OR REPLACE FUNCTION');

export class TransitionTables1764500000400 implements MigrationInterface {
  name = 'TransitionTables1764500000400';

  async up(db: QueryRunner): Promise<void> {
    await db.query(liveChangedFunction('alerts', 'alert', ALERT_LIVE_CHANGES));
    await db.query(liveChangedFunction('incidents', 'incident', INCIDENT_LIVE_CHANGES));
    await db.query(
      orReplace(
        outboxFunction(
          'webhook_outbox_changed',
          'alert.changed',
          `(${changedRows(ALERT_LIVE_CHANGES)}) n`,
        ),
      ),
    );
    await db.query(orReplace(rollupFunction('update', ROLLUP_UPDATE)));
    await db.query(GROUPING);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(orReplace(GROUPING_FUNCTION));
    await db.query(orReplace(rollupFunction('update', TRIGGERS.update)));
    await db.query(orReplace(CHANGED_OUTBOX_FUNCTION));
    await db.query(orReplace(liveFeedTriggers('incidents', 'incident', INCIDENT_LIVE_CHANGES)[1]));
    await db.query(orReplace(liveFeedTriggers('alerts', 'alert', ALERT_LIVE_CHANGES)[1]));
  }
}
