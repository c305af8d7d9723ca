// The alert store: every statement that reads or writes `alerts` and `alert_history` is here, so
// adding a column means editing this file (and the tuple type below makes its callers fail to
// compile until they fill it). Writes take the caller's transaction or session, so an alert and
// the caller's own rows (a sync's bookmark, an event) commit together.
//
// Two writes are one statement shared with the caller's tables, because their one round trip is
// a measured fast path (the sync's page commit, the event that raises an alert): the caller
// hands its share as a StatementPart, and the store writes the alerts' share around it.
import { Injectable } from '@nestjs/common';
import { fetchKeysetPage, type Page } from '../common/pagination/paginate.js';
import type { PageRequest } from '../common/pagination/page-request.js';
import type { SqlQuery } from '../common/pagination/sql-conditions.js';
import type { Severity } from '../common/severity.js';
import { Database, type Queryable, type Transaction } from '../database/database.js';
import type { Enrichment, EnrichmentType } from '../enrichment/enrichment.types.js';
import type { AlertState, FieldChange } from './alert-lifecycle.js';
import {
  alertByIdQuery,
  alertDetailJsonRowsQuery,
  alertConditions,
  type AlertDetailRow,
  type AlertFilter,
  type AlertListOptions,
  alertPageQuery,
  alertPageSpec,
  type AlertRow,
  rolledUpCountQuery,
} from './alert-sql.js';
import {
  type AlertStats,
  alertStatsFromRow,
  alertStatsQuery,
  type AlertStatsRow,
} from './alert-stats-sql.js';
import type { AlertOrigin, AlertStatus, Resolution } from './alert.types.js';
import {
  type RelatedAnchor,
  relatedAnchorQuery,
  type RelatedKey,
  relatedPageSpec,
} from './related-sql.js';

/**
 * A new alert in the column order of the page insert (read back by position: PostgreSQL parses
 * arrays in about 60% of the time objects with keys took).
 */
export type AlertInsertRow = readonly [
  source: string,
  externalId: string | null,
  /** Hex SHA-256; set when externalId is null (the dedup key then). */
  fingerprintHex: string | null,
  severity: Severity,
  description: string,
  /** ISO 8601. */
  createdAt: string,
  srcIp: string | null,
  dstIp: string | null,
  country: string | null,
  user: string | null,
  enrichmentType: EnrichmentType,
  enrichment: Enrichment,
];

/**
 * Rows for insertPage, as one jsonb parameter in binary format: a version byte (1) and the UTF-8
 * JSON text. pg sends a Buffer as it is, so a sync pays for the encoding while the previous page
 * commits, not while PostgreSQL waits for this one.
 */
export function encodeAlertRows(rows: readonly AlertInsertRow[]): Buffer {
  const json = JSON.stringify(rows);
  const bytes = Buffer.allocUnsafe(Buffer.byteLength(json) + 1);
  bytes[0] = 1;
  bytes.write(json, 1);
  return bytes;
}

/**
 * A caller's share of a statement the store writes alerts in: CTEs over its own tables (`ctes`,
 * each `name AS (…)`, comma-separated), the statement's final part (`final`), and the parameters
 * they use, numbered after the store's (each method says from where).
 */
export interface StatementPart {
  ctes?: string;
  final: string;
  params: readonly unknown[];
}

/** A dedup key of an alert the store may already hold. */
export interface AlertKey {
  source: string;
  externalId: string | null;
  /** Hex; set when externalId is null. */
  fingerprint: string | null;
}

/** An alert a push stored: its id and dedup key. */
export interface StoredAlert extends AlertKey {
  id: string;
}

/** What the alert an event raises adds to the event: its dedup key and enrichment. */
export interface EventAlert {
  fingerprint: Buffer;
  country: string | null;
  user: string | null;
  enrichmentType: EnrichmentType;
  enrichment: Enrichment;
}

export interface Actor {
  /** The user; null for an API key (actor_id references users; the username says which key). */
  id: string | null;
  username: string;
}

/** One alert's planned new state and the field changes that lead there. */
export interface AlertUpdate {
  id: string;
  status: AlertStatus;
  assigneeId: string | null;
  resolution: Resolution | null;
  changes: FieldChange[];
}

export interface HistoryRow {
  id: string;
  at: Date;
  actor_id: string | null;
  actor_username: string;
  field: FieldChange['field'] | null;
  from_value: string | null;
  to_value: string | null;
  resolution: Resolution | null;
  note: string | null;
}

interface StateRow {
  id: string;
  status: AlertStatus;
  resolution: Resolution | null;
  version: number;
  assignee_id: string | null;
  assignee_username: string | null;
}

/**
 * The insert of a page of rows (encodeAlertRows, at $1) from `origin`: `inserted` holds what
 * `returning` names of each alert stored, duplicates left out by the dedup keys' unique indexes.
 */
function insertedCte(origin: AlertOrigin, returning: string): string {
  return `inserted AS (
  INSERT INTO alerts (source, external_id, fingerprint, origin, severity, description, created_at,
                      src_ip, dst_ip, country, user_name, enrichment_type, enrichment)
  SELECT r->>0, r->>1, decode(r->>2, 'hex'), '${origin}', r->>3, r->>4, (r->>5)::timestamptz,
         (r->>6)::inet, (r->>7)::inet, r->>8, r->>9, r->>10, r->11
  FROM jsonb_array_elements($1::jsonb) AS r
  ON CONFLICT DO NOTHING
  RETURNING ${returning}
)`;
}

/** A sync's page: (source, created_at) of each alert stored. */
const INSERTED_CTE = insertedCte('upstream', 'source, created_at');
/** A push: each alert stored, with its id and dedup key. */
const PUSHED_CTE = insertedCte('push', 'id, source, external_id, fingerprint');

/**
 * An alert's state with its assignee's username, read by a statement of its own once the rows are
 * locked. Never in the locking statement itself: under READ COMMITTED a locking SELECT that finds
 * a row updated since its snapshot re-reads that row (EvalPlanQual) but keeps the joined users
 * row from the snapshot, so an assignee set meanwhile reads back without a username, and a change
 * planned from that state silently unassigns the alert. A statement started after the lock is
 * granted has a snapshot that includes every change committed before, and none can follow.
 */
const STATE_READ = `SELECT a.id, a.status, a.resolution, a.version, a.assignee_id,
    u.username AS assignee_username
  FROM alerts a LEFT JOIN users u ON u.id = a.assignee_id
  WHERE a.id = ANY($1::uuid[])`;

const HISTORY_COLUMNS = `id, at, actor_id, actor_username, field, from_value, to_value, resolution, note`;

/** Every alert matching `filter`, counted. */
function countQuery(filter: AlertFilter): SqlQuery {
  const where = alertConditions(filter);
  return { sql: `SELECT count(*)::int AS n FROM alerts a ${where.toSql()}`, params: where.params };
}

function toState(row: StateRow): AlertState {
  if (row.assignee_id !== null && row.assignee_username === null) {
    // Cannot happen when read after the lock (deleting a user updates its alerts, which waits
    // for the lock); planning from it would unassign the alert without a history row.
    throw new Error(`Alert ${row.id} read with an assignee but no username`);
  }
  return {
    id: row.id,
    status: row.status,
    resolution: row.resolution,
    version: row.version,
    assignee:
      row.assignee_id === null ? null : { id: row.assignee_id, username: row.assignee_username! },
  };
}

@Injectable()
export class AlertStore {
  constructor(private readonly db: Database) {}

  private run = <T extends object>(query: SqlQuery): Promise<T[]> =>
    this.db.query<T>(query.sql, query.params);

  // ---- reads ------------------------------------------------------------------------------

  list(
    filter: AlertFilter,
    request: PageRequest,
    options: AlertListOptions = {},
  ): Promise<Page<AlertRow>> {
    return fetchKeysetPage<AlertRow & { keyset_at: string }>(
      this.run,
      alertPageSpec(filter, request),
      {
        query: (spec) => alertPageQuery(spec, options),
        exactCount: rolledUpCountQuery(filter),
      },
    );
  }

  /** The keys and window of the alert `GET /api/alerts/{id}/related` starts from; null if none. */
  async relatedAnchor(id: string): Promise<RelatedAnchor | null> {
    const [row] = await this.run<RelatedAnchor>(relatedAnchorQuery(id));
    return row ?? null;
  }

  /** The newest alerts sharing `key` with the anchor within its window, and how many there are. */
  related(
    anchor: RelatedAnchor,
    key: { shared: RelatedKey; value: string },
  ): Promise<Page<AlertRow>> {
    return fetchKeysetPage<AlertRow & { keyset_at: string }>(
      this.run,
      relatedPageSpec(anchor, key),
      { query: (spec) => alertPageQuery(spec) },
    );
  }

  /** One alert with its assignee and the event that raised it (in `tx` when given). */
  async findById(id: string, tx: Queryable = this.db): Promise<AlertDetailRow | null> {
    const { sql, params } = alertByIdQuery(id);
    const [row] = await tx.query<AlertDetailRow>(sql, params);
    return row ?? null;
  }

  /** The same details one row per alert that still exists, in the order of `ids`. */
  detailJsonRows(ids: readonly string[]): Promise<Array<{ id: string; json: string }>> {
    if (ids.length === 0) return Promise.resolve([]);
    return this.run<{ id: string; json: string }>(alertDetailJsonRowsQuery(ids));
  }

  /** The alerts created in the last `hours` hours of the database clock, counted and timed. */
  async stats(hours: number): Promise<AlertStats> {
    const [row] = await this.run<AlertStatsRow>(alertStatsQuery(hours));
    return alertStatsFromRow(hours, row);
  }

  /** Oldest first; null when the alert does not exist. */
  async history(alertId: string): Promise<HistoryRow[] | null> {
    const rows = await this.db.query<HistoryRow>(
      `SELECT ${HISTORY_COLUMNS} FROM alert_history WHERE alert_id = $1 ORDER BY id`,
      [alertId],
    );
    if (rows.length > 0) return rows;
    const exists = await this.db.query('SELECT 1 FROM alerts WHERE id = $1', [alertId]);
    return exists.length ? [] : null;
  }

  /**
   * Which of `keys` the store already holds, as their positions: a sync skips enriching and
   * sending those (a reconciliation re-reads mostly known alerts). Read on the pool, so it sees
   * what is committed; an alert committed meanwhile is still kept once by the insert's ON
   * CONFLICT, which remains the guarantee.
   */
  async knownKeys(keys: readonly AlertKey[]): Promise<Set<number>> {
    const ids: [string[], string[], number[]] = [[], [], []];
    const prints: [string[], number[]] = [[], []];
    keys.forEach((key, i) => {
      if (key.externalId !== null) {
        ids[0].push(key.source);
        ids[1].push(key.externalId);
        ids[2].push(i);
      } else if (key.fingerprint !== null) {
        prints[0].push(key.fingerprint);
        prints[1].push(i);
      }
    });
    const rows = await this.db.query<{ i: number }>(
      `SELECT k.i FROM unnest($1::text[], $2::text[], $3::int[]) AS k(source, external_id, i)
       WHERE EXISTS (SELECT 1 FROM alerts a WHERE a.source = k.source AND a.external_id = k.external_id)
       UNION ALL
       SELECT f.i FROM unnest($4::text[], $5::int[]) AS f(fingerprint, i)
       WHERE EXISTS (SELECT 1 FROM alerts a
                     WHERE a.fingerprint = decode(f.fingerprint, 'hex') AND a.external_id IS NULL)`,
      [...ids, ...prints],
    );
    return new Set(rows.map((r) => r.i));
  }

  /**
   * The ids of the alerts the store holds under `keys`, by position in `keys` (a key it does not
   * hold has none). On `db`, the pool unless given: a statement on its own sees what is committed
   * when it starts, so an alert a concurrent writer committed is found.
   */
  async knownIds(keys: readonly AlertKey[], db: Queryable = this.db): Promise<Map<number, string>> {
    if (keys.length === 0) return new Map();
    const rows = await db.query<{ i: number; id: string }>(
      `SELECT (k.n - 1)::int AS i, found.id
       FROM unnest($1::text[], $2::text[], $3::text[]) WITH ORDINALITY AS k(source, external_id, fingerprint, n)
       CROSS JOIN LATERAL (
         SELECT a.id FROM alerts a
         WHERE k.external_id IS NOT NULL AND a.source = k.source AND a.external_id = k.external_id
         UNION ALL
         SELECT a.id FROM alerts a
         WHERE k.external_id IS NULL AND a.external_id IS NULL
           AND a.fingerprint = decode(k.fingerprint, 'hex')
       ) AS found`,
      [keys.map((k) => k.source), keys.map((k) => k.externalId), keys.map((k) => k.fingerprint)],
    );
    return new Map(rows.map((r) => [r.i, r.id]));
  }

  // ---- new alerts -------------------------------------------------------------------------

  /**
   * A page of alerts (encodeAlertRows) and the caller's share, in ONE statement (a statement is
   * its own transaction). The part's CTEs and final statement may read `inserted` (source,
   * created_at of each alert stored); its parameters are numbered from $2. Runs on `session`'s
   * connection directly: pg writes the statement to the socket within this call.
   */
  insertPage<R extends object>(
    session: Queryable,
    alerts: Buffer,
    part: StatementPart,
  ): Promise<R[]> {
    return session.query<R>(
      `WITH ${INSERTED_CTE}${part.ctes ? `, ${part.ctes}` : ''}\n${part.final}`,
      [alerts, ...part.params],
    );
  }

  /**
   * Pushed alerts (encodeAlertRows; origin `push`) and the caller's share, in ONE statement.
   * Answers `stored`, each alert stored (a row whose key the store already held, or an earlier row
   * of the same statement had, is not among them), beside what the part's `final`, a select list,
   * reads (its CTEs may read `inserted`: id, source, external_id, fingerprint of each alert
   * stored). The part's parameters are numbered from $2.
   */
  async insertPushed<R extends object>(
    db: Queryable,
    alerts: Buffer,
    part: StatementPart,
  ): Promise<R & { stored: StoredAlert[] }> {
    const [row] = await db.query<R & { stored: StoredAlert[] }>(
      `WITH ${PUSHED_CTE}${part.ctes ? `, ${part.ctes}` : ''}
       SELECT (SELECT coalesce(jsonb_agg(jsonb_build_object('id', id, 'source', source,
                 'externalId', external_id, 'fingerprint', encode(fingerprint, 'hex'))), '[]')
               FROM inserted) AS stored,
              ${part.final}`,
      [alerts, ...part.params],
    );
    return row;
  }

  /**
   * The caller's event and, when `alert` is given, the open alert it raises, in ONE statement:
   * the alert cannot exist without the event or the event without the alert, in one round trip.
   * The part's CTEs must define `e`, the event as inserted (RETURNING *); its `final` is the
   * select list read from `e`, to which the store adds `alert_id` and `alert_status`. The part's
   * parameters come first ($1…), the alert's after them.
   */
  insertWithEvent<R extends object>(
    db: Queryable,
    event: StatementPart,
    alert: EventAlert | null,
  ): Promise<R[]> {
    if (!alert) {
      return db.query<R>(
        `WITH ${event.ctes}
         SELECT ${event.final}, NULL::uuid AS alert_id, NULL::varchar AS alert_status FROM e`,
        event.params,
      );
    }
    const n = event.params.length;
    return db.query<R>(
      `WITH ${event.ctes}, a AS (
         INSERT INTO alerts (source, external_id, fingerprint, origin, severity, status, description,
                             created_at, src_ip, dst_ip, country, user_name, enrichment_type,
                             enrichment, event_id)
         SELECT e.source, NULL, $${n + 1}, 'event', e.severity, 'open', e.description,
                e.occurred_at, e.src_ip, e.dst_ip, $${n + 2}, $${n + 3}, $${n + 4}, $${n + 5}::jsonb, e.id
         FROM e
         RETURNING id, status
       )
       SELECT ${event.final}, a.id AS alert_id, a.status AS alert_status FROM e LEFT JOIN a ON true`,
      [
        ...event.params,
        alert.fingerprint,
        alert.country,
        alert.user,
        alert.enrichmentType,
        JSON.stringify(alert.enrichment),
      ],
    );
  }

  // ---- changes ----------------------------------------------------------------------------

  /** The alerts with these ids, locked until `tx` ends, in id order (no deadlock). */
  async lockByIds(tx: Transaction, ids: readonly string[]): Promise<AlertState[]> {
    const locked = await tx.query<{ id: string }>(
      'SELECT id FROM alerts WHERE id = ANY($1::uuid[]) ORDER BY id FOR UPDATE',
      [ids],
    );
    return this.readStates(tx, locked, 'ORDER BY a.id');
  }

  /**
   * At most `limit` alerts matching the filter, newest first (the list's order), locked. They
   * are chosen newest first but locked in id order, the order every lock here is taken in, so
   * two bulk actions never wait on each other in a cycle. The filter is checked again on each
   * row as locked: an alert changed meanwhile so that it no longer matches is left alone.
   */
  async lockMatching(tx: Transaction, filter: AlertFilter, limit: number): Promise<AlertState[]> {
    const where = alertConditions(filter);
    const newest = `SELECT a.id FROM alerts a ${where.toSql()}
      ORDER BY a.created_at DESC, a.id DESC LIMIT ${where.param(limit)}`;
    const matching = where.clone().add(`a.id = ANY(ARRAY(${newest}))`);
    const locked = await tx.query<{ id: string }>(
      `SELECT a.id FROM alerts a ${matching.toSql()} ORDER BY a.id FOR UPDATE`,
      matching.params,
    );
    return this.readStates(tx, locked, 'ORDER BY a.created_at DESC, a.id DESC');
  }

  /** The state of alerts this transaction holds locked (see STATE_READ). */
  private async readStates(
    tx: Transaction,
    locked: ReadonlyArray<{ id: string }>,
    order: string,
  ): Promise<AlertState[]> {
    if (locked.length === 0) return [];
    const rows = await tx.query<StateRow>(`${STATE_READ} ${order}`, [locked.map((r) => r.id)]);
    return rows.map(toState);
  }

  /**
   * How many alerts match `filter`: from the rollup when it covers the filter (a bulk change by
   * status at 10M alerts would otherwise count millions of rows: 690 ms for 700k at 1M), else
   * counted.
   */
  async countMatching(tx: Transaction, filter: AlertFilter): Promise<number> {
    const { sql, params } = rolledUpCountQuery(filter) ?? countQuery(filter);
    const [row] = await tx.query<{ n: number }>(sql, params);
    return row.n;
  }

  /**
   * Applies every update and writes one history row per field change, in one statement (one
   * round trip whether it is one alert or ten thousand). `note` goes on every change row.
   */
  async apply(
    tx: Transaction,
    updates: readonly AlertUpdate[],
    actor: Actor,
    note: string | null,
  ): Promise<void> {
    if (updates.length === 0) return;
    const changes = updates.flatMap((u) => u.changes.map((c) => ({ id: u.id, ...c })));
    await tx.execute(
      `WITH updated AS (
         UPDATE alerts a
         SET status = u.status, assignee_id = u.assignee_id, resolution = u.resolution,
             version = a.version + 1, updated_at = now(),
             -- The first time each status was reached: what MTTA / MTTR measure to.
             acknowledged_at = CASE WHEN u.status = 'acknowledged'
               THEN COALESCE(a.acknowledged_at, now()) ELSE a.acknowledged_at END,
             resolved_at = CASE WHEN u.status = 'resolved'
               THEN COALESCE(a.resolved_at, now()) ELSE a.resolved_at END
         FROM unnest($1::uuid[], $2::varchar[], $3::uuid[], $4::varchar[])
           AS u(id, status, assignee_id, resolution)
         WHERE a.id = u.id
       )
       INSERT INTO alert_history
         (alert_id, actor_id, actor_username, field, from_value, to_value, resolution, note)
       SELECT h.alert_id, $5, $6, h.field, h.from_value, h.to_value, h.resolution, $7
       FROM unnest($8::uuid[], $9::varchar[], $10::text[], $11::text[], $12::varchar[])
         AS h(alert_id, field, from_value, to_value, resolution)`,
      [
        updates.map((u) => u.id),
        updates.map((u) => u.status),
        updates.map((u) => u.assigneeId),
        updates.map((u) => u.resolution),
        actor.id,
        actor.username,
        note,
        changes.map((c) => c.id),
        changes.map((c) => c.field),
        changes.map((c) => c.from),
        changes.map((c) => c.to),
        changes.map((c) => c.resolution),
      ],
    );
  }

  /** A note on its own (in `tx` when given); null when the alert does not exist. */
  async addNote(
    alertId: string,
    actor: Actor,
    text: string,
    tx: Queryable = this.db,
  ): Promise<HistoryRow | null> {
    const [row] = await tx.query<HistoryRow>(
      `INSERT INTO alert_history (alert_id, actor_id, actor_username, note)
       SELECT id, $2, $3, $4 FROM alerts WHERE id = $1
       RETURNING ${HISTORY_COLUMNS}`,
      [alertId, actor.id, actor.username, text],
    );
    return row ?? null;
  }

  // ---- retention --------------------------------------------------------------------------

  /**
   * Deletes up to `batch` alerts created more than `days` days ago, oldest first, with their
   * history (the history's append-only trigger is told, for this transaction only, that this is
   * a declared purge). How many alerts went.
   */
  async purgeOlderThan(tx: Transaction, days: number, batch: number): Promise<number> {
    await tx.execute(`SET LOCAL vigil.history_purge = 'on'`);
    const purged = await tx.execute(
      `DELETE FROM alerts WHERE id IN (
         SELECT id FROM alerts WHERE created_at < now() - make_interval(days => $1::int)
         ORDER BY created_at LIMIT $2)`,
      [days, batch],
    );
    // The delete's trigger took the alerts out of the rollups; hours it emptied go too.
    await tx.execute(
      `DELETE FROM alert_hourly
       WHERE hour < now() - make_interval(days => $1::int) AND n = 0 AND ms = 0`,
      [days],
    );
    return purged;
  }
}
