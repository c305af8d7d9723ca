import type { AlertStatus } from './alert.types.js';
import { type AlertState, planChange, TRANSITIONS } from './alert-lifecycle.js';

const alice = { id: 'u-alice', username: 'alice' };
const bob = { id: 'u-bob', username: 'bob' };

function alert(status: AlertStatus, extra: Partial<AlertState> = {}): AlertState {
  return { id: 'a1', status, assignee: null, resolution: null, version: 3, ...extra };
}

describe(planChange.name, () => {
  it.each([
    ['open', 'acknowledged'],
    ['open', 'resolved'],
    ['acknowledged', 'open'],
    ['acknowledged', 'resolved'],
  ] as const)('allows %s → %s and audits it', (from, to) => {
    const resolution = to === 'resolved' ? 'benign' : undefined;
    const sut = planChange(alert(from), { status: to, resolution });
    expect(sut).toEqual({
      kind: 'apply',
      changes: [{ field: 'status', from, to, resolution: resolution ?? null }],
      next: { status: to, assigneeId: null, resolution: resolution ?? null },
    });
  });

  it.each(['open', 'acknowledged', 'resolved'] as const)(
    'refuses any change to a resolved alert (to %s), naming no allowed transition',
    (to) => {
      const sut = planChange(alert('resolved', { resolution: 'duplicate' }), { status: to });
      expect(sut).toMatchObject({ kind: 'refuse', reason: 'resolved_is_final', allowed: [] });
    },
  );

  it('refuses reassigning a resolved alert too', () => {
    const sut = planChange(alert('resolved'), { assignee: alice });
    expect(sut).toMatchObject({ kind: 'refuse', reason: 'resolved_is_final' });
  });

  it('treats a status already held as no change', () => {
    expect(planChange(alert('acknowledged'), { status: 'acknowledged' })).toEqual({
      kind: 'apply',
      changes: [],
      next: { status: 'acknowledged', assigneeId: null, resolution: null },
    });
  });

  it('audits assignment by username, and unassignment', () => {
    expect(planChange(alert('open', { assignee: alice }), { assignee: bob })).toMatchObject({
      changes: [{ field: 'assignee', from: 'alice', to: 'bob', resolution: null }],
      next: { assigneeId: 'u-bob' },
    });
    expect(planChange(alert('open', { assignee: alice }), { assignee: null })).toMatchObject({
      changes: [{ field: 'assignee', from: 'alice', to: null }],
      next: { assigneeId: null },
    });
    expect(planChange(alert('open', { assignee: alice }), { assignee: alice })).toMatchObject({
      changes: [],
    });
  });

  it('plans a status and an assignee change together, status first', () => {
    const sut = planChange(alert('open'), { status: 'acknowledged', assignee: bob });
    expect(sut).toMatchObject({
      kind: 'apply',
      changes: [
        { field: 'status', from: 'open', to: 'acknowledged' },
        { field: 'assignee', from: null, to: 'bob' },
      ],
      next: { status: 'acknowledged', assigneeId: 'u-bob' },
    });
  });

  it('has every status in the transition table, and nothing leaves resolved', () => {
    expect(Object.keys(TRANSITIONS).sort()).toEqual(['acknowledged', 'open', 'resolved']);
    expect(TRANSITIONS.resolved).toEqual([]);
  });
});
