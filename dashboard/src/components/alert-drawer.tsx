// One alert: its fields, enrichment, event and history; admins change its status, assignee and
// resolution (PATCH with If-Match, so a change made meanwhile by someone else is not overwritten)
// and add notes.
import { useEffect, useState } from 'preact/hooks';
import { Drawer } from './drawer.js';
import { describeChange, HistorySection } from './history-section.js';
import { ApiError, call, errorMessage, get, send } from '../api.js';
import { dateTime, label } from '../format.js';
import { useApp, useResource } from '../hooks.js';
import { type Pivot, PivotLink, RelatedAlertsSection } from './related-alerts.js';
import {
  RESOLUTIONS,
  TRANSITIONS,
  type AlertDetail,
  type AlertHistory,
  type Status,
} from '../types.js';

interface Props {
  id: string;
  onClose: () => void;
  /** Show the alert list filtered by an address or user of this alert. */
  onPivot: (pivot: Pivot) => void;
  /** Open another alert (a related one) in the drawer. */
  onOpen: (id: string) => void;
  /** Open the alert's incident on the incidents page. */
  onIncident: (id: string) => void;
}

interface Loaded {
  alert: AlertDetail;
  etag: string | null;
}

export function AlertDrawer({ id, onClose, onPivot, onOpen, onIncident }: Props) {
  const { isAdmin, dataVersion, dataChanged } = useApp();
  const detail = useResource(
    async (signal): Promise<Loaded> => {
      const res = await call<AlertDetail>('GET', `/api/alerts/${encodeURIComponent(id)}`, {
        signal,
      });
      return { alert: res.data, etag: res.headers.get('etag') };
    },
    [id, dataVersion],
  );
  const history = useResource(
    (signal) => get<AlertHistory>(`/api/alerts/${encodeURIComponent(id)}/history`, signal),
    [id, dataVersion],
  );
  const a = detail.data?.alert;
  const changed = () => dataChanged();

  return (
    <Drawer
      title={a ? a.description : 'Alert'}
      titleId="drawer-title"
      closeLabel="Close alert details"
      testId="alert-drawer"
      onClose={onClose}
    >
      {detail.error !== undefined && (
        <p class="error" role="alert">
          {errorMessage(detail.error)}
        </p>
      )}
      {a && (
        <>
          <div class="chips">
            <span class={`sev sev-${a.severity}`}>{a.severity}</span>
            <span class={`st st-${a.status}`} data-testid="drawer-status">
              {a.status}
            </span>
            {a.resolution && <span class="tag">{label(a.resolution)}</span>}
            {a.enrichment_type === 'tor_exit_node' && <span class="tag tor">Tor exit node</span>}
          </div>
          <dl class="facts">
            <dt>Source</dt>
            <dd>
              {label(a.source)} <span class="muted">({a.origin})</span>
            </dd>
            <dt>External id</dt>
            <dd class="mono">{a.external_id ?? '–'}</dd>
            <dt>Created</dt>
            <dd>{dateTime(a.created_at)}</dd>
            <dt>Ingested</dt>
            <dd>{dateTime(a.ingested_at)}</dd>
            <dt>Source address</dt>
            <dd class="mono">
              {a.src_ip ? (
                <PivotLink pivot={{ ip: a.src_ip }} onPivot={onPivot}>
                  {a.src_ip}
                </PivotLink>
              ) : (
                '–'
              )}
            </dd>
            <dt>Destination</dt>
            <dd class="mono">
              {a.dst_ip ? (
                <PivotLink pivot={{ ip: a.dst_ip }} onPivot={onPivot}>
                  {a.dst_ip}
                </PivotLink>
              ) : (
                '–'
              )}{' '}
              {a.country && <span class="muted">({a.country})</span>}
            </dd>
            <dt>User</dt>
            <dd>
              {a.user ? (
                <PivotLink pivot={{ user: a.user }} onPivot={onPivot}>
                  {a.user}
                </PivotLink>
              ) : (
                '–'
              )}
            </dd>
            <dt>Incident</dt>
            <dd data-testid="drawer-incident">
              {a.incident_id ? (
                <a
                  href={`${location.pathname}?page=incidents&incident=${encodeURIComponent(
                    a.incident_id,
                  )}`}
                  onClick={(e) => {
                    if (e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
                    e.preventDefault();
                    onIncident(a.incident_id!);
                  }}
                >
                  Open its incident
                </a>
              ) : (
                <span class="muted">none</span>
              )}
            </dd>
            <dt>Assignee</dt>
            <dd data-testid="drawer-assignee">{a.assignee?.username ?? 'nobody'}</dd>
            <dt>Id</dt>
            <dd class="mono small">{a.id}</dd>
          </dl>
          {isAdmin && detail.data && (
            <ChangeForm loaded={detail.data} onChanged={changed} onStale={detail.reload} />
          )}
          <Enrichment enrichment={a.enrichment} addresses={{ src: a.src_ip, dst: a.dst_ip }} />
          <RelatedAlertsSection id={a.id} onPivot={onPivot} onOpen={onOpen} />
          {a.event && (
            <section aria-labelledby="event-title">
              <h3 id="event-title">Event</h3>
              <dl class="facts">
                <dt>Type</dt>
                <dd>{a.event.event_type}</dd>
                <dt>Occurred</dt>
                <dd>{dateTime(a.event.occurred_at)}</dd>
                <dt>Received</dt>
                <dd>{dateTime(a.event.received_at)}</dd>
                <dt>Description</dt>
                <dd>{a.event.description}</dd>
              </dl>
              {Object.keys(a.event.attributes ?? {}).length > 0 && (
                <pre class="json">{JSON.stringify(a.event.attributes, null, 2)}</pre>
              )}
            </section>
          )}
        </>
      )}
      <HistorySection
        titleId="history-title"
        testId="alert-history"
        history={history}
        describe={describeChange}
      >
        {isAdmin && <NoteForm id={id} onAdded={changed} />}
      </HistorySection>
    </Drawer>
  );
}

function ChangeForm({
  loaded,
  onChanged,
  onStale,
}: {
  loaded: Loaded;
  onChanged: () => void;
  onStale: () => void;
}) {
  const { alert, etag } = loaded;
  const allowed = TRANSITIONS[alert.status] ?? [];
  const [status, setStatus] = useState<Status | ''>('');
  const [resolution, setResolution] = useState('');
  const [assignee, setAssignee] = useState(alert.assignee?.username ?? '');
  const [note, setNote] = useState('');
  const [outcome, setOutcome] = useState<{ error: boolean; text: string }>();
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    setStatus('');
    setResolution('');
    setAssignee(alert.assignee?.username ?? '');
  }, [alert.id, alert.version, alert.status, alert.assignee?.username]);

  const submit = async (event: Event) => {
    event.preventDefault();
    const body: Record<string, unknown> = {};
    if (status) body.status = status;
    if (status === 'resolved') body.resolution = resolution;
    const wanted = assignee.trim() || null;
    if (wanted !== (alert.assignee?.username ?? null)) body.assignee = wanted;
    if (note.trim()) body.note = note.trim();
    if (Object.keys(body).length === 0) {
      setOutcome({ error: true, text: 'Nothing to change.' });
      return;
    }
    setBusy(true);
    try {
      await send('PATCH', `/api/alerts/${alert.id}`, body, etag ? { 'if-match': etag } : undefined);
      setOutcome({ error: false, text: 'Saved.' });
      setNote('');
      onChanged();
    } catch (error) {
      if (error instanceof ApiError && error.status === 412) {
        setOutcome({
          error: true,
          text: 'Someone changed this alert meanwhile: it has been reloaded, check it and try again.',
        });
        onStale();
      } else {
        setOutcome({ error: true, text: errorMessage(error) });
      }
    } finally {
      setBusy(false);
    }
  };

  return (
    <form
      class="change"
      onSubmit={(e) => void submit(e)}
      aria-labelledby="change-title"
      data-testid="change-form"
    >
      <h3 id="change-title">Work this alert</h3>
      <div class="grid-fields">
        <div class="field">
          <label for="change-status">New status</label>
          <select
            id="change-status"
            value={status}
            disabled={allowed.length === 0}
            onChange={(e) => setStatus(e.currentTarget.value as Status | '')}
          >
            <option value="">
              {allowed.length ? `Keep ${alert.status}` : 'Resolved is final'}
            </option>
            {allowed.map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </select>
        </div>
        {status === 'resolved' && (
          <div class="field">
            <label for="change-resolution">Resolution</label>
            <select
              id="change-resolution"
              required
              value={resolution}
              onChange={(e) => setResolution(e.currentTarget.value)}
            >
              <option value="" disabled>
                Choose…
              </option>
              {RESOLUTIONS.map((r) => (
                <option key={r} value={r}>
                  {label(r)}
                </option>
              ))}
            </select>
          </div>
        )}
        <div class="field">
          <label for="change-assignee">Assignee (username, empty for nobody)</label>
          <input
            id="change-assignee"
            list="known-users"
            value={assignee}
            onInput={(e) => setAssignee(e.currentTarget.value)}
          />
        </div>
      </div>
      <div class="field">
        <label for="change-note">Note with the change (optional)</label>
        <textarea
          id="change-note"
          rows={2}
          maxLength={5000}
          value={note}
          onInput={(e) => setNote(e.currentTarget.value)}
        />
      </div>
      <button type="submit" disabled={busy}>
        Save changes
      </button>
      {outcome && (
        <p
          class={outcome.error ? 'error' : 'ok'}
          role={outcome.error ? 'alert' : 'status'}
          data-testid="change-outcome"
        >
          {outcome.text}
        </p>
      )}
    </form>
  );
}

function NoteForm({ id, onAdded }: { id: string; onAdded: () => void }) {
  const [text, setText] = useState('');
  const [error, setError] = useState<string>();
  const submit = async (event: Event) => {
    event.preventDefault();
    try {
      await send('POST', `/api/alerts/${id}/notes`, { text });
      setText('');
      setError(undefined);
      onAdded();
    } catch (failure) {
      setError(errorMessage(failure));
    }
  };
  return (
    <form class="note" onSubmit={(e) => void submit(e)}>
      <label for="note-text">Add a note</label>
      <textarea
        id="note-text"
        rows={2}
        required
        maxLength={5000}
        value={text}
        onInput={(e) => setText(e.currentTarget.value)}
      />
      <button type="submit" disabled={!text.trim()}>
        Add note
      </button>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
    </form>
  );
}

type GeoSide = {
  scope?: string;
  country_code?: string | null;
  region?: string | null;
  city?: string | null;
  asn?: number | null;
  as_org?: string | null;
} | null;

function Enrichment({
  enrichment,
  addresses,
}: {
  enrichment: AlertDetail['enrichment'];
  addresses: { src: string | null; dst: string | null };
}) {
  const geo = enrichment.geo as { src?: GeoSide; dst?: GeoSide } | null | undefined;
  const others = Object.entries(enrichment).filter(([key]) => key !== 'geo' && key !== 'errors');
  const errors = enrichment.errors;
  return (
    <section aria-labelledby="enrichment-title">
      <h3 id="enrichment-title">Enrichment</h3>
      {errors && errors.length > 0 && (
        <ul class="error">
          {errors.map((e) => (
            <li key={e.plugin}>
              {e.plugin}: {e.message}
            </li>
          ))}
        </ul>
      )}
      <dl class="facts">
        {(['src', 'dst'] as const).map((side) => {
          const g = geo?.[side];
          return (
            <>
              <dt>{side === 'src' ? 'Source location' : 'Destination location'}</dt>
              <dd>{g ? describeGeo(g, addresses[side]) : '–'}</dd>
            </>
          );
        })}
        {others.map(([plugin, value]) => (
          <>
            <dt>{label(plugin)}</dt>
            <dd>{value == null ? '–' : <Value value={value} />}</dd>
          </>
        ))}
      </dl>
    </section>
  );
}

function describeGeo(g: NonNullable<GeoSide>, ip: string | null): string {
  if (g.scope && g.scope !== 'public') return `${ip ?? ''} (${label(g.scope)} address)`;
  const place = [g.city, g.region, g.country_code].filter(Boolean).join(', ') || 'unknown place';
  const asn = g.asn ? ` · AS${g.asn}${g.as_org ? ` ${g.as_org}` : ''}` : '';
  return `${place}${asn}`;
}

function Value({ value }: { value: unknown }) {
  if (typeof value === 'string') return <>{value}</>;
  if (typeof value !== 'object' || value === null) return <>{JSON.stringify(value) ?? '–'}</>;
  const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v != null);
  if (entries.length === 0) return <>–</>;
  return (
    <ul class="kv">
      {entries.map(([k, v]) => (
        <li key={k}>
          <span class="muted">{label(k)}:</span> <Value value={v} />
        </li>
      ))}
    </ul>
  );
}
