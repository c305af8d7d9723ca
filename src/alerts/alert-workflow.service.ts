// Changing alerts: a single PATCH, notes, and bulk actions. Each runs in one transaction that
// locks the alerts it reads, plans every alert through the lifecycle rules, and writes the
// changes together with their history, so a change is never stored without its audit row.
import { Injectable } from '@nestjs/common';
import { ifMatchAllows } from '../common/http/etag.js';
import { InvalidInputError, NotFoundError } from '../common/problem/domain-error.js';
import { type Transaction, Transactions } from '../database/database.js';
import { UsersService } from '../users/users.service.js';
import type { AlertStatus, Resolution } from './alert.types.js';
import {
  type AlertState,
  planChange,
  type RefusalReason,
  type UserRef,
} from './alert-lifecycle.js';
import type { AlertDetailRow, AlertFilter } from './alert-sql.js';
import { type Actor, AlertStore, type AlertUpdate, type HistoryRow } from './alert.store.js';
import { BULK_LIMIT } from './dto/alert-change.dto.js';
import { InvalidTransitionError } from './invalid-transition.error.js';
import { StaleVersionError } from './stale-version.error.js';

/** A change as validated by the DTOs: the assignee still a username. */
export interface ChangeRequest {
  status?: AlertStatus;
  resolution?: Resolution;
  assignee?: string | null;
}

/** What the caller believes the alert's version is, if they said. */
export interface Precondition {
  version?: number;
  ifMatch?: string;
}

export type BulkTarget = { ids: string[] } | { filter: AlertFilter };

export type SkipReason = RefusalReason | 'not_found' | 'unchanged';

export interface BulkResult {
  matched: number;
  updated: number;
  skipped: Array<{ id: string; reason: SkipReason; message: string }>;
  truncated: boolean;
}

@Injectable()
export class AlertWorkflowService {
  constructor(
    private readonly store: AlertStore,
    private readonly transactions: Transactions,
    private readonly users: UsersService,
  ) {}

  async update(
    id: string,
    change: ChangeRequest & { note?: string },
    actor: Actor,
    precondition: Precondition,
  ): Promise<AlertDetailRow> {
    const { note, ...requested } = change;
    const changesSomething = requested.status !== undefined || requested.assignee !== undefined;
    if (!changesSomething && note === undefined) {
      throw new InvalidInputError([
        { field: 'status', message: 'nothing to change: give status, assignee or note' },
      ]);
    }
    const assignee = await this.assignee(requested.assignee, 'assignee');

    return this.transactions.run(async (tx) => {
      const [state] = await this.store.lockByIds(tx, [id]);
      if (!state) throw new NotFoundError('Alert', id);
      checkPrecondition(state, precondition);

      let written = false;
      if (changesSomething) {
        const plan = planChange(state, { ...requested, assignee });
        if (plan.kind === 'refuse')
          throw new InvalidTransitionError(plan.message, state.status, plan.allowed);
        if (plan.changes.length > 0) {
          await this.store.apply(
            tx,
            [{ id, ...plan.next, changes: plan.changes }],
            actor,
            note ?? null,
          );
          written = true;
        }
      }
      if (!written && note !== undefined) await this.store.addNote(id, actor, note, tx);

      return (await this.store.findById(id, tx))!;
    });
  }

  async addNote(id: string, text: string, actor: Actor): Promise<HistoryRow> {
    const row = await this.store.addNote(id, actor, text);
    if (!row) throw new NotFoundError('Alert', id);
    return row;
  }

  async history(id: string): Promise<HistoryRow[]> {
    const rows = await this.store.history(id);
    if (!rows) throw new NotFoundError('Alert', id);
    return rows;
  }

  /**
   * Up to BULK_LIMIT alerts, each planned as a single PATCH would be; refused and no-op alerts
   * are listed in `skipped` with the reason, and nothing is written for them.
   */
  async bulk(
    target: BulkTarget,
    change: ChangeRequest,
    note: string | undefined,
    actor: Actor,
  ): Promise<BulkResult> {
    const assignee = await this.assignee(change.assignee, 'set.assignee');
    return this.transactions.run(async (tx) => {
      const { states, matched, truncated, missing } = await this.select(tx, target);
      const skipped: BulkResult['skipped'] = missing.map((id) => ({
        id,
        reason: 'not_found' as const,
        message: `Alert ${id} does not exist`,
      }));
      const updates: AlertUpdate[] = [];
      for (const state of states) {
        const plan = planChange(state, { ...change, assignee });
        if (plan.kind === 'refuse') {
          skipped.push({ id: state.id, reason: plan.reason, message: plan.message });
        } else if (plan.changes.length === 0) {
          skipped.push({
            id: state.id,
            reason: 'unchanged',
            message: `Alert ${state.id} already is as requested`,
          });
        } else {
          updates.push({ id: state.id, ...plan.next, changes: plan.changes });
        }
      }
      await this.store.apply(tx, updates, actor, note ?? null);
      return { matched, updated: updates.length, skipped, truncated };
    });
  }

  private async select(
    tx: Transaction,
    target: BulkTarget,
  ): Promise<{ states: AlertState[]; matched: number; truncated: boolean; missing: string[] }> {
    if ('ids' in target) {
      const ids = [...new Set(target.ids)];
      const states = await this.store.lockByIds(tx, ids);
      const found = new Set(states.map((s) => s.id));
      return {
        states,
        matched: states.length,
        truncated: false,
        missing: ids.filter((id) => !found.has(id)),
      };
    }
    const states = await this.store.lockMatching(tx, target.filter, BULK_LIMIT + 1);
    if (states.length <= BULK_LIMIT)
      return { states, matched: states.length, truncated: false, missing: [] };
    return {
      states: states.slice(0, BULK_LIMIT),
      matched: await this.store.countMatching(tx, target.filter),
      truncated: true,
      missing: [],
    };
  }

  /** undefined: leave it; null: unassign; a username: that user, who must be active. */
  private async assignee(
    username: string | null | undefined,
    field: string,
  ): Promise<UserRef | null | undefined> {
    if (username === undefined || username === null) return username;
    const user = await this.users.findActiveRef(username);
    if (!user)
      throw new InvalidInputError([{ field, message: `no active user is named ${username}` }]);
    return user;
  }
}

function checkPrecondition(state: AlertState, precondition: Precondition): void {
  if (precondition.ifMatch !== undefined && !ifMatchAllows(precondition.ifMatch, state.version))
    throw new StaleVersionError(state.id, state.version, 'if-match');
  if (precondition.version !== undefined && precondition.version !== state.version)
    throw new StaleVersionError(state.id, state.version, 'body');
}
