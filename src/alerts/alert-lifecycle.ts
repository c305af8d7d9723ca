// The rules of an alert's life, pure: which status may follow which, what a requested change
// turns into (the field changes to apply and audit), and why it cannot be applied. The single
// PATCH and the bulk action both plan every alert through `planChange`, so a bulk change is
// validated exactly as if it had been made one alert at a time.
import type { AlertStatus, Resolution } from './alert.types.js';

/** Status → the statuses it may become. `resolved` is final. */
export const TRANSITIONS: Readonly<Record<AlertStatus, readonly AlertStatus[]>> = {
  open: ['acknowledged', 'resolved'],
  acknowledged: ['open', 'resolved'],
  resolved: [],
};

export interface UserRef {
  id: string;
  username: string;
}

/** What a change is checked against: the alert as it is, read under a row lock. */
export interface AlertState {
  id: string;
  status: AlertStatus;
  assignee: UserRef | null;
  resolution: Resolution | null;
  version: number;
}

/**
 * A requested change, already valid on its own (a resolution comes with `status: resolved` and
 * only then; the assignee is an active user). `assignee` undefined leaves it, null unassigns.
 */
export interface RequestedChange {
  status?: AlertStatus;
  resolution?: Resolution;
  assignee?: UserRef | null;
}

/** One audited field change. A change of status to `resolved` carries the resolution. */
export interface FieldChange {
  field: 'status' | 'assignee';
  from: string | null;
  to: string | null;
  resolution: Resolution | null;
}

export type RefusalReason = 'resolved_is_final' | 'invalid_transition';

export type ChangePlan =
  | {
      kind: 'apply';
      /** Empty when the alert already is as requested (nothing to write). */
      changes: FieldChange[];
      next: { status: AlertStatus; assigneeId: string | null; resolution: Resolution | null };
    }
  | { kind: 'refuse'; reason: RefusalReason; message: string; allowed: readonly AlertStatus[] };

/** `noun` names what is changed in refusals: an alert, or an incident (same lifecycle). */
export function planChange(
  state: AlertState,
  change: RequestedChange,
  noun: 'Alert' | 'Incident' = 'Alert',
): ChangePlan {
  const allowed = TRANSITIONS[state.status];
  if (state.status === 'resolved') {
    return {
      kind: 'refuse',
      reason: 'resolved_is_final',
      message: `${noun} ${state.id} is resolved, and resolved is final: it can take notes but no changes`,
      allowed,
    };
  }
  const changes: FieldChange[] = [];
  const next: Extract<ChangePlan, { kind: 'apply' }>['next'] = {
    status: state.status,

    assigneeId: state.assignee?.id ?? null,
    resolution: state.resolution,
  };

  if (change.status !== undefined && change.status !== state.status) {
    if (!allowed.includes(change.status)) {
      return {
        kind: 'refuse',
        reason: 'invalid_transition',
        message: `${noun} ${state.id} cannot go from ${state.status} to ${change.status}; allowed: ${allowed.join(', ')}`,
        allowed,
      };
    }
    next.status = change.status;
    next.resolution = change.status === 'resolved' ? (change.resolution ?? null) : null;
    changes.push({
      field: 'status',
      from: state.status,
      to: change.status,
      resolution: next.resolution,
    });
  }

  if (change.assignee !== undefined && change.assignee?.id !== state.assignee?.id) {
    next.assigneeId = change.assignee?.id ?? null;
    changes.push({
      field: 'assignee',
      from: state.assignee?.username ?? null,
      to: change.assignee?.username ?? null,
      resolution: null,
    });
  }
  return { kind: 'apply', changes, next };
}
