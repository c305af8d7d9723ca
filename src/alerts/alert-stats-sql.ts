// The SQL of GET /api/alerts/stats and the shaping of its one result row. Pure (no database), so
// the statement and the shaping are unit-tested; AlertStatsRepository runs them.
import type { SqlQuery } from '../common/pagination/sql-conditions.js';
import { SEVERITIES, type Severity } from '../common/severity.js';
import { ENRICHMENT_TYPES, type EnrichmentType } from '../enrichment/enrichment.types.js';
import { ALERT_STATUSES, type AlertStatus } from './alert.types.js';

/** How many sources and countries are listed by name; the rest are summed up. */
export const STATS_TOP = 20;

/** One value of an open-ended dimension and its alerts. */
export interface RankedCount<K> {
  key: K;
  count: number;
}

/** The largest values of a dimension, and what they leave out. */
export interface Ranking<K> {
  /** At most STATS_TOP, by count descending, then key ascending (null last). */
  top: RankedCount<K>[];
  /** The values beyond the top: how many distinct ones, and their alerts. */
  other: { values: number; count: number };
}

export type HourBucket = { hour: Date; total: number } & Record<Severity, number>;

export interface ResponseTime {
  /** Alerts of the window that reached the status at least once. */
  alerts: number;
  /** Mean seconds from ingestion to the first time; null when `alerts` is 0. */
  meanSeconds: number | null;
}

export interface AlertStats {
  hours: number;
  from: Date;
  to: Date;
  total: number;
  bySeverity: Record<Severity, number>;
  byStatus: Record<AlertStatus, number>;
  byEnrichmentType: Record<EnrichmentType, number>;
  bySource: Ranking<string>;
  /** null: the country is unknown (private addresses, no geolocation). */
  byCountry: Ranking<string | null>;
  /** Every UTC clock hour the window touches, oldest first. */
  timeline: HourBucket[];
  timeToAcknowledge: ResponseTime;
  timeToResolve: ResponseTime;
}

type Dimension = 'total' | 'severity' | 'status' | 'source' | 'country' | 'enrichment_type';

/** The one row the statement answers (counts and timeline arrive as json). */
export interface AlertStatsRow {
  from_at: Date;
  to_at: Date;
  counts: Array<{ dimension: Dimension; key: string | null; count: number }> | null;
  timeline: Array<{ hour: string; total: number } & Record<Severity, number>> | null;
  acknowledged_count: number;
  mean_time_to_acknowledge_seconds: number | null;
  resolved_count: number;
  mean_time_to_resolve_seconds: number | null;
}

// Hour buckets are UTC clock hours whatever the session's time zone. date_bin is plain
// arithmetic; date_trunc('hour', t, 'UTC') costs a time zone conversion per row.
const hourOf = (column: string) =>
  `date_bin(INTERVAL '1 hour', ${column}, TIMESTAMPTZ '2000-01-01T00:00:00Z')`;

const severityColumns = SEVERITIES.map(
  (severity) =>
    `COALESCE(sum(c.count) FILTER (WHERE c.key = '${severity}'), 0)::int AS ${severity}`,
).join(',\n      ');

/**
 * One statement, so every part sees the same window (now() is the statement's clock) and the same
 * snapshot: the timeline adds up to the total.
 *
 * - `win` is inlined wherever it is used (NOT MATERIALIZED), so the planner sees the bounds as
 *   expressions of now() and $1 and estimates the window's rows from the created_at statistics.
 * - `counts` is the single pass over the window: every count is a grouping set of it. The
 *   subquery is kept a subquery (OFFSET 0) so the planner estimates the hour buckets at a default
 *   200 rather than one per distinct created_at; with the latter it sorts a million rows on disk
 *   for the (hour, severity) set instead of hashing at most 721 × 4 groups (2 to 2.5 times
 *   slower over 1M alerts).
 * - `timeline` zero-fills the hours with generate_series and turns severities into columns.
 * - `response_times` joins the window to the status changes of the history, first time per alert
 *   and status; the planner picks index probes for a small window and a hash join for a large one.
 */
export function alertStatsQuery(hours: number): SqlQuery {
  const sql = `WITH win AS NOT MATERIALIZED (
  SELECT date_trunc('milliseconds', now()) - make_interval(hours => $1::int) AS from_at,
    date_trunc('milliseconds', now()) AS to_at
),
counts AS (
  SELECT
    CASE
      WHEN GROUPING(w.hour) = 0 THEN 'hour'
      WHEN GROUPING(w.severity) = 0 THEN 'severity'
      WHEN GROUPING(w.status) = 0 THEN 'status'
      WHEN GROUPING(w.source) = 0 THEN 'source'
      WHEN GROUPING(w.country) = 0 THEN 'country'
      WHEN GROUPING(w.enrichment_type) = 0 THEN 'enrichment_type'
      ELSE 'total'
    END AS dimension,
    COALESCE(w.severity, w.status, w.source, w.country, w.enrichment_type) AS key,
    w.hour,
    count(*)::int AS count
  FROM (
    SELECT a.severity, a.status, a.source, a.country, a.enrichment_type,
      ${hourOf('a.created_at')} AS hour
    FROM win CROSS JOIN alerts a
    WHERE a.created_at >= win.from_at AND a.created_at <= win.to_at
    OFFSET 0
  ) w
  GROUP BY GROUPING SETS (
    (w.severity), (w.status), (w.source), (w.country), (w.enrichment_type), (w.hour, w.severity), ()
  )
),
timeline AS (
  SELECT hr.hour,
      COALESCE(sum(c.count), 0)::int AS total,
      ${severityColumns}
  FROM win
  CROSS JOIN generate_series(${hourOf('win.from_at')}, win.to_at, INTERVAL '1 hour') AS hr (hour)
  LEFT JOIN counts c ON c.dimension = 'hour' AND c.hour = hr.hour
  GROUP BY hr.hour
),
response_times AS (
  SELECT count(f.acknowledged_at)::int AS acknowledged_count,
    avg(date_part('epoch', f.acknowledged_at - f.ingested_at)) AS mean_time_to_acknowledge_seconds,
    count(f.resolved_at)::int AS resolved_count,
    avg(date_part('epoch', f.resolved_at - f.ingested_at)) AS mean_time_to_resolve_seconds
  FROM (
    SELECT a.ingested_at,
      min(h.at) FILTER (WHERE h.to_value = 'acknowledged') AS acknowledged_at,
      min(h.at) FILTER (WHERE h.to_value = 'resolved') AS resolved_at
    FROM win CROSS JOIN alerts a
    JOIN alert_history h ON h.alert_id = a.id AND h.field = 'status'
      AND h.to_value IN ('acknowledged', 'resolved')
    WHERE a.created_at >= win.from_at AND a.created_at <= win.to_at
    GROUP BY a.id
  ) f
)
SELECT win.from_at, win.to_at,
  (SELECT json_agg(json_build_object('dimension', c.dimension, 'key', c.key, 'count', c.count))
    FROM counts c WHERE c.dimension <> 'hour') AS counts,
  (SELECT json_agg(t ORDER BY t.hour) FROM timeline t) AS timeline,
  r.acknowledged_count, r.mean_time_to_acknowledge_seconds,
  r.resolved_count, r.mean_time_to_resolve_seconds
FROM win CROSS JOIN response_times r`;
  return { sql, params: [hours] };
}

function zeroes<K extends string>(keys: readonly K[]): Record<K, number> {
  return Object.fromEntries(keys.map((key) => [key, 0])) as Record<K, number>;
}

/** Count descending, then key ascending by code point, null (unknown) last among equals. */
function byCountThenKey<K extends string | null>(a: RankedCount<K>, b: RankedCount<K>): number {
  if (a.count !== b.count) return b.count - a.count;
  if (a.key === b.key) return 0;
  if (a.key === null) return 1;
  if (b.key === null) return -1;
  return a.key < b.key ? -1 : 1;
}

export function rank<K extends string | null>(
  counts: RankedCount<K>[],
  top = STATS_TOP,
): Ranking<K> {
  const sorted = [...counts].sort(byCountThenKey);
  const rest = sorted.slice(top);
  return {
    top: sorted.slice(0, top),
    other: { values: rest.length, count: rest.reduce((sum, c) => sum + c.count, 0) },
  };
}

/** The row as the service speaks of it: every known key present, open-ended ones ranked. */
export function alertStatsFromRow(hours: number, row: AlertStatsRow): AlertStats {
  const counts = row.counts ?? [];
  const of = (dimension: Dimension) => counts.filter((c) => c.dimension === dimension);
  const tally = <K extends string>(dimension: Dimension, keys: readonly K[]) => {
    const result = zeroes(keys);
    for (const c of of(dimension)) result[c.key as K] = c.count;
    return result;
  };
  return {
    hours,
    from: row.from_at,
    to: row.to_at,
    total: of('total')[0]?.count ?? 0,
    bySeverity: tally('severity', SEVERITIES),
    byStatus: tally('status', ALERT_STATUSES),
    byEnrichmentType: tally('enrichment_type', ENRICHMENT_TYPES),
    bySource: rank(of('source').map(({ key, count }) => ({ key: key as string, count }))),
    byCountry: rank(of('country').map(({ key, count }) => ({ key, count }))),
    timeline: (row.timeline ?? []).map((bucket) => ({ ...bucket, hour: new Date(bucket.hour) })),
    timeToAcknowledge: {
      alerts: row.acknowledged_count,
      meanSeconds: row.mean_time_to_acknowledge_seconds,
    },
    timeToResolve: { alerts: row.resolved_count, meanSeconds: row.mean_time_to_resolve_seconds },
  };
}
