import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Counts kept as alerts are written, so neither the list's total nor the stats count rows.
 *
 * - `alerts.acknowledged_at` / `resolved_at`: the first time an alert reached the status (what
 *   MTTA / MTTR are measured to), kept by the workflow's update; backfilled from the history.
 * - `alert_totals`: alerts by the list's equality filters that never change per alert but status
 *   (severity, status, source, origin, enrichment type); answers the list's total for any filter
 *   made of those alone, exactly, in a sum over at most a few hundred rows.
 * - `alert_hourly`: per UTC clock hour of `created_at`, alerts by each stats dimension, and the
 *   count and summed milliseconds of first acknowledgements and resolutions; the stats read whole
 *   hours from here and only the two partial hours at a window's ends from `alerts`.
 *
 * Statement-level AFTER triggers with transition tables keep both (and TRUNCATE empties them), in the transaction that
 * writes the alerts, whoever writes them (the store, the retention purge, a bench loader): one
 * grouped upsert per statement, not a row at a time. Each row of a counter is split over SLOTS
 * rows picked by the backend's pid, so concurrent writers (ten event inserts at once, two
 * replicas' syncs) seldom wait for each other's row locks until commit; readers sum the slots.
 * The upserts take their rows in key order, so two writers never lock the same rows in a cycle.
 */
const SLOTS = 8;

/** The statements that add the `d` rows (an alert's columns and `sign`, +1 or -1) to both. */
export function rollupStatements(delta: string): string[] {
  const slot = `(pg_backend_pid() % ${SLOTS})::smallint`;
  return [
    `WITH d AS (${delta})
    INSERT INTO alert_totals AS t (severity, status, source, origin, enrichment_type, slot, n)
    SELECT severity, status, source, origin, enrichment_type, ${slot}, sum(sign)
    FROM d GROUP BY 1, 2, 3, 4, 5 HAVING sum(sign) <> 0 ORDER BY 1, 2, 3, 4, 5
    ON CONFLICT (severity, status, source, origin, enrichment_type, slot)
    DO UPDATE SET n = t.n + EXCLUDED.n`,
    `WITH d AS (${delta})
    INSERT INTO alert_hourly AS h (hour, dimension, key, slot, n, ms)
    SELECT x.hour, x.dimension, x.key, ${slot}, sum(x.n), sum(x.ms)
    FROM (
      SELECT date_bin(INTERVAL '1 hour', d.created_at, TIMESTAMPTZ '2000-01-01T00:00:00Z') AS hour,
        v.dimension, v.key, d.sign * v.n AS n, d.sign * v.ms AS ms
      FROM d CROSS JOIN LATERAL (VALUES
        ('severity', d.severity, 1, 0::bigint),
        ('status', d.status, 1, 0),
        ('source', d.source, 1, 0),
        ('country', COALESCE(d.country, ''), 1, 0),
        ('enrichment_type', d.enrichment_type, 1, 0),
        ('acknowledged', '', (d.acknowledged_at IS NOT NULL)::int,
          COALESCE(round(extract(epoch FROM d.acknowledged_at - d.ingested_at) * 1000)::bigint, 0)),
        ('resolved', '', (d.resolved_at IS NOT NULL)::int,
          COALESCE(round(extract(epoch FROM d.resolved_at - d.ingested_at) * 1000)::bigint, 0))
      ) AS v (dimension, key, n, ms)
    ) x
    GROUP BY 1, 2, 3 HAVING sum(x.n) <> 0 OR sum(x.ms) <> 0 ORDER BY 1, 2, 3
    ON CONFLICT (hour, dimension, key, slot) DO UPDATE SET n = h.n + EXCLUDED.n, ms = h.ms + EXCLUDED.ms`,
  ];
}

/** The columns the rollups read, as one alert's row in `d`. */
export const COLUMNS = `severity, status, source, origin, enrichment_type, country, created_at, ingested_at,
  acknowledged_at, resolved_at`;

/** Any rolled-up column changed (the workflow only changes status and the two times). */
const ROLLED_UP_CHANGE = `(${prefixed('o')}) IS DISTINCT FROM (${prefixed('n')})`;

export const TRIGGERS = {
  insert: `SELECT 1 AS sign, ${COLUMNS} FROM new_rows`,
  delete: `SELECT -1 AS sign, ${COLUMNS} FROM old_rows`,
  // Only rows whose rolled-up columns changed (an assignment or a note changes none of them).
  update: `SELECT -1 AS sign, ${prefixed('o')} FROM old_rows o JOIN new_rows n ON n.id = o.id
      WHERE ${ROLLED_UP_CHANGE}
    UNION ALL
    SELECT 1 AS sign, ${prefixed('n')} FROM old_rows o JOIN new_rows n ON n.id = o.id
      WHERE ${ROLLED_UP_CHANGE}`,
} as const;

/** The trigger function `alerts_rollup_<op>`, adding the `delta` rows to both rollups. */
export const rollupFunction = (op: string, delta: string) => `
  CREATE FUNCTION alerts_rollup_${op}() RETURNS trigger LANGUAGE plpgsql AS $$
  BEGIN
    ${rollupStatements(delta).join(';\n')};
    RETURN NULL;
  END
  $$`;

function prefixed(alias: string): string {
  return COLUMNS.split(',')
    .map((column) => `${alias}.${column.trim()}`)
    .join(', ');
}

const TRANSITION_TABLES = {
  insert: 'NEW TABLE AS new_rows',
  delete: 'OLD TABLE AS old_rows',
  update: 'OLD TABLE AS old_rows NEW TABLE AS new_rows',
} as const;

export class AlertRollups1764300000000 implements MigrationInterface {
  name = 'AlertRollups1764300000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE alerts ADD COLUMN acknowledged_at timestamptz,
      ADD COLUMN resolved_at timestamptz`);
    await db.query(`
      UPDATE alerts a SET acknowledged_at = f.acknowledged_at, resolved_at = f.resolved_at
      FROM (
        SELECT alert_id,
          min(at) FILTER (WHERE to_value = 'acknowledged') AS acknowledged_at,
          min(at) FILTER (WHERE to_value = 'resolved') AS resolved_at
        FROM alert_history WHERE field = 'status' AND to_value IN ('acknowledged', 'resolved')
        GROUP BY alert_id
      ) f
      WHERE a.id = f.alert_id`);

    await db.query(`
      CREATE TABLE alert_totals (
        severity varchar(16) NOT NULL,
        status varchar(16) NOT NULL,
        source varchar(64) NOT NULL,
        origin varchar(16) NOT NULL,
        enrichment_type varchar(16) NOT NULL,
        slot smallint NOT NULL,
        n bigint NOT NULL,
        PRIMARY KEY (severity, status, source, origin, enrichment_type, slot)
      )`);
    // key: the dimension's value ('' for an unknown country and for the response-time rows).
    await db.query(`
      CREATE TABLE alert_hourly (
        hour timestamptz NOT NULL,
        dimension varchar(16) NOT NULL,
        key varchar(64) NOT NULL,
        slot smallint NOT NULL,
        n bigint NOT NULL,
        ms bigint NOT NULL,
        PRIMARY KEY (hour, dimension, key, slot)
      )`);

    for (const op of ['insert', 'update', 'delete'] as const) {
      await db.query(rollupFunction(op, TRIGGERS[op]));
      await db.query(`
        CREATE TRIGGER alerts_rollup_${op} AFTER ${op.toUpperCase()} ON alerts
        REFERENCING ${TRANSITION_TABLES[op]}
        FOR EACH STATEMENT EXECUTE FUNCTION alerts_rollup_${op}()`);
    }

    // TRUNCATE fires no DELETE trigger: emptying the alerts empties their counts. (DELETE, not
    // TRUNCATE: a TRUNCATE that names the rollup tables too holds them open.)
    await db.query(`
      CREATE FUNCTION alerts_rollup_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        DELETE FROM alert_totals;
        DELETE FROM alert_hourly;
        RETURN NULL;
      END
      $$`);
    await db.query(`
      CREATE TRIGGER alerts_rollup_truncate AFTER TRUNCATE ON alerts
      FOR EACH STATEMENT EXECUTE FUNCTION alerts_rollup_truncate()`);

    // The alerts already stored, as if inserted now.
    for (const statement of rollupStatements(`SELECT 1 AS sign, ${COLUMNS} FROM alerts`))
      await db.query(statement);
  }

  async down(db: QueryRunner): Promise<void> {
    for (const op of ['insert', 'update', 'delete', 'truncate'] as const) {
      await db.query(`DROP TRIGGER alerts_rollup_${op} ON alerts`);
      await db.query(`DROP FUNCTION alerts_rollup_${op}()`);
    }
    await db.query(`DROP TABLE alert_hourly`);
    await db.query(`DROP TABLE alert_totals`);
    await db.query(`ALTER TABLE alerts DROP COLUMN acknowledged_at, DROP COLUMN resolved_at`);
  }
}
