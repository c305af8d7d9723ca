// One incident: its fields, its newest 50 alerts (one list request, `incident_id=`) and its
// history; admins acknowledge, assign, add a note and resolve it (PATCH with If-Match, so a change
// made meanwhile is not overwritten), resolving after a second click and saying what it did to the
// alerts.
import { useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';
import { Drawer } from './drawer.js';
import { describeChange, HistorySection } from './history-section.js';
import { ApiError, call, errorMessage, get } from '../api.js';
import { count, dateTime, label, relative } from '../format.js';
import { useApp, useResource } from '../hooks.js';
import {
  RESOLUTIONS,
  type AlertPage,
  type IncidentDetail,
  type IncidentHistory,
  type IncidentHistoryEntry,
  type Resolution,
  type UpdatedIncident,
} from '../types.js';
import { OutcomeLine, type Outcome } from './admin-widgets.js';

/** How many of its alerts the drawer reads and lists. */
const ALERTS_SHOWN = 50;

interface Props {
  id: string;
  /** The version the list holds (from the stream): a newer one reloads the drawer. */
  knownVersion?: number;
  onClose: () => void;
  /** Open one of its alerts in the alert drawer. */
  onOpenAlert: (id: string) => void;
  /** The incident as a change made here left it (for the list's row). */
  onSaved: (incident: UpdatedIncident) => void;
}

interface Loaded {
  incident: IncidentDetail;
  etag: string | null;
}

export function IncidentDrawer({ id, knownVersion, onClose, onOpenAlert, onSaved }: Props) {
  const { isAdmin, dataVersion } = useApp();
  /** Bumped after a change made here. */
  const [changes, setChanges] = useState(0);
  const path = `/api/incidents/${encodeURIComponent(id)}`;
  const detail = useResource(
    async (signal): Promise<Loaded> => {
      const res = await call<IncidentDetail>('GET', path, { signal });
      return { incident: res.data, etag: res.headers.get('etag') };
    },
    [id, dataVersion, changes, knownVersion],
  );
  const history = useResource(
    (signal) => get<IncidentHistory>(`${path}/history`, signal),
    [id, dataVersion, changes, knownVersion],
  );
  // Read beside the detail rather than from its alert_ids: one request whatever the incident holds,
  // and its total counts the alerts as the list does.
  const alerts = useResource(
    (signal) =>
      get<AlertPage>(
        `/api/alerts?incident_id=${encodeURIComponent(id)}&limit=${ALERTS_SHOWN}`,
        signal,
      ),
    [id, dataVersion, changes, knownVersion],
  );
  const shown = alerts.data?.alerts ?? [];
  const i = detail.data?.incident;

  return (
    <Drawer
      title={i ? i.title : 'Incident'}
      titleId="incident-drawer-title"
      closeLabel="Close incident details"
      testId="incident-drawer"
      onClose={onClose}
    >
      {detail.error !== undefined && (
        <p class="error" role="alert">
          {errorMessage(detail.error)}
        </p>
      )}
      {i && (
        <>
          <div class="chips">
            <span class={`sev sev-${i.severity}`}>{i.severity}</span>
            <span class={`st st-${i.status}`} data-testid="incident-status">
              {i.status}
            </span>
            {i.resolution && (
              <span class="tag" data-testid="incident-resolution">
                {label(i.resolution)}
              </span>
            )}
          </div>
          <dl class="facts">
            <dt>Rule</dt>
            <dd>
              {i.rule_name}
              {i.rule_id === null && <span class="muted"> (deleted)</span>}
            </dd>
            <dt>Shared</dt>
            <dd class="mono">
              {Object.entries(i.key)
                .map(([k, v]) => `${k} ${String(v)}`)
                .join(' · ')}
            </dd>
            <dt>Alerts</dt>
            <dd data-testid="incident-alert-count">{count(i.alert_count)}</dd>
            <dt>First alert</dt>
            <dd>{dateTime(i.first_alert_at)}</dd>
            <dt>Last alert</dt>
            <dd>{dateTime(i.last_alert_at)}</dd>
            <dt>Window</dt>
            <dd>
              {dateTime(i.window_start)} – {dateTime(i.window_end)}
            </dd>
            <dt>Created</dt>
            <dd>{dateTime(i.created_at)}</dd>
            <dt>Assignee</dt>
            <dd data-testid="incident-assignee">{i.assignee?.username ?? 'nobody'}</dd>
            <dt>Id</dt>
            <dd class="mono small">{i.id}</dd>
          </dl>
          {isAdmin && detail.data && (
            <IncidentActions
              key={i.id}
              loaded={detail.data}
              onChanged={(saved) => {
                if (saved) onSaved(saved);
                setChanges((n) => n + 1);
              }}
            />
          )}
          <section aria-labelledby="incident-alerts-title">
            <h3 id="incident-alerts-title">Its alerts</h3>
            {alerts.data && (
              <p class="muted" data-testid="incident-alerts-summary">
                {alerts.data.has_more
                  ? `The newest ${count(shown.length)} of ${count(alerts.data.total)}${
                      alerts.data.total_capped ? '+' : ''
                    } alerts.`
                  : `${count(alerts.data.total)} alert${alerts.data.total === 1 ? '' : 's'}, newest first.`}
              </p>
            )}
            {alerts.error !== undefined && (
              <p class="error" role="alert">
                {errorMessage(alerts.error)}
              </p>
            )}
            <ul class="related-list" data-testid="incident-alerts" aria-busy={alerts.loading}>
              {shown.map((a) => (
                <li key={a.id} data-alert-id={a.id}>
                  <span class={`sev sev-${a.severity}`}>{a.severity}</span>{' '}
                  <span class={`st st-${a.status}`}>{a.status}</span>{' '}
                  <button type="button" class="link" onClick={() => onOpenAlert(a.id)}>
                    {a.description}
                  </button>{' '}
                  <small class="muted" title={dateTime(a.created_at)}>
                    {relative(a.created_at)}
                  </small>
                </li>
              ))}
            </ul>
          </section>
        </>
      )}
      <HistorySection
        titleId="incident-history-title"
        testId="incident-history"
        history={history}
        describe={describeEntry}
      />
    </Drawer>
  );
}

function describeEntry(h: IncidentHistoryEntry): string {
  if (h.field === 'merge') return `merged incident ${h.from ?? '–'} into ${h.to ?? '–'}`;
  if (h.field === 'alert_moved') return `moved alert ${h.from ?? '–'} out`;
  return describeChange(h);
}

/** What a resolve did to the alerts, in words. */
function resolvedOutcome(saved: UpdatedIncident): string {
  const updated = saved.alerts?.updated ?? 0;
  const skipped = saved.alerts?.skipped ?? [];
  const why = skipped.every((s) => s.reason === 'resolved_is_final')
    ? 'already resolved'
    : [...new Set(skipped.map((s) => label(s.reason)))].join(', ');
  return `Resolved: ${count(updated)} alert${updated === 1 ? '' : 's'} resolved with it, ${count(
    skipped.length,
  )} skipped${skipped.length ? ` (${why})` : ''}.`;
}

function IncidentActions({
  loaded,
  onChanged,
}: {
  loaded: Loaded;
  onChanged: (saved?: UpdatedIncident) => void;
}) {
  const { me } = useApp();
  const { incident, etag } = loaded;
  const [assignee, setAssignee] = useState(incident.assignee?.username ?? '');
  const [note, setNote] = useState('');
  const [resolution, setResolution] = useState<Resolution | ''>('');
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState(false);
  const [outcome, setOutcome] = useState<Outcome>();
  const confirmRef = useRef<HTMLButtonElement>(null);

  useEffect(
    () => setAssignee(incident.assignee?.username ?? ''),
    [incident.version, incident.assignee?.username],
  );
  useLayoutEffect(() => {
    if (confirming) confirmRef.current?.focus();
  }, [confirming]);

  const patch = async (body: Record<string, unknown>, done: (saved: UpdatedIncident) => string) => {
    setBusy(true);
    try {
      const res = await call<UpdatedIncident>(
        'PATCH',
        `/api/incidents/${encodeURIComponent(incident.id)}`,
        { body, headers: etag ? { 'if-match': etag } : undefined },
      );
      setOutcome({ kind: 'ok', text: done(res.data) });
      onChanged(res.data);
      return true;
    } catch (error) {
      if (error instanceof ApiError && error.status === 412) {
        setOutcome({
          kind: 'error',
          text: 'Someone changed this incident meanwhile: it has been reloaded, check it and try again.',
        });
        onChanged();
      } else {
        setOutcome({ kind: 'error', text: errorMessage(error) });
      }
      return false;
    } finally {
      setBusy(false);
    }
  };

  const resolved = incident.status === 'resolved';
  const wanted = assignee.trim() || null;

  const addNote = async (event: Event) => {
    event.preventDefault();
    if (!note.trim()) return;
    if (await patch({ note: note.trim() }, () => 'Note added.')) setNote('');
  };
  const resolve = async () => {
    if (!resolution) return;
    const body: Record<string, unknown> = { status: 'resolved', resolution };
    if (note.trim()) body.note = note.trim();
    if (await patch(body, resolvedOutcome)) setNote('');
    setConfirming(false);
  };

  return (
    <section
      class="change incident-actions"
      aria-labelledby="incident-change-title"
      data-testid="incident-actions"
    >
      <h3 id="incident-change-title">Work this incident</h3>
      {resolved ? (
        <p class="muted">Resolved is final: notes can still be added.</p>
      ) : (
        <div class="row-actions">
          {incident.status === 'open' && (
            <button
              type="button"
              disabled={busy}
              onClick={() =>
                void patch({ status: 'acknowledged' }, () => 'Acknowledged (its alerts unchanged).')
              }
            >
              Acknowledge
            </button>
          )}
          {incident.assignee?.username !== me.username && (
            <button
              type="button"
              class="ghost"
              disabled={busy}
              onClick={() =>
                void patch({ assignee: me.username }, () => `Assigned to ${me.username}.`)
              }
            >
              Assign to me
            </button>
          )}
        </div>
      )}
      {!resolved && (
        <form
          class="inline"
          onSubmit={(e) => {
            e.preventDefault();
            if (wanted === (incident.assignee?.username ?? null)) {
              setOutcome({ kind: 'error', text: 'Nothing to change.' });
              return;
            }
            void patch({ assignee: wanted }, () =>
              wanted ? `Assigned to ${wanted}.` : 'Unassigned.',
            );
          }}
        >
          <div class="field">
            <label for="incident-assignee-input">Assignee (username, empty for nobody)</label>
            <input
              id="incident-assignee-input"
              list="known-users"
              value={assignee}
              onInput={(e) => setAssignee(e.currentTarget.value)}
            />
          </div>
          <button type="submit" class="ghost" disabled={busy}>
            Assign
          </button>
        </form>
      )}
      <form class="note" onSubmit={(e) => void addNote(e)}>
        <label for="incident-note">Note (added alone, or kept with a resolve)</label>
        <textarea
          id="incident-note"
          rows={2}
          maxLength={5000}
          value={note}
          onInput={(e) => setNote(e.currentTarget.value)}
        />
        <button type="submit" class="ghost" disabled={busy || !note.trim()}>
          Add note
        </button>
      </form>
      {!resolved && (
        <div class="inline" data-testid="incident-resolve">
          <div class="field">
            <label for="incident-resolution">Resolution</label>
            <select
              id="incident-resolution"
              value={resolution}
              onChange={(e) => {
                setResolution(e.currentTarget.value as Resolution | '');
                setConfirming(false);
              }}
            >
              <option value="">Choose…</option>
              {RESOLUTIONS.map((r) => (
                <option key={r} value={r}>
                  {label(r)}
                </option>
              ))}
            </select>
          </div>
          {!confirming ? (
            <button
              type="button"
              class="ghost warn"
              disabled={busy || !resolution}
              onClick={() => setConfirming(true)}
            >
              Resolve…
            </button>
          ) : (
            <span
              class="confirm"
              role="group"
              aria-label="Resolve the incident?"
              onKeyDown={(e) => e.key === 'Escape' && setConfirming(false)}
            >
              <button
                type="button"
                class="danger"
                ref={confirmRef}
                disabled={busy}
                onClick={() => void resolve()}
              >
                Resolve it and its {count(incident.alert_count)} alerts
              </button>
              <button type="button" class="ghost" onClick={() => setConfirming(false)}>
                Cancel
              </button>
            </span>
          )}
        </div>
      )}
      <OutcomeLine outcome={outcome} testId="incident-outcome" />
    </section>
  );
}
