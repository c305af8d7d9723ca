// Admins change many alerts at once (POST /api/alerts/bulk): the selected rows, or every alert
// matching the current filters (asked twice, since that can be thousands).
import { useEffect, useState } from 'preact/hooks';
import { errorMessage, send } from '../api.js';
import { count, label } from '../format.js';
import { useApp } from '../hooks.js';
import { RESOLUTIONS, type BulkResult } from '../types.js';
import { bulkFilter, hasFilters, type Filters } from '../view-state.js';

type Action = 'acknowledged' | 'open' | 'resolved' | 'assign' | 'unassign';

const ACTIONS: Array<{ value: Action; label: string }> = [
  { value: 'acknowledged', label: 'Acknowledge' },
  { value: 'resolved', label: 'Resolve' },
  { value: 'open', label: 'Reopen' },
  { value: 'assign', label: 'Assign to…' },
  { value: 'unassign', label: 'Unassign' },
];

interface Props {
  filters: Filters;
  selected: string[];
  matching?: number;
  onDone: () => void;
}

export function BulkActions({ filters, selected, matching, onDone }: Props) {
  const { dataChanged } = useApp();
  const [scope, setScope] = useState<'selected' | 'filter'>('selected');
  const [action, setAction] = useState<Action>('acknowledged');
  const [resolution, setResolution] = useState<string>(RESOLUTIONS[0]);
  const [assignee, setAssignee] = useState('');
  const [note, setNote] = useState('');
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState(false);
  const [outcome, setOutcome] = useState<{ error: boolean; text: string }>();
  const filtered = hasFilters(filters);

  useEffect(() => setConfirming(false), [scope, action, filters, selected.length]);
  useEffect(() => {
    if (scope === 'filter' && !filtered) setScope('selected');
  }, [filtered, scope]);

  const target = scope === 'selected' ? selected.length : (matching ?? 0);
  const ready = target > 0 && (action !== 'assign' || assignee.trim() !== '');

  const apply = async (event: Event) => {
    event.preventDefault();
    if (scope === 'filter' && !confirming) {
      setConfirming(true);
      return;
    }
    const set: Record<string, unknown> =
      action === 'assign'
        ? { assignee: assignee.trim() }
        : action === 'unassign'
          ? { assignee: null }
          : action === 'resolved'
            ? { status: 'resolved', resolution }
            : { status: action };
    const body: Record<string, unknown> = {
      ...(scope === 'selected' ? { ids: selected } : { filter: bulkFilter(filters) }),
      set,
      ...(note.trim() ? { note: note.trim() } : {}),
    };
    setBusy(true);
    try {
      const result = await send<BulkResult>('POST', '/api/alerts/bulk', body);
      const reasons = [...new Set(result.skipped.map((s) => label(s.reason)))].join(', ');
      setOutcome({
        error: false,
        text:
          `Changed ${count(result.updated)} of ${count(result.matched)} alerts` +
          (result.skipped.length
            ? `; ${count(result.skipped.length)} left as they were (${reasons})`
            : '') +
          (result.truncated ? '; more matched than one call changes — apply again to go on' : '') +
          '.',
      });
      setNote('');
      onDone();
      dataChanged();
    } catch (error) {
      setOutcome({ error: true, text: errorMessage(error) });
    } finally {
      setBusy(false);
      setConfirming(false);
    }
  };

  return (
    <form class="bulk" onSubmit={(e) => void apply(e)} aria-label="Bulk actions">
      <fieldset class="scope">
        <legend>Change</legend>
        <label class="check">
          <input
            type="radio"
            name="bulk-scope"
            value="selected"
            checked={scope === 'selected'}
            onChange={() => setScope('selected')}
          />
          {count(selected.length)} selected
        </label>
        <label class="check" title={filtered ? undefined : 'Set at least one filter first'}>
          <input
            type="radio"
            name="bulk-scope"
            value="filter"
            checked={scope === 'filter'}
            disabled={!filtered}
            onChange={() => setScope('filter')}
          />
          all {matching === undefined ? '' : count(matching)} matching the filters
        </label>
      </fieldset>
      <div class="field">
        <label for="bulk-action">Action</label>
        <select
          id="bulk-action"
          value={action}
          onChange={(e) => setAction(e.currentTarget.value as Action)}
        >
          {ACTIONS.map((a) => (
            <option key={a.value} value={a.value}>
              {a.label}
            </option>
          ))}
        </select>
      </div>
      {action === 'resolved' && (
        <div class="field">
          <label for="bulk-resolution">Resolution</label>
          <select
            id="bulk-resolution"
            value={resolution}
            onChange={(e) => setResolution(e.currentTarget.value)}
          >
            {RESOLUTIONS.map((r) => (
              <option key={r} value={r}>
                {label(r)}
              </option>
            ))}
          </select>
        </div>
      )}
      {action === 'assign' && (
        <div class="field">
          <label for="bulk-assignee">Assignee (username)</label>
          <input
            id="bulk-assignee"
            value={assignee}
            list="known-users"
            onInput={(e) => setAssignee(e.currentTarget.value)}
          />
        </div>
      )}
      <div class="field wide">
        <label for="bulk-note">Note (optional)</label>
        <input
          id="bulk-note"
          value={note}
          maxLength={5000}
          onInput={(e) => setNote(e.currentTarget.value)}
        />
      </div>
      <div class="actions">
        <button type="submit" disabled={!ready || busy} class={confirming ? 'danger' : ''}>
          {confirming
            ? `Confirm: change up to ${count(target)} alerts`
            : `Apply to ${count(target)}`}
        </button>
        {confirming && (
          <button type="button" class="ghost" onClick={() => setConfirming(false)}>
            Cancel
          </button>
        )}
      </div>
      {outcome && (
        <p
          class={outcome.error ? 'error' : 'ok'}
          role={outcome.error ? 'alert' : 'status'}
          data-testid="bulk-outcome"
        >
          {outcome.text}
        </p>
      )}
    </form>
  );
}
