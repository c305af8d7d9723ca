// The SQL of the alert read API: which columns an alert is read with, how a filter becomes
// conditions, and the list's page and count queries. Pure (no database); the alert store runs
// them (test/alert-store.e2e-spec.ts runs each on the test database).
import type { KeysetPageSpec } from '../common/pagination/keyset-query.js';
import { keysetPageQuery, orderByClause } from '../common/pagination/keyset-query.js';
import type { PageRequest } from '../common/pagination/page-request.js';
import type { PagingOptions } from '../common/pagination/page-query.dto.js';
import { SqlConditions, type SqlQuery } from '../common/pagination/sql-conditions.js';
import type { Severity } from '../common/severity.js';
import type { Enrichment, EnrichmentType } from '../enrichment/enrichment.types.js';
import type { AlertOrigin, AlertStatus, Resolution } from './alert.types.js';

export const ALERT_PAGING: PagingOptions = {
  sortable: ['created_at'],
  defaultSort: '-created_at',
  defaultLimit: 100,
  maxLimit: 500,
  maxOffset: 10_000,
};

/** What a list (and later a bulk change) selects alerts by; every member optional. */
export interface AlertFilter {
  severities?: Severity[];
  status?: AlertStatus;
  source?: string;
  /** ISO 3166-1 alpha-2, upper-case. */
  country?: string;
  user?: string;
  /** An address or network (canonical CIDR) either `src_ip` or `dst_ip` lies in. */
  ip?: string;
  enrichmentType?: EnrichmentType;
  origin?: AlertOrigin;
  /** ISO 8601 instants, inclusive, on created_at. */
  since?: string;
  until?: string;
  /** created_at within the last `hours` hours. */
  hours?: number;
  /** Case-insensitive substring of the description. */
  text?: string;
  /** The incident the alerts are in (a UUID, validated and lower-case). */
  incidentId?: string;
}

/**
 * An alert as the list reads it: its columns, IPs without a prefix length, and the assignee's
 * username; `enrichment` only when asked for (AlertListOptions).
 */
export interface AlertRow {
  id: string;
  source: string;
  external_id: string | null;
  origin: AlertOrigin;
  severity: Severity;
  status: AlertStatus;
  description: string;
  /** ISO 8601, UTC, milliseconds. */
  created_at: string;
  ingested_at: string;
  updated_at: string;
  src_ip: string | null;
  dst_ip: string | null;
  country: string | null;
  user_name: string | null;
  enrichment_type: EnrichmentType;
  enrichment?: Enrichment;
  assignee_id: string | null;
  assignee_username: string | null;
  resolution: Resolution | null;
  event_id: string | null;
  /** The incident the correlation rules put it in, if any (incident_alerts). */
  incident_id: string | null;
  version: number;
}

const FROM = 'alerts a';

/** A timestamptz as the text `Date.toISOString()` gives (UTC, milliseconds). */
const isoText = (column: string) =>
  `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

/** The incident of alert `t` (one primary-key probe of incident_alerts). */
const INCIDENT_OF = (t: string) =>
  `(SELECT ia.incident_id FROM incident_alerts ia WHERE ia.alert_id = ${t}.id)`;

/**
 * An alert's columns as served, read from table (or subquery) alias `t`. Times come as ISO text
 * (the list is the hottest read: no Date is built and formatted again per field); host() drops
 * the /32 (or /128) an inet value may render with.
 */
const columns = (t: string, { enrichment }: { enrichment: boolean }) => `${t}.id, ${t}.source,
  ${t}.external_id, ${t}.origin, ${t}.severity, ${t}.status, ${t}.description,
  ${isoText(`${t}.created_at`)} AS created_at, ${isoText(`${t}.ingested_at`)} AS ingested_at,
  ${isoText(`${t}.updated_at`)} AS updated_at, host(${t}.src_ip) AS src_ip,
  host(${t}.dst_ip) AS dst_ip, ${t}.country, ${t}.user_name, ${t}.enrichment_type,
  ${enrichment ? `${t}.enrichment, ` : ''}${t}.assignee_id, ${t}.resolution, ${t}.event_id,
  ${t}.version, ${INCIDENT_OF(t)} AS incident_id`;

/** What a list page carries beyond an alert's own fields. */
export interface AlertListOptions {
  /**
   * Each alert's whole enrichment document. Off by default: it is about half of a row's bytes
   * and of PostgreSQL's work for a page (measured: 4,300 against 3,000 pages a second for the
   * bare page statement), and the list's readers show `enrichment_type` and `country`; the
   * detail always has it.
   */
  enrichment?: boolean;
}

/**
 * In incident `id`: a probe of incident_alerts by its incident index. A semi-join, so the planner
 * can start from the incident's few rows (then each alert by its key) or, for a large incident,
 * walk the created_at index and probe the membership's primary key per alert.
 */
function inIncident(where: SqlConditions, id: string | undefined): SqlConditions {
  if (id === undefined) return where;
  return where.add(
    `EXISTS (SELECT 1 FROM incident_alerts ia WHERE ia.alert_id = a.id` +
      ` AND ia.incident_id = ${where.param(id)}::uuid)`,
  );
}

export function alertConditions(filter: AlertFilter): SqlConditions {
  const where = new SqlConditions()
    .oneOf('a.severity', filter.severities)
    .equals('a.status', filter.status)
    .equals('a.source', filter.source)
    .equals('a.country', filter.country)
    .equals('a.user_name', filter.user)
    .anyWithin(['a.src_ip', 'a.dst_ip'], filter.ip)
    .equals('a.enrichment_type', filter.enrichmentType)
    .equals('a.origin', filter.origin)
    .since('a.created_at', filter.since)
    .until('a.created_at', filter.until)
    .withinHours('a.created_at', filter.hours)
    .contains('a.description', filter.text);
  return inIncident(where, filter.incidentId);
}

export function alertPageSpec(filter: AlertFilter, request: PageRequest): KeysetPageSpec {
  return {
    // The raw row: alertPageQuery formats it, outside the sort (which needs the timestamps).
    // (PostgreSQL drops the subquery's columns the outer select does not use, enrichment included.)
    select: 'a.*',
    from: FROM,
    where: alertConditions(filter),
    order: { column: `a.${request.column}`, id: 'a.id', direction: request.direction },
    window: request.window,
  };
}

/** The filters alert_totals is kept by; a filter of these alone is counted there. */
const ROLLED_UP_FILTERS = new Set<keyof AlertFilter>([
  'severities',
  'status',
  'source',
  'origin',
  'enrichmentType',
]);

/**
 * The exact number of alerts matching `filter` from counts the database keeps as alerts are
 * written: the rollup (a sum over at most a few hundred rows, whatever the table holds), or for an
 * incident alone its `alert_count` (kept by the grouping, the move, the merge and the deletion
 * trigger in the transactions that change its alerts). Null when the filter uses another field
 * (time, country, user, ip, text, or an incident with anything else), which only the alerts
 * themselves can answer.
 */
export function rolledUpCountQuery(filter: AlertFilter): SqlQuery | null {
  const used = (Object.keys(filter) as Array<keyof AlertFilter>).filter(
    (key) => filter[key] !== undefined,
  );
  if (used.length === 1 && used[0] === 'incidentId') {
    return {
      sql: 'SELECT COALESCE((SELECT alert_count FROM incidents WHERE id = $1::uuid), 0)::int AS n',
      params: [filter.incidentId],
    };
  }
  if (!used.every((key) => ROLLED_UP_FILTERS.has(key))) return null;
  const where = alertConditions(filter);
  return {
    sql: `SELECT COALESCE(sum(a.n), 0)::int AS n FROM alert_totals a${where.isEmpty ? '' : ` ${where.toSql()}`}`,
    params: where.params,
  };
}

/**
 * The page as keysetPageQuery reads it, formatted, with each row's assignee joined afterwards: the
 * join touches only the rows of the page, never the rows the filter scans. (The qualified ORDER BY
 * sorts on the page's timestamps, not on their text.)
 */
export function alertPageQuery(spec: KeysetPageSpec, options: AlertListOptions = {}): SqlQuery {
  const page = keysetPageQuery(spec);
  const selected = columns('p', { enrichment: options.enrichment ?? false });
  return {
    sql:
      `SELECT ${selected}, p.keyset_at, u.username AS assignee_username FROM (${page.sql}) p` +
      ` LEFT JOIN users u ON u.id = p.assignee_id ${orderByClause(spec.order, 'p')}`,
    params: page.params,
  };
}

/** The event that raised an alert, as embedded in the alert's detail. */
export interface AlertEvent {
  id: string;
  source: string;
  event_type: string;
  severity: Severity;
  description: string;
  occurred_at: string;
  received_at: string;
  src_ip: string | null;
  dst_ip: string | null;
  attributes: Record<string, unknown>;
}

export interface AlertDetailRow extends AlertRow {
  enrichment: Enrichment;
  event: AlertEvent | null;
}

const EVENT_JSON = `CASE WHEN e.id IS NULL THEN NULL ELSE jsonb_build_object(
    'id', e.id, 'source', e.source, 'event_type', e.event_type, 'severity', e.severity,
    'description', e.description,
    'occurred_at', ${isoText('e.occurred_at')}, 'received_at', ${isoText('e.received_at')},
    'src_ip', host(e.src_ip), 'dst_ip', host(e.dst_ip), 'attributes', e.attributes) END`;

/** Alerts as their detail shows them: with the assignee's username and the event, if any. */
const DETAIL_SELECT =
  `SELECT ${columns('a', { enrichment: true })}, u.username AS assignee_username,` +
  ` ${EVENT_JSON} AS event FROM ${FROM}` +
  ` LEFT JOIN users u ON u.id = a.assignee_id LEFT JOIN events e ON e.id = a.event_id`;

/** One alert with its assignee's username and the event that raised it (if any). */
export function alertByIdQuery(id: string): SqlQuery {
  return { sql: `${DETAIL_SELECT} WHERE a.id = $1`, params: [id] };
}

/**
 * An alert's detail as JSON text, built by PostgreSQL: exactly what AlertDetailDto.fromRow makes
 * of a DETAIL_SELECT row (assignee as an object, `user`, an enrichment with every member). For
 * messages of many alerts sent as they are (webhooks): rendering them in Node cost about 20 ms
 * of CPU per 100 alerts, most of it garbage collection. test/webhooks.e2e-spec.ts holds the two
 * equal (an upstream alert, an event's, an assigned one).
 */
const DETAIL_JSON = `json_build_object(
    'id', a.id, 'source', a.source, 'external_id', a.external_id, 'origin', a.origin,
    'severity', a.severity, 'status', a.status, 'description', a.description,
    'created_at', ${isoText('a.created_at')}, 'ingested_at', ${isoText('a.ingested_at')},
    'updated_at', ${isoText('a.updated_at')}, 'src_ip', host(a.src_ip), 'dst_ip', host(a.dst_ip),
    'country', a.country, 'user', a.user_name, 'enrichment_type', a.enrichment_type,
    'assignee', CASE WHEN u.id IS NULL THEN NULL
                     ELSE json_build_object('id', u.id, 'username', u.username) END,
    'resolution', a.resolution, 'event_id', a.event_id, 'version', a.version,
    'incident_id', ${INCIDENT_OF('a')},
    'enrichment', '{"geo": null, "tor": null, "context": null, "errors": []}'::jsonb || a.enrichment,
    'event', ${EVENT_JSON})`;

/**
 * What DETAIL_JSON reads: the alerts whose ids the uuid[] expression `ids` holds, numbered in its
 * order (`k.ord`), with their assignee and event.
 */
const detailJsonFrom = (ids: string) =>
  ` FROM unnest(${ids}) WITH ORDINALITY AS k (id, ord) JOIN ${FROM} ON a.id = k.id` +
  ` LEFT JOIN users u ON u.id = a.assignee_id LEFT JOIN events e ON e.id = a.event_id`;

/**
 * One row: the details of the alerts whose ids the uuid[] expression `ids` holds and that exist,
 * as one JSON array's text in that order (`json`, '[]' when none), and how many there were (`n`).
 * `ids` may name a column of an enclosing query (the webhook claim renders in its statement).
 */
export const alertDetailsJsonSql = (ids: string) =>
  `SELECT coalesce('[' || string_agg(${DETAIL_JSON}::text, ',' ORDER BY k.ord) || ']', '[]')` +
  ` AS json, count(a.id)::int AS n${detailJsonFrom(ids)}`;

/**
 * The same details one row per alert (`id`, `json`), in the order of `ids`, for the live stream:
 * each alert is one event, sent as PostgreSQL wrote it.
 */
export function alertDetailJsonRowsQuery(ids: readonly string[]): SqlQuery {
  return {
    sql: `SELECT a.id, ${DETAIL_JSON}::text AS json${detailJsonFrom('$1::uuid[]')} ORDER BY k.ord`,
    params: [ids],
  };
}
