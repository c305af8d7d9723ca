// The SQL of events: the event's share of the statement that stores it with the alert it raises
// (the alert store writes the alert), and the list and single reads, each carrying the event's
// alert and creator. Pure (no database); EventsRepository runs them.
import type { AlertStatus } from '../alerts/alert.types.js';
import type { Severity } from '../common/severity.js';
import type { StatementPart } from '../alerts/alert.store.js';
import type { KeysetPageSpec } from '../common/pagination/keyset-query.js';
import { keysetPageQuery, orderByClause } from '../common/pagination/keyset-query.js';
import type { PageRequest } from '../common/pagination/page-request.js';
import type { PagingOptions } from '../common/pagination/page-query.dto.js';
import { SqlConditions, type SqlQuery } from '../common/pagination/sql-conditions.js';

export const EVENT_PAGING: PagingOptions = {
  sortable: ['occurred_at'],
  defaultSort: '-occurred_at',
  defaultLimit: 100,
  maxLimit: 500,
  maxOffset: 10_000,
};

/** The severities whose events raise an alert. */
export const ALERTING_SEVERITIES: readonly Severity[] = ['high', 'critical'];

export const raisesAlert = (severity: Severity): boolean => ALERTING_SEVERITIES.includes(severity);

export interface EventFilter {
  severities?: Severity[];
  source?: string;
  eventType?: string;
  /** An address or network (canonical CIDR) either `src_ip` or `dst_ip` lies in. */
  ip?: string;
  /** ISO 8601 instants, inclusive, on occurred_at. */
  since?: string;
  until?: string;
}

/** An event as stored (validated and normalised), with the id the application gave it. */
export interface NewEvent {
  id: string;
  source: string;
  eventType: string;
  severity: Severity;
  description: string;
  /** ISO 8601; null means the time the database stores the event. */
  occurredAt: string | null;
  srcIp: string | null;
  dstIp: string | null;
  attributes: Record<string, unknown>;
  /** The user who posted it; null for an API key (created_by references users). */
  createdBy: string | null;
}

/** An event as read: its columns, IPs without a prefix length, its alert (if any). */
export interface StoredEventRow {
  id: string;
  source: string;
  event_type: string;
  severity: Severity;
  description: string;
  occurred_at: Date;
  received_at: Date;
  src_ip: string | null;
  dst_ip: string | null;
  attributes: Record<string, unknown>;
  created_by: string | null;
  alert_id: string | null;
  alert_status: AlertStatus | null;
}

/** …and its creator's username, which reads join. */
export interface EventRow extends StoredEventRow {
  created_by_username: string | null;
}

const FROM = 'events e';

// host() drops the /32 (or /128) that an inet value may render with.
const COLUMNS = `e.id, e.source, e.event_type, e.severity, e.description, e.occurred_at,
  e.received_at, host(e.src_ip) AS src_ip, host(e.dst_ip) AS dst_ip, e.attributes, e.created_by`;

/**
 * The event as a statement part for the alert store (AlertStore.insertWithEvent): the CTE `e`
 * inserting it, and the columns read back from `e`. The store adds the alert the event raises,
 * in the same statement.
 */
export function insertEventPart(event: NewEvent): StatementPart {
  return {
    ctes: `e AS (
  INSERT INTO events (id, source, event_type, severity, description, occurred_at, src_ip, dst_ip,
                      attributes, created_by)
  VALUES ($1, $2, $3, $4, $5, coalesce($6::timestamptz, now()), $7::inet, $8::inet, $9::jsonb, $10)
  RETURNING *
)`,
    final: COLUMNS,
    params: [
      event.id,
      event.source,
      event.eventType,
      event.severity,
      event.description,
      event.occurredAt,
      event.srcIp,
      event.dstIp,
      JSON.stringify(event.attributes),
      event.createdBy,
    ],
  };
}

export function eventConditions(filter: EventFilter): SqlConditions {
  return new SqlConditions()
    .oneOf('e.severity', filter.severities)
    .equals('e.source', filter.source)
    .equals('e.event_type', filter.eventType)
    .anyWithin(['e.src_ip', 'e.dst_ip'], filter.ip)
    .since('e.occurred_at', filter.since)
    .until('e.occurred_at', filter.until);
}

export function eventPageSpec(filter: EventFilter, request: PageRequest): KeysetPageSpec {
  return {
    select: COLUMNS,
    from: FROM,
    where: eventConditions(filter),
    order: { column: `e.${request.column}`, id: 'e.id', direction: request.direction },
    window: request.window,
  };
}

/**
 * The page as keysetPageQuery reads it, with each row's creator and alert joined afterwards: the
 * joins touch only the rows of the page (an event has at most one alert: alerts_event_id_key).
 */
export function withAlertAndCreator(spec: KeysetPageSpec): SqlQuery {
  const page = keysetPageQuery(spec);
  return {
    sql:
      `SELECT p.*, u.username AS created_by_username, al.id AS alert_id, al.status AS alert_status` +
      ` FROM (${page.sql}) p LEFT JOIN users u ON u.id = p.created_by` +
      ` LEFT JOIN alerts al ON al.event_id = p.id ${orderByClause(spec.order, 'p')}`,
    params: page.params,
  };
}

export function eventByIdQuery(id: string): SqlQuery {
  return {
    sql:
      `SELECT ${COLUMNS}, u.username AS created_by_username, al.id AS alert_id,` +
      ` al.status AS alert_status FROM ${FROM} LEFT JOIN users u ON u.id = e.created_by` +
      ` LEFT JOIN alerts al ON al.event_id = e.id WHERE e.id = $1`,
    params: [id],
  };
}
