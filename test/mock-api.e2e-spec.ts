// The upstream simulator as the ingester and operators meet it: the built entry point
// (dist/mock-api/main.js) runs as a child process, configured only by MOCK_* variables, and is
// judged over HTTP and by its exit codes.
import { ChildProcess, spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { backlogIds } from '../mock-api/alert-generator.js';
import { freePort, waitForExit } from './support/service-process.js';

const ROOT = resolve(import.meta.dirname, '..');
const ENTRY = resolve(ROOT, 'dist/mock-api/main.js');
const EPOCH = '1970-01-01T00:00:00Z';

interface Mock {
  url: string;
  child: ChildProcess;
  output: () => string;
  get(path: string): Promise<{ status: number; headers: Headers; body: any }>;
  put(body: unknown): Promise<{ status: number; body: any }>;
}

const running = new Set<ChildProcess>();

function launch(env: Record<string, string>): { child: ChildProcess; output: () => string } {
  const child = spawn(process.execPath, [ENTRY], {
    cwd: ROOT,
    env: { PATH: process.env.PATH, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.add(child);
  child.once('exit', () => running.delete(child));
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  return { child, output: () => output };
}

/** Starts the mock on a free loopback port with chaos off unless `env` says otherwise. */
async function startMock(env: Record<string, string> = {}): Promise<Mock> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const { child, output } = launch({
    MOCK_PORT: String(port),
    MOCK_HOST: '127.0.0.1',
    MOCK_FAILURE_RATE: '0',
    ...env,
  });
  const deadline = Date.now() + 15_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`mock-api exited ${child.exitCode}:\n${output()}`);
    const up = await fetch(`${url}/health`).then(
      (r) => r.ok,
      () => false,
    );
    if (up) break;
    if (Date.now() > deadline) throw new Error(`mock-api did not start:\n${output()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    url,
    child,
    output,
    async get(path) {
      const res = await fetch(url + path);
      return { status: res.status, headers: res.headers, body: await res.json() };
    },
    async put(body) {
      const res = await fetch(`${url}/config`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body: typeof body === 'string' ? body : JSON.stringify(body),
      });
      return { status: res.status, body: await res.json() };
    },
  };
}

async function stop(child: ChildProcess): Promise<number | null> {
  const exited = waitForExit(child);
  child.kill('SIGTERM');
  return exited;
}

const idOf = (alert: any): string => alert.id ?? alert.alertId;
const timeOf = (alert: any): string => alert.created_at ?? alert.timestamp;

/** Every alert from `since` on, following next_cursor; fails on anything but 200. */
async function fetchAll(mock: Mock, since: string, limit: number) {
  const alerts: any[] = [];
  let pages = 0;
  let path = `/alerts?since=${since}&limit=${limit}`;
  for (;;) {
    const { status, body } = await mock.get(path);
    expect(status).toBe(200);
    pages++;
    alerts.push(...body.alerts);
    if (body.next_cursor === null) return { alerts, pages };
    expect(typeof body.next_cursor).toBe('string');
    path = `/alerts?since=${since}&limit=${limit}&cursor=${encodeURIComponent(body.next_cursor)}`;
  }
}

afterAll(async () => {
  await Promise.all([...running].map((child) => stop(child)));
});

describe('mock-api (dist/mock-api/main.js)', () => {
  describe('start-up', () => {
    it.each([
      ['MOCK_SEED', 'abc'],
      ['MOCK_BACKLOG', '-5'],
      ['MOCK_FAILURE_RATE', '2'],
      ['MOCK_PORT', '70000'],
      ['MOCK_RATE_PER_MINUTE', 'lots'],
    ])('refuses %s=%s with one line naming it and exit 1', async (name, value) => {
      const { child, output } = launch({ MOCK_PORT: String(await freePort()), [name]: value });
      expect(await waitForExit(child)).toBe(1);
      const lines = output().trim().split('\n');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toContain(name);
    });

    it('uses the documented defaults and stops cleanly on SIGTERM', async () => {
      const mock = await startMock({ MOCK_FAILURE_RATE: '' });
      expect((await mock.get('/health')).body).toEqual({ status: 'ok' });
      expect((await mock.get('/config')).body).toEqual({
        failure_rate: 0.2,
        latency_ms: 0,
        rate_limit_rate: 0,
        malformed_rate: 0,
        late_rate: 0,
        late_seconds: 0,
      });
      expect((await mock.get('/stats')).body).toMatchObject({
        backlog: 0,
        rate_per_minute: 60,
        seed: 1,
      });
      expect(mock.output()).toContain('mock-api listening on');
      expect(await stop(mock.child)).toBe(0);
    });
  });

  describe('GET /alerts', () => {
    let mock: Mock;
    beforeAll(async () => {
      mock = await startMock({ MOCK_SEED: '77', MOCK_BACKLOG: '2500', MOCK_RATE_PER_MINUTE: '0' });
    });
    afterAll(() => stop(mock.child));

    it('pages through the backlog: every alert exactly once, oldest first', async () => {
      const { alerts, pages } = await fetchAll(mock, EPOCH, 1000);
      expect(pages).toBe(3);
      expect(alerts.map(idOf)).toEqual(backlogIds(77, 2500));
      const times = alerts.map((a) => Date.parse(timeOf(a)));
      expect(times).toEqual([...times].sort((a, b) => a - b));
      const { started_at } = (await mock.get('/stats')).body;
      expect(times[0]).toBe(Date.parse(started_at) - 86_400_000);
      expect(times[2499]).toBeLessThan(Date.parse(started_at));
    });

    it('defaults to 100 a page and filters on since, inclusively', async () => {
      const all = (await fetchAll(mock, EPOCH, 1000)).alerts;
      const since = timeOf(all[1000]);
      const first = (await mock.get(`/alerts?since=${since}`)).body;
      expect(first.alerts).toHaveLength(100);
      expect(first.alerts[0]).toEqual(all[1000]);
      const { alerts } = await fetchAll(mock, since, 333);
      expect(alerts).toEqual(all.filter((a) => timeOf(a) >= since));
    });

    it.each([
      ['/alerts', 'no since'],
      ['/alerts?since=yesterday', 'a since that is not ISO 8601'],
      ['/alerts?since=2025-01-01T00:00:00', 'a since without a zone'],
      [`/alerts?since=${EPOCH}&limit=0`, 'limit 0'],
      [`/alerts?since=${EPOCH}&limit=1001`, 'limit 1001'],
      [`/alerts?since=${EPOCH}&limit=ten`, 'a limit that is not a number'],
      [`/alerts?since=${EPOCH}&cursor=not-a-cursor`, 'a cursor it did not issue'],
    ])('answers 400 {error} to %s (%s)', async (path) => {
      const { status, body } = await mock.get(path);
      expect(status).toBe(400);
      expect(body).toEqual({ error: expect.any(String) });
    });
  });

  describe('chaos', () => {
    let mock: Mock;
    beforeAll(async () => {
      mock = await startMock({ MOCK_BACKLOG: '50', MOCK_RATE_PER_MINUTE: '0' });
    });
    afterAll(() => stop(mock.child));
    afterEach(() =>
      mock.put({ failure_rate: 0, latency_ms: 0, rate_limit_rate: 0, malformed_rate: 0 }),
    );

    it('injects 500s at failure_rate 1', async () => {
      expect((await mock.put({ failure_rate: 1 })).body.failure_rate).toBe(1);
      const { status, body } = await mock.get(`/alerts?since=${EPOCH}`);
      expect(status).toBe(500);
      expect(body).toEqual({ error: expect.any(String) });
    });

    it('injects 429s with Retry-After at rate_limit_rate 1', async () => {
      await mock.put({ rate_limit_rate: 1 });
      const { status, headers } = await mock.get(`/alerts?since=${EPOCH}`);
      expect(status).toBe(429);
      expect(Number(headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    });

    it('delays responses by latency_ms', async () => {
      await mock.put({ latency_ms: 300 });
      const began = Date.now();
      expect((await mock.get(`/alerts?since=${EPOCH}`)).status).toBe(200);
      expect(Date.now() - began).toBeGreaterThanOrEqual(295);
    });

    it('serves the same malformed alerts on every fetch', async () => {
      await mock.put({ malformed_rate: 0.3 });
      const first = (await mock.get(`/alerts?since=${EPOCH}`)).body.alerts;
      const second = (await mock.get(`/alerts?since=${EPOCH}`)).body.alerts;
      expect(second).toEqual(first);
      await mock.put({ malformed_rate: 0 });
      const clean = (await mock.get(`/alerts?since=${EPOCH}`)).body.alerts;
      const changed = clean.filter(
        (a: any, i: number) => JSON.stringify(a) !== JSON.stringify(first[i]),
      );
      expect(changed.length).toBeGreaterThan(5);
      expect(changed.length).toBeLessThan(30);
    });

    it.each([
      [{ failure_rate: 1.5 }],
      [{ latency_ms: 60_001 }],
      [{ rate_limit_rate: -0.1 }],
      [{ malformed_rate: 'some' }],
      [{ surprise: 1 }],
      ['{not json'],
    ])('refuses PUT /config %p with 400 and keeps the config', async (body) => {
      const before = (await mock.get('/config')).body;
      const res = await mock.put(body);
      expect(res.status).toBe(400);
      expect(res.body.error).toEqual(expect.any(String));
      expect((await mock.get('/config')).body).toEqual(before);
    });

    it('accepts POST /config like PUT', async () => {
      const res = await fetch(`${mock.url}/config`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{"latency_ms":10}',
      });
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({
        failure_rate: 0,
        latency_ms: 10,
        rate_limit_rate: 0,
        malformed_rate: 0,
        late_rate: 0,
        late_seconds: 0,
      });
    });
  });

  it('serves the same alerts from two processes with the same seed', async () => {
    const env = { MOCK_SEED: '4242', MOCK_BACKLOG: '1500', MOCK_RATE_PER_MINUTE: '0' };
    const [a, b, other] = await Promise.all([
      startMock(env),
      startMock(env),
      startMock({ ...env, MOCK_SEED: '4243' }),
    ]);
    try {
      // Content is a function of (seed, index); times are relative to each process's start.
      const relative = async (mock: Mock) => {
        const startedAt = Date.parse((await mock.get('/stats')).body.started_at);
        return (await fetchAll(mock, EPOCH, 1000)).alerts.map((alert) => {
          const { created_at, timestamp, ...rest } = alert;
          return { ...rest, offset: Date.parse(created_at ?? timestamp) - startedAt };
        });
      };
      const [fromA, fromB, fromOther] = await Promise.all([
        relative(a),
        relative(b),
        relative(other),
      ]);
      expect(fromA).toHaveLength(1500);
      expect(fromB).toEqual(fromA);
      expect(fromOther.map(idOf)).not.toEqual(fromA.map(idOf));
    } finally {
      await Promise.all([a, b, other].map((m) => stop(m.child)));
    }
  });

  it('lets live alerts arrive at MOCK_RATE_PER_MINUTE, never from the future', async () => {
    const mock = await startMock({ MOCK_RATE_PER_MINUTE: '6000' });
    try {
      const { started_at } = (await mock.get('/stats')).body;
      await new Promise((r) => setTimeout(r, 300));
      const { alerts } = await fetchAll(mock, started_at, 1000);
      const now = Date.now();
      expect(alerts.length).toBeGreaterThanOrEqual(25);
      expect(alerts.every((a) => Date.parse(timeOf(a)) <= now)).toBe(true);
      await new Promise((r) => setTimeout(r, 200));
      const later = (await mock.get('/stats')).body.total_available_now;
      expect(later).toBeGreaterThanOrEqual(alerts.length + 15);
    } finally {
      await stop(mock.child);
    }
  });

  it('serves 1000-alert pages of a million-alert backlog well under 100 ms', async () => {
    const mock = await startMock({ MOCK_BACKLOG: '1000000' });
    try {
      const { started_at } = (await mock.get('/stats')).body;
      const total: number[] = [];
      const page: number[] = [];
      for (let round = 0; round < 20; round++) {
        const since = new Date(Date.parse(started_at) - 86_400_000 + round * 4_000_000);
        const began = performance.now();
        const res = await fetch(`${mock.url}/alerts?since=${since.toISOString()}&limit=1000`);
        const body = (await res.json()) as { alerts: unknown[] };
        total.push(performance.now() - began);
        page.push(Number(/dur=([\d.]+)/.exec(res.headers.get('server-timing') ?? '')?.[1]));
        expect(body.alerts).toHaveLength(1000);
      }
      const median = (xs: number[]) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)];
      const max = (xs: number[]) => Math.max(...xs);
      console.log(
        `1000-alert page, backlog 1,000,000, over loopback HTTP (20 pages): ` +
          `request median ${median(total).toFixed(1)} ms, max ${max(total).toFixed(1)} ms, ` +
          `first ${total[0].toFixed(1)} ms; server-side page build median ` +
          `${median(page).toFixed(1)} ms, max ${max(page).toFixed(1)} ms`,
      );
      expect(median(total)).toBeLessThan(100);
    } finally {
      await stop(mock.child);
    }
  });
});
