// Live updates (issue 16): GET /api/stream on two replicas of one database. An alert written
// through one replica reaches a client of the other within a second; a client that drops and
// comes back with Last-Event-ID gets exactly what it missed (a client that stayed connected is the
// reference); changes arrive as alert.changed; the stream beats; callers without the right
// credentials get problem+json before any stream starts, and a stream ends soon after its caller
// loses access (deactivated, regrouped, key revoked or expired).
import { createHash, randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { LIVE_LIMITS } from '../src/live/live-hub.service.js';
import { expectProblem } from './support/problem.js';
import { SseClient, type SseEvent } from './support/sse-client.js';
import { resetDatabase, startTestApp, type TestApp, type TestUser } from './support/test-app.js';

const EVENT_ID = /^\d+\.\d+$/;

describe('Live updates over Server-Sent Events (e2e)', () => {
  let a: TestApp;
  let b: TestApp;
  let admin: TestUser;
  let analyst: TestUser;
  let ingestKey: string;
  /** Connected to B from the start to the end: what every other client is compared with. */
  let reference: SseClient;
  const opened: SseClient[] = [];

  const stream = async (app: TestApp, options: { token?: string; lastEventId?: string }) => {
    const client = await SseClient.open(`${app.url}/api/stream`, options);
    opened.push(client);
    return client;
  };

  /** Raises one alert through `app` (a high event), returning its id. */
  const raise = async (app: TestApp, description: string): Promise<string> => {
    const res = await app.api.post('/api/events', {
      token: admin.token,
      body: { source: 'edr', event_type: 'process_injection', severity: 'high', description },
    });
    expect(res.status).toBe(201);
    return res.body.alert.id as string;
  };

  const after = (events: SseEvent[], id: string | undefined) => {
    const [row, index] = (id ?? '0.0').split('.').map(BigInt);
    return events.filter((e) => {
      const [r, i] = e.id!.split('.').map(BigInt);
      return r > row || (r === row && i > index);
    });
  };

  beforeAll(async () => {
    await resetDatabase();
    // One after the other: the first applies the migrations.
    a = await startTestApp();
    b = await startTestApp();
    admin = await a.user('admin', ['admin']);
    analyst = await a.user('ana', ['analyst']);
    ingestKey = `vgk_${randomBytes(32).toString('base64url')}`;
    await a.db.query(
      'INSERT INTO api_keys (name, groups, key_hash, prefix) VALUES ($1, $2, $3, $4)',
      ['edr', ['ingest'], createHash('sha256').update(ingestKey).digest(), ingestKey.slice(0, 12)],
    );
    reference = await stream(b, { token: analyst.token });
    await reference.waitFor('the first message', (c) => c.lastEventId);
  });
  afterAll(async () => {
    for (const client of opened) client.close();
    await Promise.all([a?.close(), b?.close()]);
  });

  it('refuses callers without credentials or the group, and a foreign Last-Event-ID, as problem+json', async () => {
    const anonymous = await b.api.get('/api/stream');
    expectProblem(anonymous, 401);
    const ingest = await b.api.get('/api/stream', { token: ingestKey });
    expect(expectProblem(ingest, 403).detail).toMatch(/^Requires group: admin or analyst$/);
    const foreign = await b.api.get('/api/stream', {
      token: analyst.token,
      headers: { 'last-event-id': 'not-ours' },
    });
    expectProblem(foreign, 400);
  });

  it('opens as text/event-stream with a position and a retry hint', () => {
    expect(reference.status).toBe(200);
    expect(reference.headers.get('content-type')).toMatch(/^text\/event-stream/);
    expect(reference.headers.get('x-request-id')).toBeTruthy();
    expect(reference.lastEventId).toMatch(/^\d+$/);
    expect(reference.retry).toBeGreaterThan(0);
  });

  it('delivers an alert created on replica A to a client of replica B within 1 s', async () => {
    const sent = Date.now();
    const id = await raise(a, 'Injected into lsass on A');
    const event = await reference.waitFor('alert.created', (c) => c.eventFor('alert.created', id));
    expect(Date.now() - sent).toBeLessThan(1000);
    expect(event.id).toMatch(EVENT_ID);
    // The data is the alert as its GET serves it.
    const detail = await b.api.get(`/api/alerts/${id}`, { token: analyst.token });
    expect(JSON.parse(event.data)).toEqual(detail.body);
  });

  it('sends alert.changed when a PATCH changes an alert', async () => {
    const id = await raise(b, 'To be acknowledged');
    await reference.waitFor('alert.created', (c) => c.eventFor('alert.created', id));
    const patched = await a.api.patch(`/api/alerts/${id}`, {
      token: admin.token,
      body: { status: 'acknowledged' },
    });
    expect(patched.status).toBe(200);
    const event = await reference.waitFor('alert.changed', (c) => c.eventFor('alert.changed', id));
    expect(JSON.parse(event.data)).toMatchObject({ id, status: 'acknowledged', version: 2 });
    // A note alone is no change: nothing is sent for it.
    await a.api.post(`/api/alerts/${id}/notes`, { token: admin.token, body: { text: 'seen' } });
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(reference.events.filter((e) => e.type === 'alert.changed')).toEqual([event]);
  });

  it('resumes a client exactly after its Last-Event-ID: every missed event, none twice', async () => {
    // Connected to A, it sees one alert, then drops.
    const first = await stream(a, { token: analyst.token });
    await first.waitFor('the first message', (c) => c.lastEventId);
    const seen = await raise(b, 'Seen before the drop');
    await first.waitFor('the alert', (c) => c.eventFor('alert.created', seen));
    first.close();
    const resumeFrom = first.lastEventId!;

    // Missed: creations through both replicas, a PATCH, and a bulk change of two alerts (one
    // statement: one row, two events).
    const missed = [
      await raise(a, 'Missed 1'),
      await raise(b, 'Missed 2'),
      await raise(a, 'Missed 3'),
    ];
    await a.api.patch(`/api/alerts/${missed[0]}`, {
      token: admin.token,
      body: { status: 'acknowledged' },
    });
    const bulk = await b.api.post('/api/alerts/bulk', {
      token: admin.token,
      body: {
        ids: [missed[1], missed[2]],
        set: { status: 'resolved', resolution: 'false_positive' },
      },
    });
    expect(bulk.status).toBe(200);
    await reference.waitFor('the bulk change', (c) =>
      missed.slice(1).every((id) => c.eventFor('alert.changed', id)) ? true : undefined,
    );
    const expected = after(reference.events, resumeFrom);
    expect(expected.map((e) => e.type)).toEqual([
      'alert.created',
      'alert.created',
      'alert.created',
      'alert.changed',
      'alert.changed',
      'alert.changed',
    ]);

    // Back, on the other replica, with the id it had.
    const again = await stream(b, { token: analyst.token, lastEventId: resumeFrom });
    await again.waitFor('the missed events', (c) =>
      c.events.length >= expected.length ? true : undefined,
    );
    // Live again afterwards.
    const later = await raise(a, 'After the return');
    await again.waitFor('the next alert', (c) => c.eventFor('alert.created', later));
    await reference.waitFor('the next alert', (c) => c.eventFor('alert.created', later));
    const ids = again.events.map((e) => e.id);
    expect(new Set(ids).size).toBe(ids.length);
    const shape = (e: SseEvent) => [e.type, e.id, (JSON.parse(e.data) as { id: string }).id];
    expect(again.events.map(shape)).toEqual(after(reference.events, resumeFrom).map(shape));
  });

  it('ends a stream within the recheck bound once its user is deactivated or moved out of the readers, and refuses it again', async () => {
    const leaver = await a.user('leaver', ['analyst']);
    const mover = await a.user('mover', ['analyst']);
    const streams = [
      await stream(b, { token: leaver.token }),
      await stream(b, { token: mover.token }),
    ];
    for (const s of streams) await s.waitFor('the first message', (c) => c.lastEventId);
    // Open past a recheck or two while the users keep access: nothing ends them.
    await sleep(LIVE_LIMITS.recheckMs + 500);
    expect(streams.map((s) => s.ended)).toEqual([false, false]);

    const changedAt = Date.now();
    const deactivate = await a.api.patch(`/api/users/${leaver.id}`, {
      token: admin.token,
      body: { is_active: false },
    });
    expect(deactivate.status).toBe(200);
    const regroup = await a.api.patch(`/api/users/${mover.id}`, {
      token: admin.token,
      body: { groups: ['ingest'] },
    });
    expect(regroup.status).toBe(200);
    for (const s of streams) await s.waitFor('the end', (c) => c.ended || undefined, 10_000);
    // The recheck interval, plus the user cache of the replica the change was not made on.
    expect(Date.now() - changedAt).toBeLessThan(LIVE_LIMITS.recheckMs + 2_500);
    expectProblem(await b.api.get('/api/stream', { token: leaver.token }), 401);
    const moved = await b.api.get('/api/stream', { token: mover.token });
    expect([401, 403]).toContain(moved.status);
    expectProblem(moved, moved.status);
    expect(reference.ended).toBe(false);
  }, 30_000);

  it("ends an API key's stream once the key is revoked or expires", async () => {
    const create = async (name: string, expiresAt?: string) => {
      const res = await a.api.post('/api/api-keys', {
        token: admin.token,
        body: { name, groups: ['analyst'], ...(expiresAt ? { expires_at: expiresAt } : {}) },
      });
      expect(res.status).toBe(201);
      return res.body as { id: string; key: string };
    };
    const revoked = await create('soar');
    const expiring = await create('short-lived', new Date(Date.now() + 3_000).toISOString());
    const streams = [
      await stream(b, { token: revoked.key }),
      await stream(b, { token: expiring.key }),
    ];
    for (const s of streams) await s.waitFor('the first message', (c) => c.lastEventId);
    expect(
      (await a.api.call('DELETE', `/api/api-keys/${revoked.id}`, { token: admin.token })).status,
    ).toBe(204);
    for (const s of streams) await s.waitFor('the end', (c) => c.ended || undefined, 12_000);
    for (const key of [revoked, expiring])
      expectProblem(await b.api.get('/api/stream', { token: key.key }), 401);
    expect(reference.ended).toBe(false);
  }, 30_000);

  it('sends a heartbeat comment', async () => {
    await reference.waitFor(
      'a heartbeat',
      (c) => (c.comments.includes('heartbeat') ? true : undefined),
      20_000,
    );
    expect(reference.ended).toBe(false);
  });
});
