// The SQL of the alert read API: which columns an alert is read with, how a filter becomes
// conditions, and the list's page and count queries. Pure (no database), so the exact statements
// are unit-tested; AlertsRepository runs them.
import type { KeysetPageSpec } from '../common/pagination/keyset-query.js';
import { keysetPageQuery, orderByClause } from '../common/pagination/keyset-query.js';
import type { PageRequest } from '../common/pagination/page-request.js';
import type { PagingOptions } from '../common/pagination/page-query.dto.js';
import { SqlConditions, type SqlQuery } from '../common/pagination/sql-conditions.js';
import type {
  AlertOrigin,
  AlertStatus,
  Enrichment,
  EnrichmentType,
  Resolution,
  Severity,
} from './alert.types.js';

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
  enrichmentType?: EnrichmentType;
  origin?: AlertOrigin;
  /** ISO 8601 instants, inclusive, on created_at. */
  since?: string;
  until?: string;
  /** created_at within the last `hours` hours. */
  hours?: number;
  /** Case-insensitive substring of the description. */
  text?: string;
}

/** An alert as read: its columns, IPs without a prefix length, and the assignee's username. */
export interface AlertRow {
  id: string;
  source: string;
  external_id: string | null;
  origin: AlertOrigin;
  severity: Severity;
  status: AlertStatus;
  description: string;
  created_at: Date;
  ingested_at: Date;
  updated_at: Date;
  src_ip: string | null;
  dst_ip: string | null;
  country: string | null;
  user_name: string | null;
  enrichment_type: EnrichmentType;
  enrichment: Enrichment;
  assignee_id: string | null;
  assignee_username: string | null;
  resolution: Resolution | null;
  event_id: string | null;
  version: number;
}

const FROM = 'alerts a';

// host() drops the /32 (or /128) that an inet value may render with.
const COLUMNS = `a.id, a.source, a.external_id, a.origin, a.severity, a.status, a.description,
  a.created_at, a.ingested_at, a.updated_at, host(a.src_ip) AS src_ip, host(a.dst_ip) AS dst_ip,
  a.country, a.user_name, a.enrichment_type, a.enrichment, a.assignee_id, a.resolution,
  a.event_id, a.version`;

export function alertConditions(filter: AlertFilter): SqlConditions {
  return new SqlConditions()
    .oneOf('a.severity', filter.severities)
    .equals('a.status', filter.status)
    .equals('a.source', filter.source)
    .equals('a.country', filter.country)
    .equals('a.user_name', filter.user)
    .equals('a.enrichment_type', filter.enrichmentType)
    .equals('a.origin', filter.origin)
    .since('a.created_at', filter.since)
    .until('a.created_at', filter.until)
    .withinHours('a.created_at', filter.hours)
    .contains('a.description', filter.text);
}

export function alertPageSpec(filter: AlertFilter, request: PageRequest): KeysetPageSpec {
  return {
    select: COLUMNS,
    from: FROM,
    where: alertConditions(filter),
    order: { column: `a.${request.column}`, id: 'a.id', direction: request.direction },
    window: request.window,
  };
}

/**
 * The page as keysetPageQuery reads it, with each row's assignee joined afterwards: the join
 * touches only the rows of the page, never the rows the filter scans.
 */
export function withAssignee(spec: KeysetPageSpec): SqlQuery {
  const page = keysetPageQuery(spec);
  return {
    sql:
      `SELECT p.*, u.username AS assignee_username FROM (${page.sql}) p` +
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
  event: AlertEvent | null;
}

const UTC_ISO = `'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'`;

const EVENT_JSON = `CASE WHEN e.id IS NULL THEN NULL ELSE jsonb_build_object(
    'id', e.id, 'source', e.source, 'event_type', e.event_type, 'severity', e.severity,
    'description', e.description,
    'occurred_at', to_char(e.occurred_at AT TIME ZONE 'UTC', ${UTC_ISO}),
    'received_at', to_char(e.received_at AT TIME ZONE 'UTC', ${UTC_ISO}),
    'src_ip', host(e.src_ip), 'dst_ip', host(e.dst_ip), 'attributes', e.attributes) END`;

/** One alert with its assignee's username and the event that raised it (if any). */
export function alertByIdQuery(id: string): SqlQuery {
  return {
    sql:
      `SELECT ${COLUMNS}, u.username AS assignee_username, ${EVENT_JSON} AS event FROM ${FROM}` +
      ` LEFT JOIN users u ON u.id = a.assignee_id LEFT JOIN events e ON e.id = a.event_id` +
      ` WHERE a.id = $1`,
    params: [id],
  };
}
