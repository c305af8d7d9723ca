// The SQL of changing alerts: reading alerts under a row lock, applying planned changes together
// with their history rows in one statement, notes, and reading the history back. Every write
// takes the transaction's EntityManager, so the change and its audit commit or fail together.
import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import type { AlertStatus, Resolution } from './alert.types.js';
import type { AlertState, FieldChange, UserRef } from './alert-lifecycle.js';
import {
  alertByIdQuery,
  alertConditions,
  type AlertDetailRow,
  type AlertFilter,
} from './alert-sql.js';

export interface Actor {
  id: string;
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
export class AlertWorkflowRepository {
  constructor(private readonly dataSource: DataSource) {}

  transaction<T>(work: (tx: EntityManager) => Promise<T>): Promise<T> {
    return this.dataSource.transaction(work);
  }

  async findAssignableUser(username: string): Promise<UserRef | null> {
    const rows = await this.dataSource.query<UserRef[]>(
      'SELECT id, username FROM users WHERE username = $1 AND is_active',
      [username.toLowerCase()],
    );
    return rows[0] ?? null;
  }

  /** The alerts with these ids, locked until the transaction ends, in id order (no deadlock). */
  async lockByIds(tx: EntityManager, ids: readonly string[]): Promise<AlertState[]> {
    const locked = await tx.query<Array<{ id: string }>>(
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
  async lockMatching(tx: EntityManager, filter: AlertFilter, limit: number): Promise<AlertState[]> {
    const where = alertConditions(filter);
    const newest = `SELECT a.id FROM alerts a ${where.toSql()}
      ORDER BY a.created_at DESC, a.id DESC LIMIT ${where.param(limit)}`;
    const matching = where.clone().add(`a.id = ANY(ARRAY(${newest}))`);
    const locked = await tx.query<Array<{ id: string }>>(
      `SELECT a.id FROM alerts a ${matching.toSql()} ORDER BY a.id FOR UPDATE`,
      matching.params,
    );
    return this.readStates(tx, locked, 'ORDER BY a.created_at DESC, a.id DESC');
  }

  /** The state of alerts this transaction holds locked (see STATE_READ). */
  private async readStates(
    tx: EntityManager,
    locked: ReadonlyArray<{ id: string }>,
    order: string,
  ): Promise<AlertState[]> {
    if (locked.length === 0) return [];
    const rows = await tx.query<StateRow[]>(`${STATE_READ} ${order}`, [locked.map((r) => r.id)]);
    return rows.map(toState);
  }

  async countMatching(tx: EntityManager, filter: AlertFilter): Promise<number> {
    const where = alertConditions(filter);
    const [row] = await tx.query<Array<{ n: number }>>(
      `SELECT count(*)::int AS n FROM alerts a ${where.toSql()}`,
      where.params,
    );
    return row.n;
  }

  /**
   * Applies every update and writes one history row per field change, in one statement (one
   * round trip whether it is one alert or ten thousand). `note` goes on every change row.
   */
  async apply(
    tx: EntityManager,
    updates: readonly AlertUpdate[],
    actor: Actor,
    note: string | null,
  ): Promise<void> {
    if (updates.length === 0) return;
    const changes = updates.flatMap((u) => u.changes.map((c) => ({ id: u.id, ...c })));
    await tx.query(
      `WITH updated AS (
         UPDATE alerts a
         SET status = u.status, assignee_id = u.assignee_id, resolution = u.resolution,
             version = a.version + 1, updated_at = now()
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
    tx?: EntityManager,
  ): Promise<HistoryRow | null> {
    const rows = await (tx ?? this.dataSource).query<HistoryRow[]>(
      `INSERT INTO alert_history (alert_id, actor_id, actor_username, note)
       SELECT id, $2, $3, $4 FROM alerts WHERE id = $1
       RETURNING ${HISTORY_COLUMNS}`,
      [alertId, actor.id, actor.username, text],
    );
    return rows[0] ?? null;
  }

  /** Oldest first; null when the alert does not exist. */
  async history(alertId: string): Promise<HistoryRow[] | null> {
    const rows = await this.dataSource.query<HistoryRow[]>(
      `SELECT ${HISTORY_COLUMNS} FROM alert_history WHERE alert_id = $1 ORDER BY id`,
      [alertId],
    );
    if (rows.length > 0) return rows;
    const exists = await this.dataSource.query<unknown[]>('SELECT 1 FROM alerts WHERE id = $1', [
      alertId,
    ]);
    return exists.length ? [] : null;
  }

  async read(tx: EntityManager, id: string): Promise<AlertDetailRow | null> {
    const query = alertByIdQuery(id);
    const [row] = await tx.query<AlertDetailRow[]>(query.sql, query.params);

    return row ?? null;
  }
}
