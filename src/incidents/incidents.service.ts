// Changing incidents: a PATCH (status, assignee, resolution, note), a merge, an alert moved out.
// Each runs in one transaction holding the incident (and, to resolve, its alerts) locked, planned
// through the alerts' own lifecycle rules, and audited. Resolving an incident resolves its alerts
// as a bulk change would: each planned and audited one by one, a resolved alert skipped with its
// reason; one history row on the incident, one per alert changed.
import { Injectable } from '@nestjs/common';
import { planChange, type UserRef } from '../alerts/alert-lifecycle.js';
import { type Actor, AlertStore, type AlertUpdate } from '../alerts/alert.store.js';
import type { AlertStatus, Resolution } from '../alerts/alert.types.js';
import type { SkipReason } from '../alerts/alert-workflow.service.js';
import { InvalidTransitionError } from '../alerts/invalid-transition.error.js';
import { StaleVersionError } from '../alerts/stale-version.error.js';
import { ifMatchAllows } from '../common/http/etag.js';
import { ConflictError, InvalidInputError, NotFoundError } from '../common/problem/domain-error.js';
import { type Transaction, Transactions } from '../database/database.js';
import { UsersService } from '../users/users.service.js';
import { IncidentStore, type IncidentRow } from './incident.store.js';

export interface IncidentChange {
  status?: AlertStatus;
  resolution?: Resolution;
  /** A username; null unassigns. */
  assignee?: string | null;
  note?: string;
}

/** What a change did to the incident's alerts (a resolution only). */
export interface AlertsOutcome {
  updated: number;
  skipped: Array<{ id: string; reason: SkipReason; message: string }>;
}

@Injectable()
export class IncidentsService {
  constructor(
    private readonly store: IncidentStore,
    private readonly alerts: AlertStore,
    private readonly transactions: Transactions,
    private readonly users: UsersService,
  ) {}

  async get(id: string): Promise<IncidentRow> {
    const row = await this.store.find(id);
    if (!row) throw new NotFoundError('Incident', id);
    return row;
  }

  async update(
    id: string,
    change: IncidentChange,
    actor: Actor,
    precondition: { version?: number; ifMatch?: string },
  ): Promise<{ incident: IncidentRow; alerts: AlertsOutcome | null }> {
    const { note, ...requested } = change;
    const changesSomething = requested.status !== undefined || requested.assignee !== undefined;
    if (!changesSomething && note === undefined) {
      throw new InvalidInputError([
        { field: 'status', message: 'nothing to change: give status, assignee or note' },
      ]);
    }
    const assignee = await this.assignee(requested.assignee);

    return this.transactions.run(async (tx) => {
      const state = await this.store.lock(tx, id);
      if (!state) throw new NotFoundError('Incident', id);
      if (precondition.ifMatch !== undefined && !ifMatchAllows(precondition.ifMatch, state.version))
        throw new StaleVersionError(id, state.version, 'if-match', 'Incident');
      if (precondition.version !== undefined && precondition.version !== state.version)
        throw new StaleVersionError(id, state.version, 'body', 'Incident');

      let alerts: AlertsOutcome | null = null;
      let written = false;
      if (changesSomething) {
        const plan = planChange(state, { ...requested, assignee }, 'Incident');
        if (plan.kind === 'refuse')
          throw new InvalidTransitionError(plan.message, state.status, plan.allowed);
        if (plan.changes.length > 0) {
          await this.store.apply(tx, id, plan.next, plan.changes, actor, note ?? null);
          written = true;
          if (plan.next.status === 'resolved') {
            alerts = await this.resolveAlerts(tx, id, plan.next.resolution!, actor, note);
          }
        }
      }
      if (!written && note !== undefined) {
        await this.store.record(
          tx,
          id,
          [{ field: null, from: null, to: null, resolution: null, note }],
          actor,
        );
      }
      return { incident: (await this.store.find(id, tx))!, alerts };
    });
  }

  /**
   * Merges `sourceId` into `targetId`: its alerts move over, it is closed as a duplicate of the
   * target, and both record it. Neither may be resolved.
   */
  async merge(targetId: string, sourceId: string, actor: Actor): Promise<IncidentRow> {
    if (targetId === sourceId) {
      throw new InvalidInputError([
        { field: 'incident_id', message: 'an incident cannot be merged into itself' },
      ]);
    }
    return this.transactions.run(async (tx) => {
      const locked = await this.store.lockBoth(tx, [targetId, sourceId]);
      for (const id of [targetId, sourceId])
        if (!locked.includes(id)) throw new NotFoundError('Incident', id);
      const [target, source] = await Promise.all([
        this.store.find(targetId, tx),
        this.store.find(sourceId, tx),
      ]);
      for (const incident of [target!, source!]) {
        if (incident.status === 'resolved')
          throw new ConflictError(
            `Incident ${incident.id} is resolved, and resolved is final: it cannot be merged`,
          );
      }
      const moved = await this.store.moveAll(tx, sourceId, targetId);
      await this.store.closeAsMerged(tx, sourceId);
      await this.store.recount(tx, targetId);
      const note = `${moved} alert${moved === 1 ? '' : 's'} moved`;
      await this.store.record(
        tx,
        targetId,
        [{ field: 'merge', from: sourceId, to: targetId, resolution: null, note }],
        actor,
      );
      await this.store.record(
        tx,
        sourceId,
        [{ field: 'merge', from: sourceId, to: targetId, resolution: 'duplicate', note }],
        actor,
      );
      return (await this.store.find(targetId, tx))!;
    });
  }

  /** Takes an alert out of the incident (it is then in none); recorded on the incident. */
  async removeAlert(id: string, alertId: string, actor: Actor): Promise<IncidentRow> {
    return this.transactions.run(async (tx) => {
      const state = await this.store.lock(tx, id);
      if (!state) throw new NotFoundError('Incident', id);
      if (!(await this.store.removeAlert(tx, id, alertId)))
        throw new NotFoundError(`Alert ${alertId} in incident`, id);
      await this.store.recount(tx, id);
      await this.store.record(
        tx,
        id,
        [{ field: 'alert_moved', from: alertId, to: null, resolution: null, note: null }],
        actor,
      );
      return (await this.store.find(id, tx))!;
    });
  }

  /** Every alert of the incident not resolved yet is resolved, each audited; the rest skipped. */
  private async resolveAlerts(
    tx: Transaction,
    id: string,
    resolution: Resolution,
    actor: Actor,
    note: string | undefined,
  ): Promise<AlertsOutcome> {
    // The incident is held locked: no alert joins, leaves or moves meanwhile.
    const states = await this.alerts.lockByIds(tx, await this.store.memberIds(tx, id));
    const skipped: AlertsOutcome['skipped'] = [];
    const updates: AlertUpdate[] = [];
    for (const state of states) {
      const plan = planChange(state, { status: 'resolved', resolution });
      if (plan.kind === 'refuse') {
        skipped.push({ id: state.id, reason: plan.reason, message: plan.message });
      } else if (plan.changes.length > 0) {
        updates.push({ id: state.id, ...plan.next, changes: plan.changes });
      }
    }
    await this.alerts.apply(tx, updates, actor, note ?? `Resolved with incident ${id}`);
    return { updated: updates.length, skipped };
  }

  private async assignee(username: string | null | undefined): Promise<UserRef | null | undefined> {
    if (username === undefined || username === null) return username;
    const user = await this.users.findActiveRef(username);
    if (!user)
      throw new InvalidInputError([
        { field: 'assignee', message: `no active user is named ${username}` },
      ]);
    return user;
  }
}
