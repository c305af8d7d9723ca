import { alertAt, backlogIds, externalIdAt, isMalformed } from './alert-generator.js';
import { encodeCursor } from './alerts-query.js';
import { hiddenIndices, isLate } from './late-arrivals.js';
import { createMockServer, MockServer, MockServerOptions } from './mock-server.js';

const START = Date.UTC(2025, 4, 1, 8, 0, 0);
const TOR = ['185.220.101.1', '185.220.101.2'];
const EPOCH = '1970-01-01T00:00:00Z';
const HOUR = 3_600_000;
const CALM = {
  failure_rate: 0,
  latency_ms: 0,
  rate_limit_rate: 0,
  malformed_rate: 0,
  late_rate: 0,
  late_seconds: 0,
};

interface Harness {
  sut: MockServer;
  url: string;
  clock: { now: number };
  get(path: string): Promise<{ status: number; headers: Headers; body: any }>;
  send(method: string, path: string, body: string): Promise<{ status: number; body: any }>;
}

const running: MockServer[] = [];

async function start(options: MockServerOptions = {}): Promise<Harness> {
  const clock = { now: START };
  const sut = createMockServer({
    seed: 5,
    startedAt: START,
    now: () => clock.now,
    torExits: TOR,
    failureRate: 0,
    ...options,
  });
  running.push(sut);
  const { url } = await sut.listen();
  return {
    sut,
    url,
    clock,
    async get(path) {
      const res = await fetch(url + path);
      return { status: res.status, headers: res.headers, body: await res.json() };
    },
    async send(method, path, body) {
      const res = await fetch(url + path, {
        method,
        body,
        headers: { 'content-type': 'application/json' },
      });
      return { status: res.status, body: await res.json() };
    },
  };
}

const idOf = (alert: any): string => alert.id ?? alert.alertId;
const timeOf = (alert: any): string => alert.created_at ?? alert.timestamp;

/** Follows next_cursor from a first query to the end; the ids in the order served. */
async function pageThrough(h: Harness, first: string): Promise<{ ids: string[]; pages: number }> {
  const ids: string[] = [];
  let pages = 0;
  let path = first;
  for (;;) {
    const { status, body } = await h.get(path);
    expect(status).toBe(200);
    pages++;
    ids.push(...body.alerts.map(idOf));
    if (body.next_cursor === null) return { ids, pages };
    path = `/alerts?cursor=${body.next_cursor}&limit=${new URL(h.url + first).searchParams.get('limit') ?? 100}`;
  }
}

afterEach(async () => {
  await Promise.all(running.splice(0).map((m) => m.close()));
});

describe(createMockServer.name, () => {
  it('answers /health and describes itself on /stats', async () => {
    const h = await start({ backlog: 10, ratePerMinute: 60 });
    h.clock.now = START + 5_000;
    expect(await h.get('/health')).toMatchObject({ status: 200, body: { status: 'ok' } });
    expect((await h.get('/stats')).body).toEqual({
      backlog: 10,
      rate_per_minute: 60,
      seed: 5,
      started_at: new Date(START).toISOString(),
      now: new Date(START + 5_000).toISOString(),
      total_available_now: 16,
      late_pending: 0,
      tor_exits: { origin: 'options', count: 2 },
    });
  });

  it('serves every alert exactly once, oldest first, whatever the page size', async () => {
    const h = await start({ backlog: 2345, ratePerMinute: 30 });
    h.clock.now = START + 60_000;
    const expected = Array.from({ length: 2345 + 31 }, (_, i) => externalIdAt(5, i));
    expect(expected.slice(0, 2345)).toEqual(backlogIds(5, 2345));
    for (const limit of [1000, 100, 7]) {
      const { ids, pages } = await pageThrough(h, `/alerts?since=${EPOCH}&limit=${limit}`);
      expect(ids).toEqual(expected);
      expect(pages).toBe(Math.ceil(expected.length / limit));
    }
  });

  it('returns whole alerts in the contract shapes with times that never decrease', async () => {
    const h = await start({ backlog: 300, ratePerMinute: 0 });
    const { body } = await h.get(`/alerts?since=${EPOCH}&limit=300`);
    expect(body.alerts[0]).toEqual(alertAt(5, 0, START - 86_400_000, { torExits: TOR }));
    const times = body.alerts.map((a: any) => Date.parse(timeOf(a)));
    expect(times).toEqual([...times].sort((a, b) => a - b));
    expect(body.next_cursor).toBeNull();
  });

  it('returns only alerts created at or after since, the boundary included', async () => {
    const h = await start({ backlog: 1000, ratePerMinute: 0 });
    const all = (await h.get(`/alerts?since=${EPOCH}&limit=1000`)).body.alerts;
    const since = timeOf(all[400]);
    const { ids } = await pageThrough(h, `/alerts?since=${since}&limit=250`);
    const expected = all.filter((a: any) => timeOf(a) >= since).map(idOf);
    expect(ids).toEqual(expected);
    expect(ids[0]).toBe(idOf(all[400]));
    const after = new Date(Date.parse(since) + 1).toISOString();
    expect((await h.get(`/alerts?since=${after}&limit=1`)).body.alerts[0]).toEqual(all[401]);
    const future = new Date(START + 1000).toISOString();
    expect((await h.get(`/alerts?since=${future}`)).body).toEqual({
      alerts: [],
      next_cursor: null,
    });
  });

  it('lets live arrivals appear as time passes, and a cursor pick them up', async () => {
    const h = await start({ backlog: 0, ratePerMinute: 60 });
    h.clock.now = START + 2_500;
    const first = (await h.get(`/alerts?since=${EPOCH}&limit=2`)).body;
    expect(first.alerts.map(idOf)).toEqual([externalIdAt(5, 0), externalIdAt(5, 1)]);
    expect(first.alerts.map(timeOf)).toEqual([
      new Date(START).toISOString(),
      new Date(START + 1000).toISOString(),
    ]);
    const second = (await h.get(`/alerts?cursor=${first.next_cursor}&limit=2`)).body;
    expect(second.alerts.map(idOf)).toEqual([externalIdAt(5, 2)]);
    expect(second.next_cursor).toBeNull();
    h.clock.now = START + 10_000;
    const later = (await h.get(`/alerts?cursor=${encodeCursor(5, 3)}&limit=100`)).body;
    expect(later.alerts.map(idOf)).toEqual(
      [3, 4, 5, 6, 7, 8, 9, 10].map((i) => externalIdAt(5, i)),
    );
  });

  it('serves nothing new when arrivals are off', async () => {
    const h = await start({ backlog: 3, ratePerMinute: 0 });
    h.clock.now = START + 86_400_000;
    expect((await h.get(`/alerts?since=${EPOCH}`)).body.alerts).toHaveLength(3);
  });

  it.each([
    ['/alerts', /since is required/],
    ['/alerts?since=yesterday', /since/],
    ['/alerts?since=2025-05-01T00:00:00Z&limit=0', /limit/],
    ['/alerts?since=2025-05-01T00:00:00Z&limit=1001', /limit/],
    ['/alerts?since=2025-05-01T00:00:00Z&cursor=nope', /cursor/],
    [`/alerts?cursor=${encodeCursor(6, 10)}`, /cursor/],
  ])('answers 400 to %s', async (path, message) => {
    const h = await start({ backlog: 20, chaos: { failure_rate: 1, rate_limit_rate: 1 } });
    const { status, body } = await h.get(path);
    expect(status).toBe(400);
    expect(body.error).toMatch(message);
  });

  it('answers 404 to unknown paths and 405 to other methods', async () => {
    const h = await start();
    expect((await h.get('/nope')).status).toBe(404);
    const res = await fetch(`${h.url}/alerts?since=${EPOCH}`, { method: 'DELETE' });
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe('GET');
  });

  describe('chaos', () => {
    it('starts from the given failure rate and reads back the full config', async () => {
      const h = await start({ failureRate: 0.35 });
      expect((await h.get('/config')).body).toEqual({
        failure_rate: 0.35,
        latency_ms: 0,
        rate_limit_rate: 0,
        malformed_rate: 0,
        late_rate: 0,
        late_seconds: 0,
      });
    });

    it('applies partial updates through PUT and POST and answers with the full config', async () => {
      const h = await start();
      expect(await h.send('PUT', '/config', '{"latency_ms":5}')).toEqual({
        status: 200,
        body: { ...CALM, latency_ms: 5 },
      });
      expect((await h.send('POST', '/config', '{"malformed_rate":0.5}')).body).toEqual({
        ...CALM,
        latency_ms: 5,
        malformed_rate: 0.5,
      });
      expect(h.sut.config().malformed_rate).toBe(0.5);
      expect(await h.send('PUT', '/config', '{"late_rate":0.1,"late_seconds":7200}')).toEqual({
        status: 200,
        body: { ...CALM, latency_ms: 5, malformed_rate: 0.5, late_rate: 0.1, late_seconds: 7200 },
      });
    });

    it.each([
      '{"failure_rate":1.5}',
      '{"latency_ms":60001}',
      '{"rate_limit_rate":-1}',
      '{"malformed_rate":"0.1"}',
      '{"late_rate":1.1}',
      '{"late_seconds":604801}',
      '{"late_seconds":1.5}',
      '{"late_rate":0.1,"late_seconds":-1}',
      '{"failure_rate":0.5,"unknown":1}',
      'not json',
      '[]',
      '',
    ])('refuses %p with 400 and changes nothing', async (body) => {
      const h = await start();
      const res = await h.send('PUT', '/config', body);
      expect(res.status).toBe(400);
      expect(typeof res.body.error).toBe('string');
      expect(h.sut.config()).toEqual(CALM);
    });

    it('refuses an oversized body with 413', async () => {
      const h = await start();
      const res = await h.send('PUT', '/config', JSON.stringify({ pad: 'x'.repeat(70_000) }));
      expect(res.status).toBe(413);
    });

    it('fails /alerts with 500 at failure_rate 1, and not the probes', async () => {
      const h = await start({ backlog: 5, failureRate: 1 });
      const res = await h.get(`/alerts?since=${EPOCH}`);
      expect(res).toMatchObject({ status: 500, body: { error: expect.any(String) } });
      expect((await h.get('/health')).status).toBe(200);
      expect((await h.get('/config')).status).toBe(200);
    });

    it('throttles /alerts with 429 and Retry-After at rate_limit_rate 1', async () => {
      const h = await start({ backlog: 5, chaos: { rate_limit_rate: 1 } });
      const res = await h.get(`/alerts?since=${EPOCH}`);
      expect(res.status).toBe(429);
      expect(res.headers.get('retry-after')).toMatch(/^[12]$/);
    });

    it('fails about failure_rate of the requests', async () => {
      const h = await start({ backlog: 5, failureRate: 0.3 });
      let failures = 0;
      for (let i = 0; i < 200; i++) {
        if ((await h.get(`/alerts?since=${EPOCH}&limit=1`)).status === 500) failures++;
      }
      expect(failures).toBeGreaterThan(35);
      expect(failures).toBeLessThan(85);
    });

    it('delays /alerts by latency_ms without holding up other requests', async () => {
      const h = await start({ backlog: 5, chaos: { latency_ms: 400 } });
      const began = Date.now();
      const slow = h.get(`/alerts?since=${EPOCH}`).then((r) => ({ ...r, at: Date.now() - began }));
      await new Promise((r) => setTimeout(r, 50));
      const health = await h.get('/health');
      const healthAt = Date.now() - began;
      const { status, at } = await slow;
      expect(health.status).toBe(200);
      expect(healthAt).toBeLessThan(300);
      expect(status).toBe(200);
      expect(at).toBeGreaterThanOrEqual(390);
    });

    it('serves the same alerts malformed on every fetch at a given malformed_rate', async () => {
      const h = await start({ backlog: 1000, ratePerMinute: 0, chaos: { malformed_rate: 0.2 } });
      const first = (await h.get(`/alerts?since=${EPOCH}&limit=1000`)).body.alerts;
      const second = (await h.get(`/alerts?since=${EPOCH}&limit=1000`)).body.alerts;
      expect(second).toEqual(first);
      first.forEach((alert: any, i: number) => {
        const clean = alertAt(5, i, h.sut.timeline.createdAt(i), { torExits: TOR });
        expect(JSON.stringify(alert) !== JSON.stringify(clean)).toBe(isMalformed(5, i, 0.2));
      });
      await h.send('PUT', '/config', '{"malformed_rate":0}');
      const clean = (await h.get(`/alerts?since=${EPOCH}&limit=1000`)).body.alerts;
      expect(clean.map(idOf)).toEqual(backlogIds(5, 1000));
    });
  });

  describe('late arrivals', () => {
    // 2400 alerts over the 24 h before START, one every 36 s; those after START - 2 h can hide.
    const BACKLOG = 2400;
    const LATE = { late_rate: 0.1, late_seconds: 7200 };
    const INDICES = Array.from({ length: BACKLOG }, (_, i) => i);
    const createdAt = (i: number) => START - 24 * HOUR + i * 36_000;
    /** What a reader at `now` must not see yet: late and created within the last 2 h. */
    const hiddenAt = (now: number) =>
      INDICES.filter((i) => isLate(5, i, LATE.late_rate) && createdAt(i) > now - 2 * HOUR);
    /** The ids served at `now` from index `from` on, in index order. */
    const servedAt = (now: number, from = 0) => {
      const hidden = new Set(hiddenAt(now));
      return INDICES.filter((i) => i >= from && !hidden.has(i)).map((i) => externalIdAt(5, i));
    };
    const startLate = () => start({ backlog: BACKLOG, ratePerMinute: 0, chaos: LATE });

    it('omits exactly the late alerts of the last 2 h and serves every other one', async () => {
      const h = await startLate();
      const hidden = hiddenAt(START);
      expect(hidden.length).toBeGreaterThan(5);
      // Late alerts older than late_seconds are visible already.
      expect(INDICES.some((i) => isLate(5, i, 0.1) && !hidden.includes(i))).toBe(true);
      for (const limit of [1000, 100, 7]) {
        const { ids } = await pageThrough(h, `/alerts?since=${EPOCH}&limit=${limit}`);
        expect(ids).toEqual(servedAt(START));
      }
      expect(hiddenIndices(5, h.sut.timeline, START, LATE)).toEqual(hidden);
    });

    it('fills a page past hidden alerts, its cursor after the last index it scanned', async () => {
      const h = await startLate();
      const [first] = hiddenAt(START);
      let next = first + 1;
      while (isLate(5, next, 0.1)) next++;
      const page = (await h.get(`/alerts?cursor=${encodeCursor(5, first)}&limit=1`)).body;
      expect(page.alerts.map(idOf)).toEqual([externalIdAt(5, next)]);
      expect(page.next_cursor).toBe(encodeCursor(5, next + 1));
    });

    it('serves them in index order once the clock passes created_at + late_seconds', async () => {
      const h = await startLate();
      // Index 2100 is the first created 3 h before START.
      const since = new Date(createdAt(2100)).toISOString();
      h.clock.now = START + HOUR;
      expect(hiddenAt(START + HOUR).length).toBeGreaterThan(0);
      expect(hiddenAt(START + HOUR).length).toBeLessThan(hiddenAt(START).length);
      expect((await pageThrough(h, `/alerts?since=${since}&limit=50`)).ids).toEqual(
        servedAt(START + HOUR, 2100),
      );
      h.clock.now = START + 2 * HOUR;
      const { body } = await h.get(`/alerts?since=${since}&limit=1000`);
      expect(body.alerts.map(idOf)).toEqual(backlogIds(5, BACKLOG).slice(2100));
      expect(body.alerts.map(timeOf)).toEqual(
        INDICES.slice(2100).map((i) => new Date(createdAt(i)).toISOString()),
      );
      expect(body.next_cursor).toBeNull();
    });

    it('counts the hidden alerts as late_pending on /stats', async () => {
      const h = await startLate();
      expect((await h.get('/stats')).body.late_pending).toBe(hiddenAt(START).length);
      h.clock.now = START + HOUR;
      expect((await h.get('/stats')).body.late_pending).toBe(hiddenAt(START + HOUR).length);
      h.clock.now = START + 2 * HOUR;
      expect((await h.get('/stats')).body.late_pending).toBe(0);
      h.clock.now = START;
      await h.send('PUT', '/config', '{"late_rate":0}');
      expect((await h.get('/stats')).body.late_pending).toBe(0);
    });

    it('bounds the scan of a page when nearly everything is hidden', async () => {
      // 10,000 arrivals a second for 20 s, all late by an hour.
      const h = await start({
        backlog: 0,
        ratePerMinute: 600_000,
        chaos: { late_rate: 1, late_seconds: 3600 },
      });
      h.clock.now = START + 20_000;
      const first = (await h.get(`/alerts?since=${EPOCH}&limit=1000`)).body;
      expect(first).toEqual({ alerts: [], next_cursor: encodeCursor(5, 100_000) });
      const second = (await h.get(`/alerts?cursor=${first.next_cursor}&limit=1000`)).body;
      expect(second).toEqual({ alerts: [], next_cursor: encodeCursor(5, 200_000) });
      const last = (await h.get(`/alerts?cursor=${second.next_cursor}&limit=1000`)).body;
      expect(last).toEqual({ alerts: [], next_cursor: null });
      // Ten arrivals share each millisecond, so the ten of the last one exist too: 200,010.
      expect((await h.get('/stats')).body.late_pending).toBe(200_010);
    });
  });

  it('serves a 1000-alert page of a million-alert backlog well under 100 ms', async () => {
    const h = await start({ backlog: 1_000_000, ratePerMinute: 60 });
    const times: number[] = [];
    const server: number[] = [];
    for (let round = 0; round < 12; round++) {
      const since = new Date(START - 86_400_000 + round * 7_000_000).toISOString();
      const began = performance.now();
      const res = await fetch(`${h.url}/alerts?since=${since}&limit=1000`);
      const body = (await res.json()) as { alerts: unknown[] };
      times.push(performance.now() - began);
      server.push(Number(/dur=([\d.]+)/.exec(res.headers.get('server-timing') ?? '')?.[1]));
      expect(body.alerts).toHaveLength(1000);
    }
    const warm = times.slice(2).sort((a, b) => a - b);
    const median = warm[Math.floor(warm.length / 2)];
    const built = server.slice(2).sort((a, b) => a - b);
    console.log(
      `1000-alert page (backlog 1,000,000), in-process under Jest: request median ` +
        `${median.toFixed(1)} ms (max ${warm[warm.length - 1].toFixed(1)}); page build median ` +
        `${built[Math.floor(built.length / 2)].toFixed(1)} ms`,
    );
    expect(median).toBeLessThan(100);
  });
});
