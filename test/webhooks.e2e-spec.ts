// Webhook subscriptions (issue 15): the outbox is written with the alerts, every alert reaches each
// matching subscription's receiver in exactly one message (deduplicated by webhook-id), also
// across a SIGKILL and on three replicas; messages are signed to the Standard Webhooks spec and
// keep their id and body across retries.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { MockUpstream, startMockUpstream } from './support/mock-upstream.js';
import { syncNow, waitUntil } from './support/sync.js';
import { resetDatabase, startTestApp, TestApp, TestUser } from './support/test-app.js';
import {
  type ReceivedRequest,
  startWebhookReceiver,
  type WebhookReceiver,
} from './support/webhook-receiver.js';

const BACKLOG = 2_000;
const EVENTS = 50;

/** Fast retries and polling, so retry schedules play out within a spec. */
const WEBHOOK_ENV = {
  WEBHOOK_RETRY_SCHEDULE_SECONDS: '1,1,1,1,1,1',
  WEBHOOK_POLL_INTERVAL_MS: '100',
  WEBHOOK_PAUSE_AFTER_FAILURES: '2',
  WEBHOOK_TIMEOUT_SECONDS: '2',
};

/**
 * The Standard Webhooks reference algorithm, written out from the spec: the secret is the base64
 * after `whsec_`; the signature is base64(HMAC-SHA256(key, `${id}.${timestamp}.${body}`)), sent as
 * `v1,<signature>` in a space-separated list.
 */
function verifiesBySpec(secret: string, request: ReceivedRequest): boolean {
  const id = request.headers['webhook-id'] as string;
  const timestamp = request.headers['webhook-timestamp'] as string;
  const header = request.headers['webhook-signature'] as string;
  if (!id || !/^\d+$/.test(timestamp) || !header) return false;
  if (Math.abs(Date.now() / 1000 - Number(timestamp)) > 300) return false;
  const key = Buffer.from(secret.slice('whsec_'.length), 'base64');
  const expected = createHmac('sha256', key).update(`${id}.${timestamp}.${request.body}`).digest();
  return header.split(' ').some((entry) => {
    const [version, signature] = entry.split(',');
    const given = Buffer.from(signature ?? '', 'base64');
    return version === 'v1' && given.length === expected.length && timingSafeEqual(given, expected);
  });
}

interface Message {
  type: string;
  timestamp: string;
  data: { alerts: Array<Record<string, unknown> & { id: string }> };
}

/** Per alert id: the distinct webhook-ids that carried it (the receiver deduplicates on those). */
function alertsByMessage(
  requests: ReceivedRequest[],
  type = 'alert.created',
): Map<string, Set<string>> {
  const carried = new Map<string, Set<string>>();
  for (const request of requests) {
    const message = JSON.parse(request.body) as Message;
    if (message.type !== type) continue;
    for (const alert of message.data.alerts) {
      const ids = carried.get(alert.id) ?? new Set<string>();
      ids.add(request.headers['webhook-id'] as string);
      carried.set(alert.id, ids);
    }
  }
  return carried;
}

/** Every alert in `expected` was carried by exactly one message, and nothing else was. */
function expectExactlyOnce(carried: Map<string, Set<string>>, expected: string[]): void {
  expect([...carried.keys()].sort()).toEqual([...expected].sort());
  const twice = [...carried].filter(([, ids]) => ids.size !== 1);
  expect(twice).toEqual([]);
}

async function pendingDeliveries(t: TestApp): Promise<number> {
  const { rows } = await t.db.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM webhook_deliveries WHERE status = 'pending'`,
  );
  return rows[0].n;
}

/** Waits for the outbox to empty; on a timeout, says what the service logged. */
const settled = (t: TestApp, timeoutMs = 60_000) =>
  waitUntil(
    'every webhook delivery to settle',
    async () => ((await pendingDeliveries(t)) === 0 ? true : undefined),
    timeoutMs,
  ).catch((error: Error) => {
    throw new Error(`${error.message}; the service said:\n${t.output().slice(-3000)}`);
  });

async function alertIds(t: TestApp, where = 'true'): Promise<string[]> {
  const { rows } = await t.db.query<{ id: string }>(`SELECT id FROM alerts WHERE ${where}`);
  return rows.map((r) => r.id);
}

const event = (i: number) => ({
  source: 'edr',
  event_type: 'credential_dumping',
  severity: i % 2 ? 'critical' : 'high',
  description: `LSASS memory read on fin-ws-${i}`,
  src_ip: '10.20.30.40',
  attributes: { n: i },
});

async function postEvents(t: TestApp, token: string, n: number, from = 0): Promise<void> {
  for (let i = from; i < from + n; i += 10) {
    const answers = await Promise.all(
      Array.from({ length: Math.min(10, from + n - i) }, (_, k) =>
        t.api.post('/api/events', { token, body: event(i + k) }),
      ),
    );
    for (const answer of answers) expect(answer.status).toBe(201);
  }
}

describe('Webhook subscriptions (e2e)', () => {
  let t: TestApp;
  let mock: MockUpstream;
  let receiver: WebhookReceiver;
  let admin: TestUser;
  let analyst: TestUser;

  beforeAll(async () => {
    mock = await startMockUpstream({ MOCK_BACKLOG: String(BACKLOG) });
    receiver = await startWebhookReceiver();
    t = await startTestApp({
      ...WEBHOOK_ENV,
      UPSTREAM_URL: mock.url,
      SYNC_ENABLED: 'false',
      DEFAULT_LOOKBACK_HOURS: '48',
    });
  });
  afterAll(async () => {
    await t.close();
    await receiver.close();
    await mock.close();
  });
  beforeEach(async () => {
    await t.reset();
    receiver.received.length = 0;
    receiver.respond(null);
    admin = await t.user('root', ['admin']);
    analyst = await t.user('ana', ['analyst']);
  });

  const subscribe = async (body: Record<string, unknown>) => {
    const res = await t.api.post('/api/webhooks', { token: admin.token, body });
    expect(res.status).toBe(201);
    return res.body as { id: string; secret: string } & Record<string, unknown>;
  };

  describe('the subscription API', () => {
    it('shows the secret once, lists and changes subscriptions, and deletes them', async () => {
      const created = await subscribe({
        url: `${receiver.url}/a`,
        events: ['alert.created'],
        filter: { severity: ['critical', 'high'], source: 'edr', q: 'lsass' },
      });
      expect(created.secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
      expect(Buffer.from(created.secret.slice(6), 'base64')).toHaveLength(32);
      expect(created).toMatchObject({
        enabled: true,
        format: 'standard',
        filter: { severity: ['critical', 'high'], source: 'edr', q: 'lsass' },
        created_by: 'root',
        paused_reason: null,
      });

      const listed = await t.api.get('/api/webhooks', { token: admin.token });
      expect(listed.status).toBe(200);
      expect(listed.body.webhooks).toHaveLength(1);
      expect(JSON.stringify(listed.body)).not.toContain(created.secret);
      const one = await t.api.get(`/api/webhooks/${created.id}`, { token: admin.token });
      expect(one.body).not.toHaveProperty('secret');

      const patched = await t.api.patch(`/api/webhooks/${created.id}`, {
        token: admin.token,
        body: { filter: { origin: 'event' }, format: 'slack', enabled: false },
      });
      expect(patched.status).toBe(200);
      expect(patched.body).toMatchObject({
        filter: { origin: 'event' },
        format: 'slack',
        enabled: false,
      });

      expect(
        (await t.api.call('DELETE', `/api/webhooks/${created.id}`, { token: admin.token })).status,
      ).toBe(204);
      expect((await t.api.get(`/api/webhooks/${created.id}`, { token: admin.token })).status).toBe(
        404,
      );
    });

    it('refuses bad subscriptions with problem+json, and is for admins only', async () => {
      for (const body of [
        { url: 'ftp://example.com/x', events: ['alert.created'] },
        { url: 'not a url', events: ['alert.created'] },
        { url: `${receiver.url}/a`, events: [] },
        { url: `${receiver.url}/a`, events: ['alert.deleted'] },
        { url: `${receiver.url}/a`, events: ['alert.created'], filter: { severity: ['urgent'] } },
        { url: `${receiver.url}/a`, events: ['alert.created'], filter: { since: '2024-01-01' } },
        { url: `${receiver.url}/a`, events: ['alert.created'], format: 'teams' },
      ]) {
        const res = await t.api.post('/api/webhooks', { token: admin.token, body });
        expect(res.status).toBe(400);
        expect(res.headers.get('content-type')).toContain('application/problem+json');
      }
      const body = { url: `${receiver.url}/a`, events: ['alert.created'] };
      expect((await t.api.post('/api/webhooks', { token: analyst.token, body })).status).toBe(403);
      expect((await t.api.get('/api/webhooks', { token: analyst.token })).status).toBe(403);
      expect((await t.api.get('/api/webhooks')).status).toBe(401);
    });
  });

  it('delivers each alert of a 2,000-alert sync and 50 events to each matching subscription exactly once, signed', async () => {
    const all = await subscribe({
      url: `${receiver.url}/all`,
      events: ['alert.created', 'alert.changed'],
    });
    const critical = await subscribe({
      url: `${receiver.url}/critical`,
      events: ['alert.created'],
      filter: { severity: ['critical'] },
    });
    const run = await syncNow(t, admin);
    expect(run.inserted).toBe(BACKLOG);
    await postEvents(t, admin.token, EVENTS);
    await settled(t);

    const everyAlert = await alertIds(t);
    expect(everyAlert).toHaveLength(BACKLOG + EVENTS);
    expectExactlyOnce(alertsByMessage(receiver.at('/all')), everyAlert);
    expectExactlyOnce(
      alertsByMessage(receiver.at('/critical')),
      await alertIds(t, `severity = 'critical'`),
    );

    // No message twice (nothing failed, so nothing was retried), each signed and within its batch.
    const ids = receiver.received.map((r) => r.headers['webhook-id']);
    expect(new Set(ids).size).toBe(ids.length);
    for (const request of receiver.at('/all')) {
      expect(verifiesBySpec(all.secret, request)).toBe(true);
      expect(() =>
        new Webhook(all.secret).verify(request.body, request.headers as Record<string, string>),
      ).not.toThrow();
      expect(verifiesBySpec(critical.secret, request)).toBe(false);
      expect(request.headers['content-type']).toBe('application/json');
      expect((JSON.parse(request.body) as Message).data.alerts.length).toBeLessThanOrEqual(100);
    }
    for (const request of receiver.at('/critical'))
      expect(verifiesBySpec(critical.secret, request)).toBe(true);

    // The body is {type, timestamp, data: {alerts: [as GET /api/alerts/{id}]}}: an upstream
    // alert, an event's, and one of each enrichment type and with a user where the data has one,
    // compared whole.
    const messages = receiver.at('/all').map((r) => JSON.parse(r.body) as Message);
    const sent = messages.flatMap((m) => m.data.alerts);
    const event = sent.find((a) => a.origin === 'event');
    expect(event).toBeDefined();
    const samples = new Set(
      [
        sent[0],
        event,
        sent.find((a) => a.enrichment_type === 'tor_exit_node'),
        sent.find((a) => a.enrichment_type === 'clean'),
        sent.find((a) => a.user !== null),
      ].filter((alert) => alert !== undefined),
    );
    for (const alert of samples) {
      const detail = await t.api.get(`/api/alerts/${alert.id}`, { token: admin.token });
      expect(alert).toEqual(detail.body);
    }
    expect(messages[0].type).toBe('alert.created');
    expect(Date.parse(messages[0].timestamp)).not.toBeNaN();

    // The log has them, delivered, with their latency; metrics count them per subscription.
    const log = await t.api.get(`/api/webhooks/${critical.id}/deliveries?limit=200`, {
      token: admin.token,
    });
    expect(log.status).toBe(200);
    expect(log.body.deliveries.length).toBe(receiver.at('/critical').length);
    for (const delivery of log.body.deliveries) {
      expect(delivery).toMatchObject({ status: 'delivered', attempts: 1, last_status_code: 204 });
      expect(delivery.latency_ms).toBeGreaterThanOrEqual(0);
      expect(receiver.at('/critical').some((r) => r.headers['webhook-id'] === delivery.id)).toBe(
        true,
      );
    }
    const metrics = (await t.api.get('/metrics')).body as string;
    const line = metrics
      .split('\n')
      .find((l) =>
        l.startsWith(
          `vigil_webhook_deliveries_total{subscription="${critical.id}",outcome="delivered"}`,
        ),
      );
    expect(Number(line?.split(' ').pop())).toBe(log.body.deliveries.length);
  });

  it('batches a bulk change into messages of at most 100 alerts, one per alert', async () => {
    await postEvents(t, admin.token, 30);
    const run = await syncNow(t, admin);
    expect(run.inserted).toBeGreaterThan(250);
    await subscribe({ url: `${receiver.url}/changes`, events: ['alert.changed'] });
    const bulk = await t.api.post('/api/alerts/bulk', {
      token: admin.token,
      body: { filter: { status: 'open' }, set: { status: 'acknowledged', assignee: 'root' } },
    });
    expect(bulk.status).toBe(200);
    await settled(t);
    const changed = await alertIds(t, `status = 'acknowledged'`);
    expect(changed).toHaveLength(bulk.body.updated);
    const messages = receiver.at('/changes');
    expect(messages).toHaveLength(Math.ceil(changed.length / 100));
    expectExactlyOnce(alertsByMessage(messages, 'alert.changed'), changed);
    const [first] = (JSON.parse(messages[0].body) as Message).data.alerts;
    expect(first).toMatchObject({ status: 'acknowledged', assignee: { username: 'root' } });
    expect(first).toEqual(
      (await t.api.get(`/api/alerts/${first.id}`, { token: admin.token })).body,
    );
  });

  it('writes deliveries only with a committed change (the outbox is in the transaction)', async () => {
    await postEvents(t, admin.token, 2);
    await subscribe({ url: `${receiver.url}/tx`, events: ['alert.changed'] });
    const [id] = await alertIds(t);
    const client = await t.db.connect();
    try {
      await client.query('BEGIN');
      await client.query(`UPDATE alerts SET status = 'acknowledged' WHERE id = $1`, [id]);
      await client.query('ROLLBACK');
      const count = async () =>
        (await t.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM webhook_deliveries`))
          .rows[0].n;
      expect(await count()).toBe(0);
      await client.query('BEGIN');
      await client.query(`UPDATE alerts SET status = 'acknowledged' WHERE id = $1`, [id]);
      expect(await count()).toBe(0); // not visible before the commit
      await client.query('COMMIT');
      expect(await count()).toBe(1);
    } finally {
      client.release();
    }
    await settled(t);
    expect(receiver.at('/tx')).toHaveLength(1);
  });

  it('merges one-alert messages that are due together into one, before any was sent', async () => {
    await postEvents(t, admin.token, 5);
    const sub = await subscribe({ url: `${receiver.url}/merged`, events: ['alert.changed'] });
    const ids = await alertIds(t);
    const client = await t.db.connect();
    try {
      // Five statements, five one-alert deliveries, committed (and due) together.
      await client.query('BEGIN');
      for (const id of ids)
        await client.query(`UPDATE alerts SET status = 'acknowledged' WHERE id = $1`, [id]);
      await client.query('COMMIT');
    } finally {
      client.release();
    }
    await settled(t);
    const messages = receiver.at('/merged');
    expect(messages).toHaveLength(1);
    expectExactlyOnce(alertsByMessage(messages, 'alert.changed'), ids);
    const log = await t.api.get(`/api/webhooks/${sub.id}/deliveries`, { token: admin.token });
    expect(log.body.deliveries).toHaveLength(1);
    expect(log.body.deliveries[0].alert_ids).toHaveLength(5);
    expect(log.body.deliveries[0].id).toBe(messages[0].headers['webhook-id']);
  });

  it('fails, without calling the receiver, a message whose alerts were purged before it was sent', async () => {
    const sub = await subscribe({ url: `${receiver.url}/purged`, events: ['alert.created'] });
    const client = await t.db.connect();
    try {
      // Stored and purged in one transaction: its delivery commits, its alert does not survive.
      await client.query('BEGIN');
      await client.query(
        `INSERT INTO alerts (source, external_id, fingerprint, severity, description, created_at)
         VALUES ('edr', 'gone-1', '\\x00', 'high', 'soon purged', now())`,
      );
      await client.query(`DELETE FROM alerts WHERE external_id = 'gone-1'`);
      await client.query('COMMIT');
    } finally {
      client.release();
    }
    await settled(t);
    expect(receiver.at('/purged')).toHaveLength(0);
    const log = await t.api.get(`/api/webhooks/${sub.id}/deliveries`, { token: admin.token });
    expect(log.body.deliveries).toHaveLength(1);
    expect(log.body.deliveries[0]).toMatchObject({
      status: 'failed',
      last_status_code: null,
      last_error: 'its alerts were purged before it could be sent',
    });
  });

  it('retries a receiver answering 500 five times, with the same webhook-id and body each time', async () => {
    const sub = await subscribe({ url: `${receiver.url}/flaky`, events: ['alert.created'] });
    let failures = 0;
    receiver.respond(() =>
      failures++ < 5 ? { status: 500, body: 'down for maintenance' } : undefined,
    );
    await postEvents(t, admin.token, 1);
    await settled(t);
    const attempts = receiver.at('/flaky');
    expect(attempts).toHaveLength(6);
    expect(new Set(attempts.map((r) => r.headers['webhook-id'])).size).toBe(1);
    expect(new Set(attempts.map((r) => r.body)).size).toBe(1);
    for (const attempt of attempts) expect(verifiesBySpec(sub.secret, attempt)).toBe(true);
    // About a second apart (the schedule, ±20 %).
    for (let i = 1; i < attempts.length; i++)
      expect(attempts[i].at - attempts[i - 1].at).toBeGreaterThanOrEqual(700);
    const log = await t.api.get(`/api/webhooks/${sub.id}/deliveries`, { token: admin.token });
    expect(log.body.deliveries[0]).toMatchObject({
      id: attempts[0].headers['webhook-id'],
      status: 'delivered',
      attempts: 6,
      last_status_code: 204,
    });
  });

  it("honours a 429's Retry-After and gives up past the schedule", async () => {
    await subscribe({ url: `${receiver.url}/busy`, events: ['alert.created'] });
    let calls = 0;
    receiver.respond(() =>
      calls++ === 0 ? { status: 429, headers: { 'retry-after': '3' } } : undefined,
    );
    await postEvents(t, admin.token, 1);
    await settled(t);
    const [first, second] = receiver.at('/busy');
    expect(second.at - first.at).toBeGreaterThanOrEqual(2_900);

    const doomed = await subscribe({ url: `${receiver.url}/doomed`, events: ['alert.created'] });
    receiver.respond((r) => (r.path === '/doomed' ? { status: 503 } : undefined));
    await postEvents(t, admin.token, 1, 100);
    await settled(t);
    expect(receiver.at('/doomed')).toHaveLength(7); // the first attempt and six retries
    const log = await t.api.get(`/api/webhooks/${doomed.id}/deliveries`, { token: admin.token });
    expect(log.body.deliveries[0]).toMatchObject({
      status: 'failed',
      attempts: 7,
      last_status_code: 503,
    });
    expect(log.body.deliveries[0].last_error).toContain('gave up after 7 attempts');
  });

  it('fails a delivery answered 4xx at once, and pauses a subscription that keeps failing', async () => {
    const sub = await subscribe({ url: `${receiver.url}/gone`, events: ['alert.created'] });
    receiver.respond(() => ({ status: 410, body: 'no such hook' }));
    await postEvents(t, admin.token, 1);
    await settled(t);
    await postEvents(t, admin.token, 1, 200);
    await settled(t);
    expect(receiver.at('/gone')).toHaveLength(2);
    const paused = await t.api.get(`/api/webhooks/${sub.id}`, { token: admin.token });
    expect(paused.body).toMatchObject({ enabled: false, consecutive_failures: 2 });
    expect(paused.body.paused_reason).toMatch(
      /Paused: 2 deliveries in a row failed; the last: HTTP 410: no such hook/,
    );

    // Paused: new alerts are not queued for it; enabled again, it gets the next ones.
    await postEvents(t, admin.token, 1, 300);
    receiver.respond(null);
    const resumed = await t.api.patch(`/api/webhooks/${sub.id}`, {
      token: admin.token,
      body: { enabled: true },
    });
    expect(resumed.body).toMatchObject({
      enabled: true,
      consecutive_failures: 0,
      paused_reason: null,
    });
    await postEvents(t, admin.token, 1, 400);
    await settled(t);
    expect(receiver.at('/gone')).toHaveLength(3);
  });

  it('sends a signed test message on demand and logs it', async () => {
    const sub = await subscribe({
      url: `${receiver.url}/test`,
      events: ['alert.created'],
      enabled: false,
    });
    const res = await t.api.post(`/api/webhooks/${sub.id}/test`, { token: admin.token });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      type: 'webhook.test',
      status: 'delivered',
      attempts: 1,
      last_status_code: 204,
    });
    const [request] = receiver.at('/test');
    expect(request.headers['webhook-id']).toBe(res.body.id);
    expect(verifiesBySpec(sub.secret, request)).toBe(true);
    expect(JSON.parse(request.body)).toMatchObject({ type: 'webhook.test', data: { alerts: [] } });

    receiver.respond(() => ({ status: 500 }));
    const failed = await t.api.post(`/api/webhooks/${sub.id}/test`, { token: admin.token });
    expect(failed.body).toMatchObject({ status: 'failed', attempts: 1, last_status_code: 500 });
    const log = await t.api.get(`/api/webhooks/${sub.id}/deliveries?status=failed`, {
      token: admin.token,
    });
    expect(log.body.deliveries.map((d: { id: string }) => d.id)).toEqual([failed.body.id]);
    // A test message does not count toward pausing.
    expect(
      (await t.api.get(`/api/webhooks/${sub.id}`, { token: admin.token })).body
        .consecutive_failures,
    ).toBe(0);
  });

  it('sends Slack-compatible messages to a slack subscription, and only matching alerts', async () => {
    await subscribe({
      url: `${receiver.url}/slack`,
      events: ['alert.created'],
      format: 'slack',
      filter: { severity: ['critical'], q: 'FIN-WS-1' },
    });
    await postEvents(t, admin.token, 20);
    await settled(t);
    // critical (odd i) with "fin-ws-1" in the description: 1, 11, 13, 15, 17, 19.
    const messages = receiver
      .at('/slack')
      .map(
        (r) => JSON.parse(r.body) as { text: string; blocks: Array<{ text?: { text: string } }> },
      );
    const mentioned = messages.flatMap((m) => m.blocks.slice(1).map((b) => b.text!.text));
    expect(mentioned).toHaveLength(6);
    for (const text of mentioned)
      expect(text).toMatch(/^\*CRITICAL\* · edr · open\nLSASS memory read on fin-ws-1\d?\n/);
    expect(messages[0].text).toMatch(/^Vigil: \d+ new alerts? \(\d+ critical\)$/);
  });
});

describe('Webhook deliveries across a crash and replicas (e2e)', () => {
  // Cross-replica claims rest on row locks; on PGlite the replicas share one backend.
  const onServer = process.env.TEST_DATABASE_EMBEDDED ? describe.skip : describe;

  onServer('on a PostgreSQL server', () => {
    let mock: MockUpstream;
    let receiver: WebhookReceiver;

    beforeAll(async () => {
      mock = await startMockUpstream({ MOCK_BACKLOG: String(BACKLOG) });
      receiver = await startWebhookReceiver();
    });
    afterAll(async () => {
      await receiver.close();
      await mock.close();
    });
    beforeEach(async () => {
      await resetDatabase();
      receiver.received.length = 0;
      receiver.respond(null);
    });

    const env = () => ({
      ...WEBHOOK_ENV,
      WEBHOOK_TIMEOUT_SECONDS: '1',
      UPSTREAM_URL: mock.url,
      SYNC_ENABLED: 'false',
      DEFAULT_LOOKBACK_HOURS: '48',
    });

    it('loses and doubles nothing when the service is SIGKILLed mid-delivery and restarted', async () => {
      let t = await startTestApp(env());
      try {
        const admin = await t.user('root', ['admin']);
        const res = await t.api.post('/api/webhooks', {
          token: admin.token,
          body: { url: `${receiver.url}/crash`, events: ['alert.created'] },
        });
        expect(res.status).toBe(201);
        // The receiver takes the first messages but does not answer until the process is gone.
        let release: () => void = () => undefined;
        const held = new Promise<void>((resolve) => (release = resolve));
        receiver.respond(async () => {
          await held;
          return undefined;
        });
        expect((await syncNow(t, admin)).inserted).toBe(BACKLOG);
        await postEvents(t, admin.token, EVENTS);
        await waitUntil('messages in flight', () =>
          Promise.resolve(receiver.received.length >= 4 ? true : undefined),
        );
        expect(await t.stop('SIGKILL')).toBeNull();
        await t.db.end();
        release();
        receiver.respond(null);

        t = await startTestApp(env());
        await settled(t, 90_000);
        expectExactlyOnce(alertsByMessage(receiver.at('/crash')), await alertIds(t));
        // Those in flight at the kill were sent again, with their ids.
        const ids = receiver.at('/crash').map((r) => r.headers['webhook-id']);
        expect(ids.length).toBeGreaterThan(new Set(ids).size);
      } finally {
        await t.close();
      }
    });

    it('delivers each alert once with three replicas sending', async () => {
      const replicas = await Promise.all([
        startTestApp(env()),
        startTestApp(env()),
        startTestApp(env()),
      ]);
      try {
        const admin = await replicas[0].user('root', ['admin']);
        const res = await replicas[1].api.post('/api/webhooks', {
          token: admin.token,
          body: { url: `${receiver.url}/replicas`, events: ['alert.created'] },
        });
        expect(res.status).toBe(201);
        // A slow receiver, so every replica finds work while the others are busy.
        receiver.respond(() => new Promise((resolve) => setTimeout(() => resolve(undefined), 50)));
        expect((await syncNow(replicas[0], admin)).inserted).toBe(BACKLOG);
        await Promise.all(replicas.map((r, i) => postEvents(r, admin.token, EVENTS / 2, i * 1000)));
        await settled(replicas[2]);
        const stored = await alertIds(replicas[2]);
        expect(stored).toHaveLength(BACKLOG + (3 * EVENTS) / 2);
        expectExactlyOnce(alertsByMessage(receiver.at('/replicas')), stored);
        const ids = receiver.at('/replicas').map((r) => r.headers['webhook-id']);
        expect(new Set(ids).size).toBe(ids.length); // each claimed by one replica, sent once
      } finally {
        await Promise.all(replicas.map((r) => r.close()));
      }
    });
  });
});
