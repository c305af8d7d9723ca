// Incidents and correlation rules (issue 16) through the real service: grouping as alerts are
// stored (one incident per key and window, late and early alerts, a statement spanning several
// windows), three replicas pushing at once (a property over generated alert sets: every keyed
// alert in exactly one incident, windows of one key disjoint and as the rule says), resolving an
// incident of 5,000 alerts within 2 s with every alert audited, the workflow (If-Match, invalid
// transitions, notes), merge and move, the list, the stats and the rules' API.
import fc from 'fast-check';
import type { ApiResponse } from './support/api-client.js';
import type { StandardAlert } from '../mock-api/alert-generator.js';
import { expectProblem } from './support/problem.js';
import { SseClient } from './support/sse-client.js';
import { at, pushRecord } from './support/push-records.js';
import { startTestApp, TestApp, TestUser } from './support/test-app.js';

describe('Incidents (e2e)', () => {
  let t: TestApp;
  let admin: TestUser;
  let analyst: TestUser;

  beforeAll(async () => {
    t = await startTestApp();
    await t.reset();
    admin = await t.user('root', ['admin']);
    analyst = await t.user('ana', ['analyst']);
  });
  afterAll(() => t?.close());
  beforeEach(() =>
    t.db.query('TRUNCATE alerts, incidents, incident_alerts, correlation_rules CASCADE'),
  );

  async function rule(keys: string[], windowSeconds: number, name = keys.join('+')) {
    const res = await t.api.post('/api/correlation-rules', {
      token: admin.token,
      body: { name, keys, window_seconds: windowSeconds },
    });
    expect(res.status).toBe(201);
    return res.body as { id: string; position: number };
  }

  async function push(records: StandardAlert[], app = t): Promise<Map<string, string>> {
    const res = await app.api.post('/api/ingest/alerts', {
      token: admin.token,
      body: { alerts: records },
    });
    expect(res.status).toBe(200);
    expect(res.body.stored).toBe(records.length);
    return new Map(
      (res.body.results as Array<{ index: number; id: string }>).map((r) => [
        records[r.index].id,
        r.id,
      ]),
    );
  }

  async function incidents(query = ''): Promise<any[]> {
    const res = await t.api.get(`/api/incidents?limit=500${query}`, { token: analyst.token });
    expect(res.status).toBe(200);
    return res.body.incidents;
  }

  async function detail(id: string): Promise<any> {
    const res = await t.api.get(`/api/incidents/${id}`, { token: analyst.token });
    expect(res.status).toBe(200);
    return res.body;
  }

  it('groups 50 alerts sharing a source address within 10 minutes into one incident of exactly those 50; one outside the window starts another', async () => {
    await rule(['src_ip'], 600);
    const shared = Array.from({ length: 50 }, (_, i) =>
      pushRecord(`s${i}`, i * 11, '10.1.2.3', i === 17 ? 'critical' : 'low'),
    );
    const others = Array.from({ length: 20 }, (_, i) => pushRecord(`o${i}`, i * 20, `10.9.0.${i}`));
    const outside = pushRecord('late', 900, '10.1.2.3', 'medium');
    // Two statements, the later half first: the order an upstream delivers a burst in does not
    // split it.
    const ids = new Map([
      ...(await push([...shared.slice(25), ...others.slice(0, 10)])),
      ...(await push([outside, ...shared.slice(0, 25), ...others.slice(10)])),
    ]);

    const ofKey = (await incidents()).filter((i) => i.key.src_ip === '10.1.2.3');
    expect(ofKey).toHaveLength(2);
    const [first, second] = ofKey.sort((a, b) => a.window_start.localeCompare(b.window_start));
    expect(first).toMatchObject({
      alert_count: 50,
      severity: 'critical',
      status: 'open',
      rule_name: 'src_ip',
      title: 'src_ip 10.1.2.3',
      window_start: at(0),
      window_end: at(600),
      first_alert_at: at(0),
      last_alert_at: at(49 * 11),
    });
    expect((await detail(first.id)).alert_ids.sort()).toEqual(
      shared.map((r) => ids.get(r.id)).sort(),
    );
    expect(second).toMatchObject({ alert_count: 1, severity: 'medium', window_start: at(900) });
    expect((await detail(second.id)).alert_ids).toEqual([ids.get('late')]);

    // Each other address is its own incident; each alert names its incident.
    expect(await incidents()).toHaveLength(22);
    const alert = await t.api.get(`/api/alerts/${ids.get('s3')}`, { token: analyst.token });
    expect(alert.body.incident_id).toBe(first.id);
    const list = await t.api.get('/api/alerts?limit=500', { token: analyst.token });
    const byId = new Map((list.body.alerts as any[]).map((a) => [a.id, a.incident_id]));
    expect(byId.get(ids.get('late'))).toBe(second.id);
    expect(byId.get(ids.get('o4'))).toEqual(expect.any(String));
  });

  it('moves a window back for a late burst that fits, cuts one short where a later incident begins, and splits one statement into consecutive windows', async () => {
    await rule(['src_ip'], 600);
    // An incident from 300 s holding 300 and 500: alerts at 0 and 100 arrive later. All four fit
    // 600 s from 0, so the window moves back to start at 0.
    await push([pushRecord('b1', 300, '10.5.5.6'), pushRecord('b2', 500, '10.5.5.6')]);
    await push([pushRecord('a1', 0, '10.5.5.6'), pushRecord('a2', 100, '10.5.5.6')]);
    // The same, but the incident reaches 700 s: 0 and 700 do not fit one window, so the early
    // alerts start their own, from 0 up to 300 (not overlapping the later one).
    await push([pushRecord('later', 300, '10.5.5.5'), pushRecord('later2', 700, '10.5.5.5')]);
    await push([pushRecord('early', 0, '10.5.5.5'), pushRecord('early2', 100, '10.5.5.5')]);
    // One statement whose alert at 800 moves the incident from 1,000 back to 800, and whose
    // alert at 300 starts a window cut short where that incident now begins (not where it was).
    await push([pushRecord('x1', 1000, '10.5.5.7'), pushRecord('x2', 1100, '10.5.5.7')]);
    await push([pushRecord('y1', 300, '10.5.5.7'), pushRecord('y2', 800, '10.5.5.7')]);
    // One statement over 40 minutes of another key: windows at 0, 630 (the first alert at or
    // after 600), 1,260, 1,890.
    await push(Array.from({ length: 12 }, (_, i) => pushRecord(`r${i}`, i * 210, '10.6.6.6')));

    const windows = (key: string) =>
      incidents().then((list) =>
        list
          .filter((i) => i.key.src_ip === key)
          .map((i) => [i.window_start, i.window_end, i.alert_count])
          .sort(),
      );
    expect(await windows('10.5.5.6')).toEqual([[at(0), at(600), 4]]);
    expect(await windows('10.5.5.5')).toEqual([
      [at(0), at(300), 2],
      [at(300), at(900), 2],
    ]);
    expect(await windows('10.5.5.7')).toEqual([
      [at(300), at(800), 1],
      [at(800), at(1400), 3],
    ]);
    expect(await windows('10.6.6.6')).toEqual([
      [at(0), at(600), 3],
      [at(630), at(1230), 3],
      [at(1260), at(1860), 3],
      [at(1890), at(2490), 3],
    ]);
  });

  it('tries rules in order, keys by every field of a rule, and leaves alerts without a key alone', async () => {
    await rule(['source', 'user'], 3600, 'user per source');
    await rule(['dst_ip'], 3600, 'destination');
    const ids = await push([
      pushRecord('a', 0, '10.0.0.1', 'low', '8.8.8.8'),
      pushRecord('b', 10, '10.0.0.2', 'high', '8.8.8.8'),
      pushRecord('c', 20, '10.0.0.3'),
    ]);
    const list = await incidents();
    expect(list).toHaveLength(1);
    expect(list[0]).toMatchObject({ key: { dst_ip: '8.8.8.8' }, alert_count: 2, severity: 'high' });
    const c = await t.api.get(`/api/alerts/${ids.get('c')}`, { token: analyst.token });
    expect(c.body.incident_id).toBeNull();
  });

  it('makes no duplicate incident when three replicas store alerts at once (property)', async () => {
    const replicas = [t, await startTestApp(), await startTestApp()];
    try {
      const WINDOW = 600;
      const arbitrary = fc.array(
        fc.record({
          src: fc.constantFrom('10.7.0.1', '10.7.0.2', '10.7.0.3'),
          seconds: fc.integer({ min: 0, max: 3600 }),
          severity: fc.constantFrom('low', 'medium', 'high', 'critical'),
          replica: fc.integer({ min: 0, max: 2 }),
        }),
        { minLength: 1, maxLength: 120 },
      );
      let run = 0;
      await fc.assert(
        fc.asyncProperty(arbitrary, async (drafts) => {
          run++;
          await t.db.query(
            'TRUNCATE alerts, incidents, incident_alerts, correlation_rules CASCADE',
          );
          await rule(['src_ip'], WINDOW);
          const records = drafts.map((d, i) =>
            pushRecord(`p${run}-${i}`, d.seconds, d.src, d.severity),
          );
          // Each replica pushes its share in batches of up to 10, all replicas at once.
          await Promise.all(
            replicas.map(async (replica, r) => {
              const mine = records.filter((_, i) => drafts[i].replica === r);
              for (let i = 0; i < mine.length; i += 10) await push(mine.slice(i, i + 10), replica);
            }),
          );
          await checkInvariants(WINDOW, records.length);
        }),
        { numRuns: 8 },
      );
    } finally {
      await Promise.all(replicas.slice(1).map((r) => r.close()));
    }
  }, 180_000);

  /** Every keyed alert in exactly one incident; windows disjoint, as long as the rule allows. */
  async function checkInvariants(width: number, n: number): Promise<void> {
    const { rows: alone } = await t.db.query(
      `SELECT a.id FROM alerts a LEFT JOIN incident_alerts ia ON ia.alert_id = a.id
       WHERE ia.alert_id IS NULL`,
    );
    expect(alone).toEqual([]);
    const { rows: grouped } = await t.db.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM incident_alerts',
    );
    expect(grouped[0].n).toBe(n);
    // Each incident: its alerts share its key, lie in its window, which starts at its first
    // alert; its count and severity are its alerts'.
    const { rows: wrong } = await t.db.query(
      `SELECT i.id FROM incidents i
       JOIN incident_alerts ia ON ia.incident_id = i.id JOIN alerts a ON a.id = ia.alert_id
       GROUP BY i.id
       HAVING bool_or(jsonb_build_object('src_ip', host(a.src_ip))::text <> i.group_key)
           OR min(a.created_at) <> i.window_start
           OR max(a.created_at) >= i.window_end
           OR count(*) <> max(i.alert_count)
           OR max(array_position(ARRAY['low','medium','high','critical'], a.severity::text))
              <> max(array_position(ARRAY['low','medium','high','critical'], i.severity::text))`,
    );
    expect(wrong).toEqual([]);
    // Windows of one key: consecutive, disjoint, each as long as the rule says or cut short where
    // the next begins.
    const { rows: windows } = await t.db.query<{ k: string; s: Date; e: Date }>(
      'SELECT group_key AS k, window_start AS s, window_end AS e FROM incidents ORDER BY 1, 2',
    );
    windows.forEach((w, i) => {
      const next = windows[i + 1]?.k === w.k ? windows[i + 1] : undefined;
      const full = w.s.getTime() + width * 1000;
      expect(w.e.getTime()).toBe(next ? Math.min(full, next.s.getTime()) : full);
      if (next) expect(next.s.getTime()).toBeGreaterThanOrEqual(w.e.getTime());
    });
  }

  it('resolves an incident of 5,000 alerts within 2 s: 5,000 alert history rows, one incident history row, resolved alerts skipped with the reason', async () => {
    await rule(['src_ip'], 3600);
    await t.db.query(
      `INSERT INTO alerts (source, external_id, severity, description, created_at, src_ip)
       SELECT 'edr', 'bulk-' || g, 'high', 'Beacon', $1::timestamptz + g * interval '500 ms',
              '10.66.0.1'
       FROM generate_series(1, 5003) g`,
      [at(0)],
    );
    const { rows: done } = await t.db.query<{ id: string }>(
      `UPDATE alerts SET status = 'resolved', resolution = 'benign'
       WHERE external_id IN ('bulk-1', 'bulk-2', 'bulk-3') RETURNING id`,
    );
    const [incident] = await incidents();
    expect(incident.alert_count).toBe(5003);

    const started = performance.now();
    const res = await t.api.patch(`/api/incidents/${incident.id}`, {
      token: admin.token,
      headers: { 'if-match': `"${incident.version}"` },
      body: { status: 'resolved', resolution: 'true_positive', note: 'Host re-imaged' },
    });
    const seconds = (performance.now() - started) / 1000;
    expect(res.status).toBe(200);
    expect(seconds).toBeLessThanOrEqual(2);
    expect(res.body).toMatchObject({ status: 'resolved', resolution: 'true_positive' });
    expect(res.body.alerts.updated).toBe(5000);
    expect(res.body.alerts.skipped.map((s: any) => [s.id, s.reason]).sort()).toEqual(
      done.map((d) => [d.id, 'resolved_is_final']).sort(),
    );

    const { rows: history } = await t.db.query<{ n: number; notes: number }>(
      `SELECT count(*)::int AS n, count(*) FILTER (WHERE note = 'Host re-imaged')::int AS notes
       FROM alert_history WHERE field = 'status' AND to_value = 'resolved'`,
    );
    expect(history[0]).toEqual({ n: 5000, notes: 5000 });
    const { rows: open } = await t.db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM alerts WHERE status <> 'resolved'`,
    );
    expect(open[0].n).toBe(0);
    const own = await t.api.get(`/api/incidents/${incident.id}/history`, { token: analyst.token });
    expect(own.body.history).toEqual([
      expect.objectContaining({
        field: 'status',
        from: 'open',
        to: 'resolved',
        resolution: 'true_positive',
        note: 'Host re-imaged',
        actor: { id: admin.id, username: admin.username },
      }),
    ]);

    // Resolved is final, and takes no more alerts: one in its window starts a new incident.
    expectProblem(
      await t.api.patch(`/api/incidents/${incident.id}`, {
        token: admin.token,
        body: { status: 'open' },
      }),
      409,
    );
    await push([pushRecord('after', 60, '10.66.0.1')]);
    const after = (await incidents()).filter((i) => i.status === 'open');
    expect(after).toHaveLength(1);
    expect(after[0]).toMatchObject({ alert_count: 1, window_start: at(60) });
  }, 60_000);

  it('lets deleted alerts (retention) leave their incidents: recounted, and gone when emptied', async () => {
    await rule(['src_ip'], 600);
    const ids = await push([
      pushRecord('d1', 0, '10.2.0.1'),
      pushRecord('d2', 10, '10.2.0.1'),
      pushRecord('d3', 0, '10.2.0.2'),
    ]);
    const before = await incidents();
    const client = await t.db.connect();
    try {
      await client.query('BEGIN');
      await client.query(`SET LOCAL vigil.history_purge = 'on'`);
      await client.query('DELETE FROM alerts WHERE id = ANY($1::uuid[])', [
        [ids.get('d1'), ids.get('d3')],
      ]);
      await client.query('COMMIT');
    } finally {
      client.release();
    }
    const after = await incidents();
    expect(after.map((i) => [i.key.src_ip, i.alert_count])).toEqual([['10.2.0.1', 1]]);
    expect(after[0].id).toBe(before.find((i) => i.key.src_ip === '10.2.0.1').id);
    expect((await detail(after[0].id)).alert_ids).toEqual([ids.get('d2')]);
  });

  it('changes status and assignee with If-Match, keeps notes, refuses stale versions and invalid transitions', async () => {
    await rule(['src_ip'], 600);
    await push([pushRecord('w1', 0, '10.8.0.1')]);
    const [incident] = await incidents();
    const url = `/api/incidents/${incident.id}`;
    const got = await t.api.get(url, { token: analyst.token });
    expect(got.headers.get('etag')).toBe(`"${incident.version}"`);

    const ack = await t.api.patch(url, {
      token: admin.token,
      headers: { 'if-match': `"${incident.version}"` },
      body: { status: 'acknowledged', assignee: analyst.username },
    });
    expect(ack.status).toBe(200);
    expect(ack.body).toMatchObject({
      status: 'acknowledged',
      assignee: { username: analyst.username },
      version: incident.version + 1,
      alerts: null,
    });
    // The alerts keep their own status: only a resolution goes down to them.
    const { rows } = await t.db.query('SELECT status FROM alerts');
    expect(rows).toEqual([{ status: 'open' }]);

    expectProblem(
      await t.api.patch(url, {
        token: admin.token,
        headers: { 'if-match': `"${incident.version}"` },
        body: { status: 'open' },
      }),
      412,
    );
    expectProblem(
      await t.api.patch(url, { token: admin.token, body: { status: 'resolved' } }),
      400,
    );
    expectProblem(await t.api.patch(url, { token: analyst.token, body: { note: 'x' } }), 403);
    const noted = await t.api.patch(url, { token: admin.token, body: { note: 'Looking' } });
    expect(noted.status).toBe(200);
    expect(noted.body.version).toBe(incident.version + 1);

    const history = await t.api.get(`${url}/history`, { token: analyst.token });
    expect(history.body.history.map((h: any) => [h.field, h.from, h.to, h.note])).toEqual([
      ['status', 'open', 'acknowledged', null],
      ['assignee', null, analyst.username, null],
      [null, null, null, 'Looking'],
    ]);
    expectProblem(await t.api.get('/api/incidents/00000000-0000-4000-8000-000000000000'), 401);
    expectProblem(
      await t.api.get('/api/incidents/00000000-0000-4000-8000-000000000000', {
        token: analyst.token,
      }),
      404,
    );
  });

  it('merges one incident into another and moves an alert out, both audited', async () => {
    await rule(['src_ip'], 600);
    const ids = await push([
      pushRecord('m1', 0, '10.9.9.1', 'low'),
      pushRecord('m2', 10, '10.9.9.1', 'low'),
      pushRecord('m3', 20, '10.9.9.2', 'critical'),
    ]);
    const list = await incidents();
    const target = list.find((i) => i.key.src_ip === '10.9.9.1');
    const source = list.find((i) => i.key.src_ip === '10.9.9.2');

    const merged = await t.api.post(`/api/incidents/${target.id}/merge`, {
      token: admin.token,
      body: { incident_id: source.id },
    });
    expect(merged.status).toBe(200);
    expect(merged.body).toMatchObject({ alert_count: 3, severity: 'critical' });
    expect(await detail(source.id)).toMatchObject({
      status: 'resolved',
      resolution: 'duplicate',
      alert_count: 0,
      alert_ids: [],
    });
    expect((await detail(target.id)).alert_ids.sort()).toEqual([...ids.values()].sort());
    for (const id of [target.id, source.id]) {
      const h = await t.api.get(`/api/incidents/${id}/history`, { token: analyst.token });
      expect(h.body.history).toEqual([
        expect.objectContaining({ field: 'merge', from: source.id, to: target.id }),
      ]);
    }
    expectProblem(
      await t.api.post(`/api/incidents/${target.id}/merge`, {
        token: admin.token,
        body: { incident_id: source.id },
      }),
      409,
    );
    expectProblem(
      await t.api.post(`/api/incidents/${target.id}/merge`, {
        token: admin.token,
        body: { incident_id: target.id },
      }),
      400,
    );

    const moved = await t.api.call(
      'DELETE',
      `/api/incidents/${target.id}/alerts/${ids.get('m3')}`,
      {
        token: admin.token,
      },
    );
    expect(moved.status).toBe(200);
    expect(moved.body).toMatchObject({ alert_count: 2, severity: 'low' });
    const m3 = await t.api.get(`/api/alerts/${ids.get('m3')}`, { token: analyst.token });
    expect(m3.body.incident_id).toBeNull();
    const h = await t.api.get(`/api/incidents/${target.id}/history`, { token: analyst.token });
    expect(h.body.history.at(-1)).toMatchObject({ field: 'alert_moved', from: ids.get('m3') });
    expectProblem(
      await t.api.call('DELETE', `/api/incidents/${target.id}/alerts/${ids.get('m3')}`, {
        token: admin.token,
      }),
      404,
    );
  });

  it('lists with filters and keyset paging, and counts in the stats', async () => {
    await rule(['src_ip'], 600);
    await push(
      Array.from({ length: 7 }, (_, i) =>
        pushRecord(`l${i}`, i, `10.3.0.${i}`, i < 2 ? 'critical' : 'low'),
      ),
    );
    const seen: string[] = [];
    let cursor: string | null = '';
    while (cursor !== null) {
      const res: ApiResponse = await t.api.get(
        `/api/incidents?limit=3${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
        { token: analyst.token },
      );
      expect(res.status).toBe(200);
      expect(res.body.total).toBe(7);
      seen.push(...res.body.incidents.map((i: any) => i.id));
      cursor = res.body.next_cursor;
    }
    expect(new Set(seen).size).toBe(7);
    expect(await incidents('&severity=critical')).toHaveLength(2);
    const [one] = await incidents('&severity=critical');
    await t.api.patch(`/api/incidents/${one.id}`, {
      token: admin.token,
      body: { status: 'acknowledged', assignee: analyst.username },
    });
    expect((await incidents(`&assignee=${analyst.username}`)).map((i) => i.id)).toEqual([one.id]);
    expect(await incidents('&status=acknowledged')).toHaveLength(1);
    expectProblem(await t.api.get('/api/incidents?status=closed', { token: analyst.token }), 400);

    const stats = await t.api.get('/api/incidents/stats', { token: analyst.token });
    expect(stats.status).toBe(200);
    expect(stats.body).toMatchObject({
      by_status: { open: 6, acknowledged: 1, resolved: 0 },
      created: 7,
      alerts_per_incident: { mean: 1, max: 1 },
      mttr_seconds: null,
    });
    expect(stats.body.mtta_seconds).toEqual(expect.any(Number));
  });

  it('streams incident.created and incident.changed, each with the incident as its GET serves it', async () => {
    await rule(['src_ip'], 600);
    const stream = await SseClient.open(`${t.url}/api/stream`, { token: analyst.token });
    try {
      expect(stream.status).toBe(200);
      await stream.waitFor('the first message', (c) => c.lastEventId);
      await push([pushRecord('live1', 0, '10.77.0.1', 'low')]);
      const [incident] = await incidents();
      const created = await stream.waitFor('incident.created', (c) =>
        c.eventFor('incident.created', incident.id),
      );
      expect(JSON.parse(created.data)).toEqual(incident);

      await push([pushRecord('live2', 30, '10.77.0.1', 'critical')]);
      const changed = await stream.waitFor('incident.changed', (c) =>
        c.eventFor('incident.changed', incident.id),
      );
      expect(JSON.parse(changed.data)).toMatchObject({
        id: incident.id,
        alert_count: 2,
        severity: 'critical',
      });
    } finally {
      stream.close();
    }
  });

  it('manages the rules: validation, names, order, deletion keeping incidents', async () => {
    const url = '/api/correlation-rules';
    const first = await rule(['src_ip'], 600, 'Hosts');
    const second = await rule(['user', 'source'], 3600, 'Users');
    expect(second.position).toBe(first.position + 1);
    const listed = await t.api.get(url, { token: admin.token });
    expect(listed.body.rules.map((r: any) => [r.name, r.keys])).toEqual([
      ['Hosts', ['src_ip']],
      ['Users', ['user', 'source']],
    ]);
    for (const body of [
      { name: 'x', keys: ['source'], window_seconds: 600 },
      { name: 'x', keys: ['src_ip'], window_seconds: 10 },
      { name: 'x', keys: ['mac'], window_seconds: 600 },
      { name: ' ', keys: ['src_ip'], window_seconds: 600 },
    ]) {
      expectProblem(await t.api.post(url, { token: admin.token, body }), 400);
    }
    expectProblem(
      await t.api.post(url, {
        token: admin.token,
        body: { name: 'hosts', keys: ['dst_ip'], window_seconds: 600 },
      }),
      409,
    );
    expectProblem(await t.api.get(url, { token: analyst.token }), 403);

    const off = await t.api.patch(`${url}/${first.id}`, {
      token: admin.token,
      body: { enabled: false },
    });
    expect(off.body.enabled).toBe(false);
    await push([pushRecord('x1', 0, '10.4.0.1')]);
    expect(await incidents()).toHaveLength(0);
    await t.api.patch(`${url}/${first.id}`, { token: admin.token, body: { enabled: true } });
    await push([pushRecord('x2', 0, '10.4.0.2')]);
    const [incident] = await incidents();
    expect(incident.rule_id).toBe(first.id);

    expect((await t.api.call('DELETE', `${url}/${first.id}`, { token: admin.token })).status).toBe(
      204,
    );
    expect(await detail(incident.id)).toMatchObject({ rule_id: null, rule_name: 'Hosts' });
    expectProblem(await t.api.call('DELETE', `${url}/${first.id}`, { token: admin.token }), 404);
  });
});
