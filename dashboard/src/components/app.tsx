import { useCallback, useEffect, useMemo, useState } from 'preact/hooks';
import { get } from '../api.js';
import { AppContext, useResource } from '../hooks.js';
import { endSession, onSessionChange, session } from '../session.js';
import type { Me, UserList } from '../types.js';
import { useView } from '../use-view.js';
import { AlertsView } from './alerts-view.js';
import { ControlsPanel } from './controls-panel.js';
import { HealthPanel } from './health-panel.js';
import { MetricsPanel } from './metrics-panel.js';
import { SignIn } from './sign-in.js';

export function App() {
  const [signedIn, setSignedIn] = useState(session() !== null);
  const [notice, setNotice] = useState<string | undefined>();

  useEffect(
    () =>
      onSessionChange((current, reason) => {
        setSignedIn(current !== null);
        if (!current) setNotice(reason);
      }),
    [],
  );

  return signedIn ? (
    <Dashboard />
  ) : (
    <SignIn notice={notice} onSignedIn={() => setNotice(undefined)} />
  );
}

function Dashboard() {
  const [me, setMe] = useState<Me | undefined>();
  const [failure, setFailure] = useState<string | undefined>();
  const [dataVersion, setDataVersion] = useState(0);
  const dataChanged = useCallback(() => setDataVersion((v) => v + 1), []);
  const [view, navigate] = useView();

  useEffect(() => {
    get<Me>('/api/auth/me').then(setMe, (error: unknown) =>
      setFailure(error instanceof Error ? error.message : String(error)),
    );
  }, []);

  const context = useMemo(
    () => me && { me, isAdmin: me.groups.includes('admin'), dataVersion, dataChanged },
    [me, dataVersion, dataChanged],
  );

  if (!context) {
    return (
      <main class="loading" aria-busy={!failure}>
        {failure ? <p class="error">{failure}</p> : <p>Loading…</p>}
      </main>
    );
  }
  return (
    <AppContext.Provider value={context}>
      <header class="top">
        <h1>
          <span class="logo" aria-hidden="true" />
          Vigil
        </h1>
        <nav aria-label="Sections">
          <a href="#health">Health</a>
          <a href="#metrics">Metrics</a>
          <a href="#alerts">Alerts</a>
          {context.isAdmin && <a href="#controls">Controls</a>}
        </nav>
        <div class="who">
          <span data-testid="signed-in-as">
            {me!.username} <small>({me!.groups.join(', ')})</small>
          </span>
          <button type="button" class="ghost" onClick={() => endSession(undefined, true)}>
            Sign out
          </button>
        </div>
      </header>
      <main>
        <div class="row">
          <HealthPanel />
          {context.isAdmin && <ControlsPanel />}
        </div>
        <MetricsPanel view={view} navigate={navigate} />
        <AlertsView view={view} navigate={navigate} />
        {context.isAdmin && <KnownUsers />}
      </main>
    </AppContext.Provider>
  );
}

/** Usernames for the assignee inputs (admins only: GET /api/users is theirs). */
function KnownUsers() {
  const users = useResource((signal) => get<UserList>('/api/users', signal), []);
  return (
    <datalist id="known-users">
      {(users.data?.users ?? [])
        .filter((u) => u.is_active !== false)
        .map((u) => (
          <option key={u.id} value={u.username} />
        ))}
    </datalist>
  );
}
