// The signed-in session: the token pair in sessionStorage (it survives a reload of the tab, not the
// closing of it, and is never shared with other tabs), refreshed through /api/auth/refresh before
// the access token expires, and dropped on any 401.
import type { TokenPair } from './types.js';

export interface Session {
  access: string;
  refresh: string;
  /** Epoch ms when the access token expires. */
  expiresAt: number;
  /** Seconds the access token lives, as the last sign-in or refresh said. */
  lifetime: number;
}

type Listener = (session: Session | null, reason?: string) => void;

const STORAGE_KEY = 'vigil.session';
/** Refresh this long before expiry (at most a fifth of the token's life). */
const REFRESH_LEAD_MS = 60_000;

let current: Session | null = load();
let timer: ReturnType<typeof setTimeout> | undefined;
let inFlight: Promise<boolean> | null = null;
const listeners = new Set<Listener>();

function load(): Session | null {
  try {
    const raw = sessionStorage.getItem(STORAGE_KEY);
    const parsed = raw ? (JSON.parse(raw) as Session) : null;
    return parsed && typeof parsed.access === 'string' && typeof parsed.refresh === 'string'
      ? parsed
      : null;
  } catch {
    return null;
  }
}

function store(session: Session | null): void {
  current = session;
  if (session) sessionStorage.setItem(STORAGE_KEY, JSON.stringify(session));
  else sessionStorage.removeItem(STORAGE_KEY);
}

function leadMs(session: Session): number {
  return Math.min(REFRESH_LEAD_MS, (session.lifetime * 1000) / 5);
}

function schedule(): void {
  clearTimeout(timer);
  if (!current) return;
  const wait = Math.max(0, current.expiresAt - leadMs(current) - Date.now());
  timer = setTimeout(() => void refresh(), wait);
}

function notify(reason?: string): void {
  for (const listener of listeners) listener(current, reason);
}

export function session(): Session | null {
  return current;
}

export function onSessionChange(listener: Listener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export function startSession(pair: TokenPair): void {
  store({
    access: pair.access_token,
    refresh: pair.refresh_token,
    expiresAt: Date.now() + pair.expires_in * 1000,
    lifetime: pair.expires_in,
  });
  schedule();
  notify();
}

/** Ends the session locally; `revoke` also tells the service to forget the refresh token. */
export function endSession(reason?: string, revoke = false): void {
  const ending = current;
  clearTimeout(timer);
  store(null);
  if (ending && revoke) {
    void fetch('/api/auth/logout', {
      method: 'POST',
      headers: {
        authorization: `Bearer ${ending.access}`,
        'content-type': 'application/json',
      },
      body: JSON.stringify({ refresh_token: ending.refresh }),
    }).catch(() => undefined);
  }
  notify(reason);
}

/** A new pair from the refresh token; one request however many callers ask at once. */
export function refresh(): Promise<boolean> {
  const refreshing = current;
  if (!refreshing) return Promise.resolve(false);
  inFlight ??= (async () => {
    try {
      const res = await fetch('/api/auth/refresh', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ refresh_token: refreshing.refresh }),
      });
      if (res.ok) {
        startSession((await res.json()) as TokenPair);
        return true;
      }
      endSession('Your session has ended: please sign in again.');
      return false;
    } catch {
      // Offline for a moment: keep the session and try again shortly.
      clearTimeout(timer);
      timer = setTimeout(() => void refresh(), 5000);
      return current !== null;
    } finally {
      inFlight = null;
    }
  })();
  return inFlight;
}

/** The access token to send, refreshed first when it is about to expire. */
export async function accessToken(): Promise<string | null> {
  if (current && current.expiresAt - Date.now() < Math.min(leadMs(current), 30_000)) {
    await refresh();
  }
  return current?.access ?? null;
}

// A tab restored from sessionStorage picks up its refresh schedule; a woken laptop catches up.
schedule();
if (typeof document !== 'undefined') {
  document.addEventListener('visibilitychange', () => {
    if (
      document.visibilityState === 'visible' &&
      current &&
      current.expiresAt - Date.now() < leadMs(current)
    ) {
      void refresh();
    }
  });
}
