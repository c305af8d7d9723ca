// Admin controls: sync now, the sync interval, and the mock upstream's chaos settings (through the
// service's GET/PUT /api/upstream/chaos; a real upstream has none and the panel says so).
import { useEffect, useState } from 'preact/hooks';
import { ApiError, errorMessage, get, send } from '../api.js';
import { count } from '../format.js';
import { useApp, useResource } from '../hooks.js';
import type { Chaos, ServiceConfig, SyncRun, SyncRunList, SyncStarted } from '../types.js';

const RUN_POLL_MS = 500;
const RUN_WAIT_MS = 120_000;

export function ControlsPanel() {
  return (
    <section id="controls" class="panel controls" aria-labelledby="controls-title">
      <h2 id="controls-title">Controls</h2>
      <SyncNow />
      <SyncInterval />
      <ChaosSettings />
    </section>
  );
}

type Outcome = { kind: 'info' | 'ok' | 'error'; text: string };

function Message({ outcome, testId }: { outcome?: Outcome; testId: string }) {
  if (!outcome) return null;
  return (
    <p
      class={outcome.kind === 'error' ? 'error' : outcome.kind === 'ok' ? 'ok' : 'muted'}
      role={outcome.kind === 'error' ? 'alert' : 'status'}
      data-testid={testId}
    >
      {outcome.text}
    </p>
  );
}

async function waitForRun(runId: string): Promise<SyncRun | undefined> {
  const deadline = Date.now() + RUN_WAIT_MS;
  while (Date.now() < deadline) {
    const { runs } = await get<SyncRunList>('/api/sync/runs?limit=20');
    const run = runs.find((r) => r.id === runId);
    if (run && run.result !== 'running') return run;
    await new Promise((r) => setTimeout(r, RUN_POLL_MS));
  }
  return undefined;
}

function SyncNow() {
  const { dataChanged } = useApp();
  const [busy, setBusy] = useState(false);
  const [outcome, setOutcome] = useState<Outcome>();

  const start = async () => {
    setBusy(true);
    setOutcome({ kind: 'info', text: 'Sync running…' });
    try {
      const { run_id } = await send<SyncStarted>('POST', '/api/sync');
      dataChanged();
      const run = await waitForRun(run_id);
      if (!run) setOutcome({ kind: 'info', text: 'The sync is still running; see Recent syncs.' });
      else if (run.result === 'success')
        setOutcome({
          kind: 'ok',
          text: `Sync finished: ${count(run.inserted)} new, ${count(run.duplicates)} already known, ${count(run.quarantined)} quarantined.`,
        });
      else setOutcome({ kind: 'error', text: `Sync ${run.result}: ${run.error ?? 'no detail'}` });
    } catch (error) {
      setOutcome({
        kind: 'error',
        text:
          error instanceof ApiError && error.status === 409
            ? 'A sync is already running.'
            : errorMessage(error),
      });
    } finally {
      setBusy(false);
      dataChanged();
    }
  };

  return (
    <div class="control">
      <h3>Sync</h3>
      <button type="button" onClick={() => void start()} disabled={busy} data-testid="sync-now">
        {busy ? 'Syncing…' : 'Sync now'}
      </button>
      <Message outcome={outcome} testId="sync-outcome" />
    </div>
  );
}

function SyncInterval() {
  const { dataChanged } = useApp();
  const config = useResource((signal) => get<ServiceConfig>('/api/config', signal), []);
  const [value, setValue] = useState('');
  const [outcome, setOutcome] = useState<Outcome>();
  useEffect(() => {
    if (config.data) setValue(String(config.data.sync_interval_seconds));
  }, [config.data]);

  const save = async (event: Event) => {
    event.preventDefault();
    try {
      const saved = await send<ServiceConfig>('PUT', '/api/config', {
        sync_interval_seconds: Number(value),
      });
      setOutcome({ kind: 'ok', text: `Syncing every ${saved.sync_interval_seconds} s from now.` });
      dataChanged();
    } catch (error) {
      setOutcome({ kind: 'error', text: errorMessage(error) });
    }
  };

  return (
    <form class="control" onSubmit={(e) => void save(e)}>
      <h3>Schedule</h3>
      <div class="inline">
        <label for="sync-interval">Sync interval (seconds)</label>
        <input
          id="sync-interval"
          type="number"
          min={10}
          max={86400}
          step={1}
          required
          value={value}
          onInput={(e) => setValue(e.currentTarget.value)}
        />
        <button type="submit">Save interval</button>
      </div>
      <Message outcome={outcome} testId="interval-outcome" />
    </form>
  );
}

const CHAOS_FIELDS: Array<{
  key: keyof Chaos;
  label: string;
  max: number;
  step: number;
  hint: string;
}> = [
  {
    key: 'failure_rate',
    label: 'Failure probability',
    max: 1,
    step: 0.05,
    hint: '0–1, answered 500',
  },
  { key: 'latency_ms', label: 'Latency (ms)', max: 60000, step: 100, hint: '0–60000' },
  {
    key: 'rate_limit_rate',
    label: 'Rate-limit probability',
    max: 1,
    step: 0.05,
    hint: '0–1, answered 429',
  },
  { key: 'malformed_rate', label: 'Malformed record rate', max: 1, step: 0.01, hint: '0–1' },
  {
    key: 'late_rate',
    label: 'Late arrival rate',
    max: 1,
    step: 0.01,
    hint: '0–1, served only after the delay below',
  },
  { key: 'late_seconds', label: 'Late by (s)', max: 604800, step: 60, hint: '0–604800 (7 days)' },
];

function ChaosSettings() {
  const chaos = useResource((signal) => get<Chaos>('/api/upstream/chaos', signal), []);
  const [values, setValues] = useState<Record<string, string>>({});
  const [outcome, setOutcome] = useState<Outcome>();
  useEffect(() => {
    if (chaos.data) {
      setValues(Object.fromEntries(CHAOS_FIELDS.map((f) => [f.key, String(chaos.data![f.key])])));
    }
  }, [chaos.data]);

  const save = async (event: Event) => {
    event.preventDefault();
    try {
      const body = Object.fromEntries(CHAOS_FIELDS.map((f) => [f.key, Number(values[f.key])]));
      const saved = await send<Chaos>('PUT', '/api/upstream/chaos', body);
      setValues(Object.fromEntries(CHAOS_FIELDS.map((f) => [f.key, String(saved[f.key])])));
      setOutcome({
        kind: 'ok',
        text: `Upstream now fails ${Math.round(saved.failure_rate * 100)} % of requests.`,
      });
    } catch (error) {
      setOutcome({ kind: 'error', text: errorMessage(error) });
    }
  };

  const unavailable =
    chaos.error instanceof ApiError && [404, 409, 502].includes(chaos.error.status);
  return (
    <form class="control" onSubmit={(e) => void save(e)} aria-labelledby="chaos-title">
      <h3 id="chaos-title">Upstream chaos (mock)</h3>
      {unavailable ? (
        <p class="muted" data-testid="chaos-unavailable">
          {errorMessage(chaos.error)}
        </p>
      ) : chaos.error !== undefined ? (
        <p class="error">{errorMessage(chaos.error)}</p>
      ) : (
        <>
          <div class="grid-fields">
            {CHAOS_FIELDS.map((field) => (
              <div key={field.key} class="field">
                <label for={`chaos-${field.key}`}>{field.label}</label>
                <input
                  id={`chaos-${field.key}`}
                  type="number"
                  min={0}
                  max={field.max}
                  step={field.step}
                  required
                  aria-describedby={`chaos-${field.key}-hint`}
                  value={values[field.key] ?? ''}
                  disabled={!chaos.data}
                  onInput={(e) => {
                    const value = e.currentTarget.value;
                    setValues((v) => ({ ...v, [field.key]: value }));
                  }}
                />
                <small id={`chaos-${field.key}-hint`} class="muted">
                  {field.hint}
                </small>
              </div>
            ))}
          </div>
          <button type="submit" disabled={!chaos.data}>
            Apply chaos settings
          </button>
        </>
      )}
      <Message outcome={outcome} testId="chaos-outcome" />
    </form>
  );
}
