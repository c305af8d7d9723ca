// RETENTION_DAYS (issue 6): a service started with it purges what is older (alerts with their
// append-only history, events, quarantine, finished runs) and keeps everything newer. Without it,
// nothing is ever deleted.
import { waitUntil } from './support/sync.js';
import { resetDatabase, startTestApp, TestApp } from './support/test-app.js';

const count = async (t: TestApp, sql: string) => Number((await t.db.query(sql)).rows[0].n);

async function arrange(t: TestApp): Promise<void> {
  const admin = await t.user('admin', ['admin']);
  for (const [age, n] of [
    ['10 days', 30],
    ['1 hour', 20],
  ] as const) {
    const { rows } = await t.db.query<{ id: string }>(
      `INSERT INTO alerts (source, fingerprint, severity, description, created_at)
       SELECT 'fw', convert_to(gen_random_uuid()::text, 'UTF8'), 'high', 'x', now() - $1::interval
       FROM generate_series(1, $2::int) RETURNING id`,
      [age, n],
    );
    await t.db.query(
      `INSERT INTO alert_history (alert_id, actor_id, actor_username, note)
       SELECT unnest($1::uuid[]), $2, 'admin', 'seen'`,
      [rows.map((r) => r.id), admin.id],
    );
    await t.db.query(
      `INSERT INTO events (source, event_type, severity, description, occurred_at)
       VALUES ('edr', 'x', 'low', 'x', now() - $1::interval)`,
      [age],
    );
    await t.db.query(
      `INSERT INTO quarantine (payload_hash, payload, reason, received_at)
       VALUES (sha256(convert_to($1, 'UTF8')), '{}', 'bad', now() - $1::interval)`,
      [age],
    );
    await t.db.query(
      `INSERT INTO sync_runs (trigger, result, started_at, finished_at)
       VALUES ('manual', 'success', now() - $1::interval, now() - $1::interval)`,
      [age],
    );
  }
}

describe('Retention (e2e)', () => {
  it('purges data older than RETENTION_DAYS and nothing newer', async () => {
    const keeper = await startTestApp();
    await keeper.reset();
    await arrange(keeper);
    await keeper.close();

    const t = await startTestApp({ RETENTION_DAYS: '7' });
    try {
      await waitUntil('the start-up purge', async () =>
        (await count(t, 'SELECT count(*) AS n FROM alerts')) === 20 ? true : undefined,
      );
      expect(await count(t, 'SELECT count(*) AS n FROM alert_history')).toBe(20);
      expect(
        await count(
          t,
          `SELECT count(*) AS n FROM alerts WHERE created_at < now() - interval '7 days'`,
        ),
      ).toBe(0);
      await waitUntil('the rest of the purge', async () =>
        (await count(t, 'SELECT count(*) AS n FROM sync_runs')) === 1 ? true : undefined,
      );
      expect(await count(t, 'SELECT count(*) AS n FROM events')).toBe(1);
      expect(await count(t, 'SELECT count(*) AS n FROM quarantine')).toBe(1);
      // The purge declared itself; the history stays append-only for everyone else.
      await expect(t.db.query('DELETE FROM alert_history')).rejects.toThrow(/append-only/);
    } finally {
      await t.close();
    }
  });

  it('keeps everything when RETENTION_DAYS is unset', async () => {
    await resetDatabase();
    const keeper = await startTestApp();
    await arrange(keeper);
    await keeper.close();

    // The same start-up that purged above, without the variable: a second after ready, all stays.
    const t = await startTestApp();
    try {
      await new Promise((resolve) => setTimeout(resolve, 1_000));

      expect(await count(t, 'SELECT count(*) AS n FROM alerts')).toBe(50);
      expect(await count(t, 'SELECT count(*) AS n FROM events')).toBe(2);
    } finally {
      await t.close();
    }
  });
});
