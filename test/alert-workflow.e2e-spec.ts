// The SOC workflow on alerts: lifecycle transitions, assignment, optimistic concurrency, notes,
// the append-only history and bulk actions, through the real service.
import { expectProblem, problemFields } from './support/problem.js';
import { startTestApp, TestApp, TestUser } from './support/test-app.js';

const UNKNOWN_ID = '00000000-0000-4000-8000-000000000000';

describe('Alert workflow (e2e)', () => {
  let t: TestApp;
  let admin: TestUser;
  let analyst: TestUser;

  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  beforeEach(async () => {
    await t.reset();
    admin = await t.user('root', ['admin']);
    analyst = await t.user('ana', ['analyst']);
  });

  /** `count` alerts of one source, one second apart, newest last; returns ids newest first. */
  async function seed(
    count: number,
    fields: { source?: string; status?: string; severity?: string; resolution?: string } = {},
  ): Promise<string[]> {
    const { rows } = await t.db.query<{ id: string }>(
      `INSERT INTO alerts (source, fingerprint, severity, status, resolution, description, created_at)
       SELECT $2, convert_to(gen_random_uuid()::text, 'UTF8'), $3, $4, $5, 'Seeded alert ' || i,
              now() - interval '1 hour' + i * interval '1 second'
       FROM generate_series(1, $1::int) AS i
       ORDER BY i DESC
       RETURNING id`,
      [
        count,
        fields.source ?? 'firewall',
        fields.severity ?? 'high',
        fields.status ?? 'open',
        fields.resolution ?? null,
      ],
    );
    return rows.map((r) => r.id);
  }

  const patch = (id: string, body: unknown, headers: Record<string, string> = {}) =>
    t.api.patch(`/api/alerts/${id}`, { token: admin.token, body, headers });
  const history = async (id: string) => {
    const res = await t.api.get(`/api/alerts/${id}/history`, { token: analyst.token });
    expect(res.status).toBe(200);
    return res.body.history as Array<Record<string, unknown>>;
  };
  const historyCount = async (where = 'true', params: unknown[] = []) =>
    Number(
      (await t.db.query(`SELECT count(*) AS n FROM alert_history WHERE ${where}`, params)).rows[0]
        .n,
    );

  describe('lifecycle', () => {
    it('acknowledges, reopens and resolves, bumping the version and auditing each step', async () => {
      const [id] = await seed(1);

      const ack = await patch(id, { status: 'acknowledged', note: 'looking' });
      expect(ack.status).toBe(200);
      expect(ack.body).toMatchObject({ id, status: 'acknowledged', version: 2, resolution: null });
      expect(ack.headers.get('etag')).toBe('"2"');

      expect((await patch(id, { status: 'open' })).body).toMatchObject({ status: 'open' });
      const resolved = await patch(id, { status: 'resolved', resolution: 'false_positive' });
      expect(resolved.body).toMatchObject({
        status: 'resolved',
        resolution: 'false_positive',
        version: 4,
      });

      expect(await history(id)).toEqual([
        expect.objectContaining({
          field: 'status',
          from: 'open',
          to: 'acknowledged',
          note: 'looking',
          resolution: null,
          actor: { id: admin.id, username: 'root' },
        }),
        expect.objectContaining({ field: 'status', from: 'acknowledged', to: 'open', note: null }),
        expect.objectContaining({
          field: 'status',
          from: 'open',
          to: 'resolved',
          resolution: 'false_positive',
        }),
      ]);
    });

    it('keeps resolved final: 409 naming the allowed transitions, nothing written', async () => {
      const [id] = await seed(1, { status: 'resolved', resolution: 'benign' });

      for (const body of [{ status: 'open' }, { status: 'acknowledged' }, { assignee: 'root' }]) {
        const problem = expectProblem(await patch(id, body), 409);
        expect(problem).toMatchObject({
          current_status: 'resolved',
          allowed_transitions: [],
          detail: expect.stringContaining('resolved is final'),
        });
      }
      expect(await historyCount()).toBe(0);
      const { rows } = await t.db.query('SELECT status, version FROM alerts WHERE id = $1', [id]);
      expect(rows[0]).toEqual({ status: 'resolved', version: 1 });
    });

    it('resolves only with a resolution, and takes a resolution only when resolving', async () => {
      const [id] = await seed(1);

      const missing = await patch(id, { status: 'resolved' });
      expectProblem(missing, 400);
      expect(problemFields(missing)).toEqual(['resolution']);

      const stray = await patch(id, { status: 'acknowledged', resolution: 'benign' });
      expectProblem(stray, 400);
      expect(problemFields(stray)).toEqual(['resolution']);

      const unknown = await patch(id, { status: 'closed', resolution: 'maybe', extra: 1 });
      expectProblem(unknown, 400);
      expect(problemFields(unknown)).toEqual(['extra', 'resolution', 'status']);

      expectProblem(await patch(id, {}), 400);
      expect(await historyCount()).toBe(0);
    });

    it('assigns to an active user by username, reassigns and unassigns', async () => {
      const [id] = await seed(1);

      const assigned = await patch(id, { assignee: 'ANA' });
      expect(assigned.status).toBe(200);
      expect(assigned.body.assignee).toEqual({ id: analyst.id, username: 'ana' });
      expect((await patch(id, { assignee: 'root' })).body.assignee.username).toBe('root');
      expect((await patch(id, { assignee: null })).body.assignee).toBeNull();

      expect((await history(id)).map((h) => [h.field, h.from, h.to])).toEqual([
        ['assignee', null, 'ana'],
        ['assignee', 'ana', 'root'],
        ['assignee', 'root', null],
      ]);
    });

    it('refuses an unknown or deactivated assignee with a 400 naming assignee', async () => {
      const [id] = await seed(1);
      await t.db.query('UPDATE users SET is_active = false WHERE id = $1', [analyst.id]);

      for (const assignee of ['nobody', 'ana']) {
        const res = await patch(id, { assignee });
        expectProblem(res, 400);
        expect(problemFields(res)).toEqual(['assignee']);
      }
    });

    it('records a requested value the alert already has as no change', async () => {
      const [id] = await seed(1);
      const res = await patch(id, { status: 'open' });
      expect(res.body).toMatchObject({ status: 'open', version: 1 });
      expect(await historyCount()).toBe(0);
    });

    it('answers 404 for an unknown alert and 400 for a malformed id', async () => {
      expectProblem(await patch(UNKNOWN_ID, { status: 'acknowledged' }), 404);
      const bad = await patch('not-a-uuid', { status: 'acknowledged' });
      expectProblem(bad, 400);
      expect(problemFields(bad)).toEqual(['id']);
    });
  });

  describe('concurrent changes', () => {
    it('of two PATCHes from one version, exactly one applies; the other gets 409', async () => {
      const ids = await seed(8);
      for (const id of ids) {
        const [first, second] = await Promise.all([
          patch(id, { status: 'acknowledged', version: 1 }),
          patch(id, { status: 'resolved', resolution: 'benign', version: 1 }),
        ]);
        const statuses = [first.status, second.status].sort();
        expect(statuses).toEqual([200, 409]);
        const loser = first.status === 409 ? first : second;
        expect(expectProblem(loser, 409)).toMatchObject({ current_version: 2 });
        expect(await history(id)).toHaveLength(1);
      }
    });

    it('honours If-Match: 412 when stale, and * or the current ETag applies', async () => {
      const [id] = await seed(1);
      const read = await t.api.get(`/api/alerts/${id}`, { token: analyst.token });
      const etag = read.headers.get('etag')!;
      expect(etag).toBe('"1"');

      const [a, b] = await Promise.all([
        patch(id, { status: 'acknowledged' }, { 'if-match': etag }),
        patch(id, { assignee: 'ana' }, { 'if-match': etag }),
      ]);
      expect([a.status, b.status].sort()).toEqual([200, 412]);
      expect(await history(id)).toHaveLength(1);

      expect((await patch(id, { note: 'any version' }, { 'if-match': '*' })).status).toBe(200);
      expectProblem(await patch(id, { status: 'open' }, { 'if-match': 'W/"2"' }), 412);
      expect((await patch(id, { status: 'open' }, { 'if-match': '"2"' })).status).toBe(200);
    });
  });

  describe('notes and history', () => {
    it('adds notes, also to resolved alerts, in order with the changes', async () => {
      const [id] = await seed(1);
      await patch(id, { status: 'resolved', resolution: 'true_positive' });

      const res = await t.api.post(`/api/alerts/${id}/notes`, {
        token: admin.token,
        body: { text: 'Contained; ticket INC-42.' },
      });

      expect(res.status).toBe(201);
      expect(res.body).toMatchObject({
        field: null,
        from: null,
        to: null,
        note: 'Contained; ticket INC-42.',
        actor: { id: admin.id, username: 'root' },
      });
      const entries = await history(id);
      expect(entries.map((h) => h.field)).toEqual(['status', null]);
      expect(entries[1]).toEqual(res.body);
      expect(Date.parse(entries[1].at as string)).toBeGreaterThanOrEqual(
        Date.parse(entries[0].at as string),
      );
    });

    it('keeps a PATCH note alone as a note when nothing else changes', async () => {
      const [id] = await seed(1);
      expect((await patch(id, { note: 'first look' })).body.version).toBe(1);
      expect(await history(id)).toEqual([
        expect.objectContaining({ field: null, note: 'first look' }),
      ]);
    });

    it('refuses blank, oversized or missing note text, and unknown alerts', async () => {
      const [id] = await seed(1);
      for (const body of [{ text: '   ' }, { text: 'x'.repeat(5001) }, {}]) {
        const res = await t.api.post(`/api/alerts/${id}/notes`, { token: admin.token, body });
        expectProblem(res, 400);
        expect(problemFields(res)).toEqual(['text']);
      }
      expectProblem(
        await t.api.post(`/api/alerts/${UNKNOWN_ID}/notes`, {
          token: admin.token,
          body: { text: 'hello' },
        }),
        404,
      );
      expectProblem(
        await t.api.get(`/api/alerts/${UNKNOWN_ID}/history`, { token: admin.token }),
        404,
      );
    });

    it('is append-only in the database itself', async () => {
      const [id] = await seed(1);
      await patch(id, { status: 'acknowledged' });

      await expect(t.db.query(`UPDATE alert_history SET note = 'rewritten'`)).rejects.toThrow(
        /append-only/,
      );
      await expect(t.db.query('DELETE FROM alert_history')).rejects.toThrow(/append-only/);
      await expect(t.db.query('DELETE FROM alerts WHERE id = $1', [id])).rejects.toThrow(
        /append-only/,
      );
      expect(await historyCount()).toBe(1);
    });

    it('lets analysts read but not write', async () => {
      const [id] = await seed(1);
      const as = { token: analyst.token };
      expectProblem(
        await t.api.patch(`/api/alerts/${id}`, { ...as, body: { status: 'open' } }),
        403,
      );
      expectProblem(
        await t.api.post(`/api/alerts/${id}/notes`, { ...as, body: { text: 'hi' } }),
        403,
      );
      expectProblem(
        await t.api.post('/api/alerts/bulk', {
          ...as,
          body: { ids: [id], set: { status: 'acknowledged' } },
        }),
        403,
      );
      expect((await t.api.get(`/api/alerts/${id}/history`, as)).status).toBe(200);
      expect(await historyCount()).toBe(0);
    });
  });

  describe('bulk', () => {
    const bulk = (body: unknown) => t.api.post('/api/alerts/bulk', { token: admin.token, body });

    it('resolves 10,000 of 12,000 matches, says truncated, and audits each one', async () => {
      const ids = await seed(12_000, { source: 'bulk-fw' });
      await seed(50, { source: 'elsewhere' });

      const res = await bulk({
        filter: { source: 'bulk-fw' },
        set: { status: 'resolved', resolution: 'benign' },
        note: 'mass false alarm',
      });

      expect(res.status).toBe(200);
      expect(res.body).toEqual({ matched: 12_000, updated: 10_000, skipped: [], truncated: true });
      // The newest 10,000 (ids are newest first), as the list would show them.
      const { rows } = await t.db.query<{ id: string }>(
        `SELECT id FROM alerts WHERE status = 'resolved' AND resolution = 'benign' AND version = 2`,
      );
      expect(new Set(rows.map((r) => r.id))).toEqual(new Set(ids.slice(0, 10_000)));
      expect(await historyCount()).toBe(10_000);
      expect(
        await historyCount(
          `field = 'status' AND from_value = 'open' AND to_value = 'resolved'
           AND resolution = 'benign' AND note = 'mass false alarm' AND actor_id = $1`,
          [admin.id],
        ),
      ).toBe(10_000);
      expect(
        Number(
          (await t.db.query(`SELECT count(*) AS n FROM alerts WHERE status = 'open'`)).rows[0].n,
        ),
      ).toBe(2_050);
    });

    it('skips resolved and unknown alerts with a reason and changes the rest', async () => {
      const open = await seed(3);
      const resolved = await seed(2, { status: 'resolved', resolution: 'duplicate' });
      const acknowledged = await seed(1, { status: 'acknowledged' });

      const res = await bulk({
        ids: [...open, ...resolved, ...acknowledged, UNKNOWN_ID, open[0]],
        set: { status: 'acknowledged', assignee: 'ana' },
      });

      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ matched: 6, updated: 4, truncated: false });
      const reasons = Object.fromEntries(
        res.body.skipped.map((s: { id: string; reason: string }) => [s.id, s.reason]),
      );
      expect(reasons).toEqual({
        [resolved[0]]: 'resolved_is_final',
        [resolved[1]]: 'resolved_is_final',
        [UNKNOWN_ID]: 'not_found',
      });
      // Open alerts change status and assignee (two rows each); the acknowledged one only its
      // assignee; resolved ones nothing.
      expect(await historyCount()).toBe(3 * 2 + 1);
      expect(await historyCount('alert_id = ANY($1)', [resolved])).toBe(0);
    });

    it('acts on exactly the alerts the list returns for the same filter', async () => {
      await seed(5, { source: 'ngfw', severity: 'critical' });
      await seed(4, { source: 'ngfw', severity: 'high' });
      await seed(6, { source: 'ngfw', severity: 'low' });
      await seed(3, { source: 'waf', severity: 'critical' });

      const listed = await t.api.get('/api/alerts?source=ngfw&severity=HIGH,critical&limit=500', {
        token: analyst.token,
      });
      const res = await bulk({
        filter: { source: 'ngfw', severity: 'HIGH,critical' },
        set: { status: 'acknowledged' },
      });

      expect(res.body).toMatchObject({ matched: 9, updated: 9, truncated: false });
      const { rows } = await t.db.query<{ id: string }>(
        `SELECT id FROM alerts WHERE status = 'acknowledged'`,
      );
      expect(new Set(rows.map((r) => r.id))).toEqual(
        new Set(listed.body.alerts.map((a: { id: string }) => a.id)),
      );
    });

    it('validates the whole request before touching anything', async () => {
      const [id] = await seed(1);
      const cases: Array<[unknown, string[]]> = [
        [{ set: { status: 'acknowledged' } }, ['ids']],
        [{ ids: [id], filter: { source: 'x' }, set: { status: 'open' } }, ['ids']],
        [{ filter: {}, set: { status: 'open' } }, ['filter']],
        [
          { filter: { severity: 'urgent', hours: 0 }, set: { status: 'open' } },
          ['filter.hours', 'filter.severity'],
        ],
        // An explicit null is a value to refuse, not an absent field (it once reached the query).
        [{ filter: { severity: null }, set: { status: 'open' } }, ['filter.severity']],
        [
          { filter: { q: null, hours: null }, set: { status: 'open' } },
          ['filter.hours', 'filter.q'],
        ],
        [{ ids: [id], set: {} }, ['set']],
        [{ ids: [id], set: { status: 'resolved' } }, ['set.resolution']],
        [{ ids: [id], set: { assignee: 'nobody' } }, ['set.assignee']],
        [{ ids: ['nope'], set: { status: 'open' } }, ['ids']],
        [{ ids: Array.from({ length: 10_001 }, () => id), set: { status: 'open' } }, ['ids']],
      ];
      for (const [body, fields] of cases) {
        const res = await bulk(body);
        expectProblem(res, 400);

        expect(problemFields(res)).toEqual(fields);
      }
      expect(await historyCount()).toBe(0);
    });
  });

  it('shows an event alert with its event, and an upstream alert with none', async () => {
    const [id] = await seed(1);
    const upstream = await t.api.get(`/api/alerts/${id}`, { token: analyst.token });
    expect(upstream.status).toBe(200);
    expect(upstream.body.event).toBeNull();

    const created = await t.api.post('/api/events', {
      token: admin.token,
      body: {
        source: 'edr',
        event_type: 'credential_dump',
        severity: 'critical',
        description: 'LSASS memory read by an unsigned binary',
        dst_ip: '2001:db8::7',
        attributes: { host: 'ws-12' },
      },
    });
    expect(created.status).toBe(201);
    const detail = await t.api.get(`/api/alerts/${created.body.alert.id}`, {
      token: analyst.token,
    });
    expect(detail.body).toMatchObject({ origin: 'event', event_id: created.body.id });
    expect(detail.body.event).toEqual({
      id: created.body.id,
      source: 'edr',
      event_type: 'credential_dump',
      severity: 'critical',
      description: 'LSASS memory read by an unsigned binary',
      occurred_at: created.body.occurred_at,
      received_at: created.body.received_at,
      src_ip: null,
      dst_ip: '2001:db8::7',
      attributes: { host: 'ws-12' },
    });
  });
});
