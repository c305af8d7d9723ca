// API keys (admins; `?page=api-keys`): service accounts for automation, listed with their groups,
// expiry and last use (never the key), revoked in two steps, and created with the key shown once.
import { useLayoutEffect, useRef, useState } from 'preact/hooks';
import { errorMessage, get, remove, send } from '../api.js';
import { count, dateTime, fromLocalInput, relative, toLocalInput } from '../format.js';
import { useNow, useResource } from '../hooks.js';
import { GROUPS, type ApiKey, type ApiKeyList, type CreatedApiKey, type Group } from '../types.js';
import { ConfirmButton, OutcomeLine, ShownOnce, type Outcome } from './admin-widgets.js';

const REFRESH_MS = 30_000;

const GROUP_HINTS: Record<Group, string> = {
  admin: 'everything, these pages included',
  analyst: 'reads alerts, stats and health',
  ingest: 'only pushes alerts (POST /api/ingest/alerts)',
};

/** Mirrors the service's rule, so the browser says what is wrong before sending. */
const NAME_PATTERN = '[A-Za-z0-9](?:[A-Za-z0-9 ._\\-]*[A-Za-z0-9])?';

type KeyState = 'active' | 'expired' | 'revoked';

function stateOf(key: ApiKey, now: number): KeyState {
  if (key.revoked_at) return 'revoked';
  if (key.expires_at && new Date(key.expires_at).getTime() <= now) return 'expired';
  return 'active';
}

export function ApiKeysPage() {
  const list = useResource((signal) => get<ApiKeyList>('/api/api-keys', signal), [], REFRESH_MS);
  const [outcome, setOutcome] = useState<Outcome>();
  // Re-rendered every 15 s; read the clock itself so a change made a moment ago is not "in 2 s".
  const now = Math.max(useNow(15_000), Date.now());
  const heading = useRef<HTMLHeadingElement>(null);
  useLayoutEffect(() => heading.current?.focus(), []);

  const keys = list.data?.api_keys ?? [];
  const active = keys.filter((k) => stateOf(k, now) === 'active').length;

  const revoke = async (key: ApiKey) => {
    try {
      await remove(`/api/api-keys/${encodeURIComponent(key.id)}`);
      setOutcome({
        kind: 'ok',
        text: `Key “${key.name}” revoked: its next request is refused.`,
      });
    } catch (error) {
      setOutcome({ kind: 'error', text: errorMessage(error) });
    } finally {
      list.reload();
    }
  };

  return (
    <>
      <section id="api-keys" class="panel" aria-labelledby="api-keys-title">
        <div class="panel-head">
          <h2 id="api-keys-title" tabIndex={-1} ref={heading}>
            API keys
          </h2>
          <span class="muted" aria-live="polite">
            {list.data ? `${count(active)} active of ${count(keys.length)}` : '…'}
            {list.loading && <span class="spinner" aria-label="Loading" />}
          </span>
          <button type="button" class="ghost" onClick={list.reload}>
            Refresh list
          </button>
        </div>
        <p class="muted">
          Keys let automation (SOAR, a pushing source) call the API as{' '}
          <code>Authorization: Bearer vgk_…</code> with the groups given here. Vigil keeps only a
          hash of each key; revoking one refuses its next request.
        </p>
        {list.error !== undefined && (
          <p class="error" role="alert">
            {errorMessage(list.error)}
          </p>
        )}
        <OutcomeLine outcome={outcome} testId="api-key-outcome" />
        <div class="scroll">
          <table class="admin-table" data-testid="api-keys-table" aria-busy={list.loading}>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Groups</th>
                <th scope="col">Key</th>
                <th scope="col" class="roomy-only">
                  Created
                </th>
                <th scope="col">Expires</th>
                <th scope="col">Last used</th>
                <th scope="col">State</th>
                <th scope="col">
                  <span class="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {keys.map((key) => {
                const state = stateOf(key, now);
                return (
                  <tr
                    key={key.id}
                    data-api-key-id={key.id}
                    class={state === 'active' ? '' : 'inactive'}
                  >
                    <td id={`api-key-${key.id}`}>{key.name}</td>
                    <td>
                      {key.groups.map((g) => (
                        <span key={g} class="tag group">
                          {g}
                        </span>
                      ))}
                    </td>
                    <td class="mono nowrap">{key.prefix}…</td>
                    <td class="roomy-only" title={dateTime(key.created_at)}>
                      {relative(key.created_at, now)}
                      {key.created_by && <span class="muted"> by {key.created_by.username}</span>}
                    </td>
                    <td class="nowrap" data-testid="api-key-expires">
                      {key.expires_at ? dateTime(key.expires_at) : 'never'}
                    </td>
                    <td
                      data-testid="api-key-last-used"
                      title={key.last_used_at ? dateTime(key.last_used_at) : undefined}
                    >
                      {key.last_used_at ? relative(key.last_used_at, now) : 'never'}
                    </td>
                    <td data-testid="api-key-state">
                      <span class={`state state-${state}`}>{state}</span>
                      {key.revoked_at && (
                        <small class="muted" title={dateTime(key.revoked_at)}>
                          {' '}
                          {relative(key.revoked_at, now)}
                        </small>
                      )}
                    </td>
                    <td class="actions-cell">
                      <div class="row-actions">
                        {state !== 'revoked' && (
                          <ConfirmButton
                            label="Revoke"
                            confirmLabel="Revoke now"
                            describedBy={`api-key-${key.id}`}
                            onConfirm={() => revoke(key)}
                          />
                        )}
                      </div>
                    </td>
                  </tr>
                );
              })}
              {list.data && keys.length === 0 && (
                <tr>
                  <td colSpan={8} class="muted">
                    No API key yet: create one below.
                  </td>
                </tr>
              )}
            </tbody>
          </table>
        </div>
      </section>
      <NewApiKeyForm onCreated={list.reload} />
    </>
  );
}

function NewApiKeyForm({ onCreated }: { onCreated: () => void }) {
  const [name, setName] = useState('');
  const [groups, setGroups] = useState<Group[]>([]);
  const [expires, setExpires] = useState('');
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const [created, setCreated] = useState<CreatedApiKey>();

  const submit = async (event: Event) => {
    event.preventDefault();
    if (groups.length === 0) {
      setError('Choose at least one group.');
      return;
    }
    const expiresAt = fromLocalInput(expires);
    setBusy(true);
    setError(undefined);
    try {
      const key = await send<CreatedApiKey>('POST', '/api/api-keys', {
        name: name.trim(),
        groups: GROUPS.filter((g) => groups.includes(g)),
        ...(expiresAt ? { expires_at: expiresAt } : {}),
      });
      setCreated(key);
      setName('');
      setGroups([]);
      setExpires('');
      onCreated();
    } catch (failure) {
      setError(errorMessage(failure));
    } finally {
      setBusy(false);
    }
  };

  return (
    <section id="new-api-key" class="panel" aria-labelledby="new-api-key-title">
      <h2 id="new-api-key-title">New API key</h2>
      {created && (
        <ShownOnce
          id="api-key-secret"
          title={`API key “${created.name}”`}
          label="API key"
          value={created.key}
          onDone={() => setCreated(undefined)}
        >
          Send it as <code>Authorization: Bearer &lt;key&gt;</code>; Vigil keeps only its hash.
        </ShownOnce>
      )}
      <form
        class="admin-form"
        onSubmit={(e) => void submit(e)}
        aria-labelledby="new-api-key-title"
        data-testid="api-key-form"
      >
        <div class="field wide">
          <label for="api-key-name">Name</label>
          <input
            id="api-key-name"
            required
            maxLength={60}
            pattern={NAME_PATTERN}
            title="Letters, digits, spaces, “.”, “_” or “-”, starting and ending with a letter or digit"
            autocomplete="off"
            placeholder="e.g. tines-triage"
            aria-describedby="api-key-name-hint"
            value={name}
            onInput={(e) => setName(e.currentTarget.value)}
          />
          <small id="api-key-name-hint" class="muted">
            Names the key in this list and in audit records (as key:&lt;name&gt;).
          </small>
        </div>
        <fieldset>
          <legend>Groups</legend>
          {GROUPS.map((g) => (
            <span key={g} class="group-choice">
              <label class="check">
                <input
                  type="checkbox"
                  name="groups"
                  value={g}
                  aria-describedby={`api-key-group-${g}-hint`}
                  checked={groups.includes(g)}
                  onChange={(e) => {
                    const on = e.currentTarget.checked;
                    setGroups((gs) =>
                      on ? [...gs.filter((x) => x !== g), g] : gs.filter((x) => x !== g),
                    );
                  }}
                />
                {g}
              </label>
              <small id={`api-key-group-${g}-hint`} class="muted">
                {GROUP_HINTS[g]}
              </small>
            </span>
          ))}
        </fieldset>
        <div class="field">
          <label for="api-key-expires">Expires (optional)</label>
          <input
            id="api-key-expires"
            type="datetime-local"
            min={toLocalInput(new Date().toISOString())}
            aria-describedby="api-key-expires-hint"
            value={expires}
            onInput={(e) => setExpires(e.currentTarget.value)}
          />
          <small id="api-key-expires-hint" class="muted">
            Your local time; empty: never.
          </small>
        </div>
        <div class="actions">
          <button type="submit" disabled={busy}>
            {busy ? 'Creating…' : 'Create key'}
          </button>
        </div>
        {error && (
          <p class="error" role="alert" data-testid="api-key-form-error">
            {error}
          </p>
        )}
      </form>
    </section>
  );
}
