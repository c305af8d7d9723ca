import { useCallback, useEffect, useMemo, useState } from 'preact/hooks';
import { get } from '../api.js';
import { AppContext, useResource } from '../hooks.js';
import { endSession, onSessionChange, session } from '../session.js';
import type { Me, UserList } from '../types.js';
import { useView, type Navigate } from '../use-view.js';
import { SHARED_PAGES, writeView, type PageName, type ViewState } from '../view-state.js';
import { AlertsView } from './alerts-view.js';
import { ApiKeysPage } from './api-keys-page.js';
import { ControlsPanel } from './controls-panel.js';
import { HealthPanel } from './health-panel.js';
import { IncidentsPage } from './incidents-page.js';
import { MetricsPanel } from './metrics-panel.js';
import { SignIn } from './sign-in.js';
import { WebhooksPage } from './webhooks-page.js';

const PAGE_TITLES: Record<PageName, string> = {
  incidents: 'Incidents',
  webhooks: 'Webhooks',
  'api-keys': 'API keys',
};

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
  const page = view.page;

  useEffect(() => {
    document.title = page ? `${PAGE_TITLES[page]} · Vigil dashboard` : 'Vigil dashboard';
    // Back on the overview from a page: to the section its link named.
    if (!page && location.hash) document.getElementById(location.hash.slice(1))?.scrollIntoView();
  }, [page, Boolean(context)]);

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
          <SectionLink view={view} navigate={navigate} id="health">
            Health
          </SectionLink>
          <SectionLink view={view} navigate={navigate} id="metrics">
            Metrics
          </SectionLink>
          <SectionLink view={view} navigate={navigate} id="alerts">
            Alerts
          </SectionLink>
          <PageLink view={view} navigate={navigate} page="incidents" />
          {context.isAdmin && (
            <>
              <SectionLink view={view} navigate={navigate} id="controls">
                Controls
              </SectionLink>
              <PageLink view={view} navigate={navigate} page="webhooks" />
              <PageLink view={view} navigate={navigate} page="api-keys" />
            </>
          )}
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
        {page === undefined ? (
          <>
            <div class="row">
              <HealthPanel />
              {context.isAdmin && <ControlsPanel />}
            </div>
            <MetricsPanel view={view} navigate={navigate} />
            <AlertsView
              view={view}
              navigate={navigate}
              onIncident={(incident) =>
                navigate({ ...overview(view), page: 'incidents', incident }, false, '')
              }
            />
            {context.isAdmin && <KnownUsers />}
          </>
        ) : page === 'incidents' ? (
          <>
            <IncidentsPage view={view} navigate={navigate} />
            {context.isAdmin && <KnownUsers />}
          </>
        ) : !context.isAdmin && !SHARED_PAGES.includes(page) ? (
          <AdminsOnly view={view} navigate={navigate} page={page} />
        ) : page === 'webhooks' ? (
          <WebhooksPage view={view} navigate={navigate} />
        ) : (
          <ApiKeysPage />
        )}
      </main>
    </AppContext.Provider>
  );
}

interface LinkProps {
  view: ViewState;
  navigate: Navigate;
}

/** A plain left click: the page handles it; others (new tab, new window) the browser does. */
const plainClick = (e: MouseEvent) =>
  e.button === 0 && !e.metaKey && !e.ctrlKey && !e.shiftKey && !e.altKey;

/** The overview as it was left (filters, window), without page or alert. */
const overview = (view: ViewState): ViewState => ({
  ...view,
  page: undefined,
  webhook: undefined,
  alert: undefined,
  incident: undefined,
  incidentFilters: undefined,
});

/** A section of the overview: an anchor there, and from an admin page the way back to it. */
function SectionLink({
  view,
  navigate,
  id,
  children,
}: LinkProps & { id: string; children: string }) {
  if (!view.page) return <a href={`#${id}`}>{children}</a>;
  const next = overview(view);
  return (
    <a
      href={`${location.pathname}${writeView(next)}#${id}`}
      onClick={(e) => {
        if (!plainClick(e)) return;
        e.preventDefault();
        navigate(next, false, `#${id}`);
      }}
    >
      {children}
    </a>
  );
}

function PageLink({ view, navigate, page }: LinkProps & { page: PageName }) {
  const next: ViewState = {
    ...view,
    page,
    webhook: undefined,
    alert: undefined,
    incident: undefined,
    incidentFilters: undefined,
  };
  return (
    <a
      href={`${location.pathname}${writeView(next)}`}
      aria-current={view.page === page ? 'page' : undefined}
      onClick={(e) => {
        if (!plainClick(e)) return;
        e.preventDefault();
        if (view.page !== page) navigate(next, false, '');
      }}
    >
      {PAGE_TITLES[page]}
    </a>
  );
}

/** An analyst at an admin page's address: nothing is loaded, and the way back is offered. */
function AdminsOnly({ view, navigate, page }: LinkProps & { page: PageName }) {
  const next = overview(view);
  return (
    <section class="panel" aria-labelledby="admins-only-title" data-testid="admins-only">
      <h2 id="admins-only-title">{PAGE_TITLES[page]}</h2>
      <p class="notice" role="status">
        This page is for admins: ask one to manage webhooks and API keys.
      </p>
      <p>
        <a
          href={`${location.pathname}${writeView(next)}`}
          onClick={(e) => {
            if (!plainClick(e)) return;
            e.preventDefault();
            navigate(next, false, '');
          }}
        >
          Back to the alerts
        </a>
      </p>
    </section>
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
