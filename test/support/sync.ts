// Driving and checking syncs from e2e specs: start one and wait for its run, read what the store
// holds.
import type { TestApp, TestUser } from './test-app.js';

export async function waitUntil<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  timeoutMs = 60_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const value = await probe();
    if (value !== undefined) return value;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}

export interface Run {
  id: string;
  mode: 'incremental' | 'reconcile';
  result: string;
  fetched: number;
  inserted: number;
  duplicates: number;
  quarantined: number;
  late: number;
  future_dated: number;
  pages: number;
  error: string | null;
  started_at: string;
  finished_at: string | null;
}

export async function finishedRun(t: TestApp, admin: TestUser, runId: string): Promise<Run> {
  return waitUntil(`run ${runId} to finish`, async () => {
    const res = await t.api.get('/api/sync/runs?limit=200', { token: admin.token });
    const run = (res.body.runs as Run[]).find((r) => r.id === runId);
    return run && run.result !== 'running' ? run : undefined;
  });
}

export async function syncNow(
  t: TestApp,
  admin: TestUser,
  mode?: 'incremental' | 'reconcile',
): Promise<Run> {
  const started = await t.api.post('/api/sync', {
    token: admin.token,
    ...(mode && { body: { mode } }),
  });
  expect(started.status).toBe(202);
  return finishedRun(t, admin, started.body.run_id);
}

export async function storedExternalIds(t: TestApp): Promise<string[]> {
  const { rows } = await t.db.query<{ external_id: string }>(
    'SELECT external_id FROM alerts ORDER BY external_id',
  );
  return rows.map((r) => r.external_id);
}

export async function quarantineCount(t: TestApp): Promise<number> {
  const { rows } = await t.db.query<{ n: number }>('SELECT count(*)::int AS n FROM quarantine');
  return rows[0].n;
}
