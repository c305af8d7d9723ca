// Every statement on incidents, incident_alerts and incident_history but the grouping itself
// (the trigger on `alerts`, migration 1764500000100-incidents). Alerts are changed through the
// AlertStore, so an incident's resolution writes each alert's history as a PATCH would.
import { Injectable } from '@nestjs/common';
import type { AlertState, FieldChange } from '../alerts/alert-lifecycle.js';
import type { Actor } from '../alerts/alert.store.js';
import type { AlertStatus, Resolution } from '../alerts/alert.types.js';
import { fetchKeysetPage, type Page } from '../common/pagination/paginate.js';
import type { PageRequest } from '../common/pagination/page-request.js';
import { SqlConditions, type SqlQuery } from '../common/pagination/sql-conditions.js';
import type { Severity } from '../common/severity.js';
import { Database, type Queryable, type Transaction } from '../database/database.js';

/** The incidents a list selects; every member optional. */
export interface IncidentFilter {
  status?: AlertStatus;
  severities?: Severity[];
  /** A username. */
  assignee?: string;
  /** `created_at` bounds (ISO 8601). */
  since?: string;
  until?: string;
}

export interface IncidentRow {
  id: string;
  rule_id: string | null;
  rule_name: string;
  group_key: string;
  window_start: Date;
  window_end: Date;
  severity: Severity;
  status: AlertStatus;
  assignee_id: string | null;
  assignee_username: string | null;
  resolution: Resolution | null;
  alert_count: number;
  first_alert_at: Date;
  last_alert_at: Date;
  created_at: Date;
  updated_at: Date;
  acknowledged_at: Date | null;
  resolved_at: Date | null;
  version: number;
  keyset_at: string;
}

export interface IncidentHistoryRow {
  id: string;
  at: Date;
  actor_id: string | null;
  actor_username: string;
  field: 'status' | 'assignee' | 'merge' | 'alert_moved' | null;
  from_value: string | null;
  to_value: string | null;
  resolution: Resolution | null;
  note: string | null;
}

/** One history row to write (see incident_history). */
export interface IncidentHistoryEntry {
  field: IncidentHistoryRow['field'];
  from: string | null;
  to: string | null;
  resolution: Resolution | null;
  note: string | null;
}

export interface IncidentStats {
  hours: number;
  by_status: Record<AlertStatus, number>;
  created: number;
  alerts_per_incident: { mean: number | null; max: number | null };
  mtta_seconds: number | null;
  mttr_seconds: number | null;
}

const INCIDENT_COLUMNS = `i.id, i.rule_id, i.rule_name, i.group_key, i.window_start, i.window_end,
  i.severity, i.status, i.assignee_id, u.username AS assignee_username, i.resolution,
  i.alert_count, i.first_alert_at, i.last_alert_at, i.created_at, i.updated_at,
  i.acknowledged_at, i.resolved_at, i.version`;

const FROM = 'incidents i LEFT JOIN users u ON u.id = i.assignee_id';

const SEVERITY_RANK = `array_position(ARRAY['low', 'medium', 'high', 'critical'], a.severity::text)`;

export const INCIDENT_PAGING = {
  sortable: ['created_at'],
  defaultSort: '-created_at',
  defaultLimit: 50,
  maxLimit: 500,
  maxOffset: 10_000,
};

/** An incident's alert ids served with it at most (`alert_ids_capped` says when there are more). */
export const ALERT_IDS_CAP = 10_000;

function incidentConditions(filter: IncidentFilter): SqlConditions {
  const where = new SqlConditions()
    .equals('i.status', filter.status)
    .oneOf('i.severity', filter.severities)
    .since('i.created_at', filter.since)
    .until('i.created_at', filter.until);
  if (filter.assignee !== undefined) where.add(`u.username = ${where.param(filter.assignee)}`);
  return where;
}

@Injectable()
export class IncidentStore {
  constructor(private readonly db: Database) {}

  list(filter: IncidentFilter, request: PageRequest): Promise<Page<IncidentRow>> {
    return fetchKeysetPage<IncidentRow>((q: SqlQuery) => this.db.query(q.sql, q.params), {
      select: INCIDENT_COLUMNS,
      from: FROM,
      where: incidentConditions(filter),
      order: { column: 'i.created_at', id: 'i.id', direction: request.direction },
      window: request.window,
    });
  }

  async find(id: string, on: Queryable = this.db): Promise<IncidentRow | null> {
    const [row] = await on.query<IncidentRow>(
      `SELECT ${INCIDENT_COLUMNS}, '' AS keyset_at FROM ${FROM} WHERE i.id = $1`,
      [id],
    );
    return row ?? null;
  }

  /** The incidents with these ids that exist (any order). */
  findMany(ids: readonly string[]): Promise<IncidentRow[]> {
    if (ids.length === 0) return Promise.resolve([]);
    return this.db.query<IncidentRow>(
      `SELECT ${INCIDENT_COLUMNS}, '' AS keyset_at FROM ${FROM} WHERE i.id = ANY($1::uuid[])`,
      [ids],
    );
  }

  /** Its alerts' ids, oldest first, at most `cap`. */
  async alertIds(id: string, cap: number, on: Queryable = this.db): Promise<string[]> {
    const rows = await on.query<{ id: string }>(
      `SELECT a.id FROM incident_alerts ia JOIN alerts a ON a.id = ia.alert_id
       WHERE ia.incident_id = $1 ORDER BY a.created_at, a.id LIMIT $2`,
      [id, cap],
    );
    return rows.map((r) => r.id);
  }

  /** The incident locked for a change (with its state as the lifecycle rules read it). */
  async lock(tx: Transaction, id: string): Promise<(AlertState & { row: IncidentRow }) | null> {
    const locked = await tx.query('SELECT id FROM incidents WHERE id = $1 FOR UPDATE', [id]);
    if (locked.length === 0) return null;
    const row = (await this.find(id, tx))!;
    return {
      id: row.id,
      status: row.status,
      resolution: row.resolution,
      version: row.version,
      assignee:
        row.assignee_id && row.assignee_username
          ? { id: row.assignee_id, username: row.assignee_username }
          : null,
      row,
    };
  }

  /** Two incidents locked in id order (so two merges never wait on each other in a cycle). */
  async lockBoth(tx: Transaction, ids: [string, string]): Promise<string[]> {
    const rows = await tx.query<{ id: string }>(
      'SELECT id FROM incidents WHERE id = ANY($1::uuid[]) ORDER BY id FOR UPDATE',
      [ids],
    );
    return rows.map((r) => r.id);
  }

  /** Every alert id of the incident (read under the incident's lock: see IncidentsService). */
  async memberIds(tx: Transaction, id: string): Promise<string[]> {
    const rows = await tx.query<{ alert_id: string }>(
      'SELECT alert_id FROM incident_alerts WHERE incident_id = $1',
      [id],
    );
    return rows.map((r) => r.alert_id);
  }

  /** Applies a workflow change (status, assignee, resolution) and writes its history rows. */
  async apply(
    tx: Transaction,
    id: string,
    next: { status: AlertStatus; assigneeId: string | null; resolution: Resolution | null },
    changes: readonly FieldChange[],
    actor: Actor,
    note: string | null,
  ): Promise<void> {
    await tx.execute(
      `UPDATE incidents SET status = $2::text, assignee_id = $3, resolution = $4::text,
         version = version + 1, updated_at = now(),
         acknowledged_at = CASE WHEN $2::text = 'acknowledged'
           THEN coalesce(acknowledged_at, now()) ELSE acknowledged_at END,
         resolved_at = CASE WHEN $2::text = 'resolved'
           THEN coalesce(resolved_at, now()) ELSE resolved_at END
       WHERE id = $1`,
      [id, next.status, next.assigneeId, next.resolution],
    );
    await this.record(
      tx,
      id,
      changes.map((c) => ({ ...c, note })),
      actor,
    );
  }

  /** History rows for the incident, in order. */
  async record(
    on: Queryable,
    id: string,
    entries: readonly IncidentHistoryEntry[],
    actor: Actor,
  ): Promise<void> {
    if (entries.length === 0) return;
    await on.execute(
      `INSERT INTO incident_history
         (incident_id, actor_id, actor_username, field, from_value, to_value, resolution, note)
       SELECT $1, $2, $3, h.field, h.from_value, h.to_value, h.resolution, h.note
       FROM unnest($4::varchar[], $5::text[], $6::text[], $7::varchar[], $8::text[])
         WITH ORDINALITY AS h(field, from_value, to_value, resolution, note, n)
       ORDER BY h.n`,
      [
        id,
        actor.id,
        actor.username,
        entries.map((e) => e.field),
        entries.map((e) => e.from),
        entries.map((e) => e.to),
        entries.map((e) => e.resolution),
        entries.map((e) => e.note),
      ],
    );
  }

  async history(id: string): Promise<IncidentHistoryRow[] | null> {
    const rows = await this.db.query<IncidentHistoryRow>(
      `SELECT id::text, at, actor_id, actor_username, field, from_value, to_value, resolution, note
       FROM incident_history WHERE incident_id = $1 ORDER BY id`,
      [id],
    );
    if (rows.length > 0) return rows;
    const exists = await this.db.query('SELECT 1 FROM incidents WHERE id = $1', [id]);
    return exists.length ? [] : null;
  }

  /**
   * Recounts the incident from its alerts (count, highest severity, first and last alert): after
   * a merge or a move, what the grouping keeps up as alerts arrive.
   */
  async recount(tx: Transaction, id: string): Promise<void> {
    await tx.execute(
      `UPDATE incidents i SET
         alert_count = s.n,
         severity = coalesce(s.severity, i.severity),
         first_alert_at = coalesce(s.first_at, i.first_alert_at),
         last_alert_at = coalesce(s.last_at, i.last_alert_at),
         updated_at = now()
       FROM (SELECT count(*)::int AS n,
                    (ARRAY['low', 'medium', 'high', 'critical'])[max(${SEVERITY_RANK})] AS severity,
                    min(a.created_at) AS first_at, max(a.created_at) AS last_at
             FROM incident_alerts ia JOIN alerts a ON a.id = ia.alert_id
             WHERE ia.incident_id = $1) s
       WHERE i.id = $1`,
      [id],
    );
  }

  /** Moves every alert of `from` into `into`; how many moved. */
  moveAll(tx: Transaction, from: string, into: string): Promise<number> {
    return tx.execute('UPDATE incident_alerts SET incident_id = $2 WHERE incident_id = $1', [
      from,
      into,
    ]);
  }

  /** Takes the alert out of the incident; false when it was not in it. */
  async removeAlert(tx: Transaction, id: string, alertId: string): Promise<boolean> {
    return (
      (await tx.execute('DELETE FROM incident_alerts WHERE incident_id = $1 AND alert_id = $2', [
        id,
        alertId,
      ])) > 0
    );
  }

  /** Closes a merged incident: resolved as a duplicate, holding no alerts. */
  async closeAsMerged(tx: Transaction, id: string): Promise<void> {
    await tx.execute(
      `UPDATE incidents SET status = 'resolved', resolution = 'duplicate', alert_count = 0,
         resolved_at = coalesce(resolved_at, now()), version = version + 1, updated_at = now()
       WHERE id = $1`,
      [id],
    );
  }

  /**
   * Open incidents by status now, and over the incidents created in the last `hours` hours:
   * how many, alerts per incident, and the mean time to the first acknowledgement and to the
   * resolution (incidents closed by a merge left out).
   */
  async stats(hours: number): Promise<IncidentStats> {
    const [row] = await this.db.query<{
      open: number;
      acknowledged: number;
      resolved: number;
      created: number;
      mean_alerts: number | null;
      max_alerts: number | null;
      mtta: number | null;
      mttr: number | null;
    }>(
      `WITH recent AS (
         SELECT * FROM incidents
         WHERE created_at >= now() - make_interval(hours => $1::int)
           AND NOT (status = 'resolved' AND resolution = 'duplicate' AND alert_count = 0)
       )
       SELECT
         (SELECT count(*)::int FROM incidents WHERE status = 'open') AS open,
         (SELECT count(*)::int FROM incidents WHERE status = 'acknowledged') AS acknowledged,
         (SELECT count(*)::int FROM incidents WHERE status = 'resolved') AS resolved,
         (SELECT count(*)::int FROM recent) AS created,
         (SELECT round(avg(alert_count), 2)::float8 FROM recent) AS mean_alerts,
         (SELECT max(alert_count) FROM recent) AS max_alerts,
         (SELECT extract(epoch FROM avg(acknowledged_at - created_at))::float8 FROM recent
          WHERE acknowledged_at IS NOT NULL) AS mtta,
         (SELECT extract(epoch FROM avg(resolved_at - created_at))::float8 FROM recent
          WHERE resolved_at IS NOT NULL) AS mttr`,
      [hours],
    );
    return {
      hours,
      by_status: { open: row.open, acknowledged: row.acknowledged, resolved: row.resolved },
      created: row.created,
      alerts_per_incident: { mean: row.mean_alerts, max: row.max_alerts },
      mtta_seconds: row.mtta === null ? null : Math.round(row.mtta),
      mttr_seconds: row.mttr === null ? null : Math.round(row.mttr),
    };
  }
}
