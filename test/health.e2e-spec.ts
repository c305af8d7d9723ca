// The probes against a real database: healthy, with a migration pending (its row is taken out of
// the `migrations` table and put back), and with the database cut off by a TCP relay we control.
import { ChildProcess, spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { ApiClient } from './support/api-client.js';
import { DatabaseRelay } from './support/database-relay.js';
import { expectProblem } from './support/problem.js';
import { waitUntil } from './support/sync.js';
import {
  freePort,
  serviceEnvironment,
  startTestApp,
  testDatabaseUrl,
  TestApp,
  waitForExit,
} from './support/test-app.js';

const ROOT = resolve(import.meta.dirname, '..');

interface Service {
  api: ApiClient;
  /** What the service logged so far. */
  output(): string;
  stop(): Promise<void>;
}

/** Starts dist/src/main.js and waits for liveness only (readiness is what these tests look at). */
async function startService(env: Record<string, string>): Promise<Service> {
  const port = await freePort();
  const child: ChildProcess = spawn(process.execPath, [resolve(ROOT, 'dist/src/main.js')], {
    cwd: ROOT,
    env: serviceEnvironment(port, testDatabaseUrl(), env),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const api = new ApiClient(`http://127.0.0.1:${port}`);
  const stop = async () => {
    const exited = waitForExit(child);
    child.kill('SIGTERM');
    await exited;
  };
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null)
      throw new Error(`service exited with ${child.exitCode}:\n${output}`);
    const live = await api.get('/health/live').then(
      (r) => r.status === 200,
      () => false,
    );
    if (live) return { api, output: () => output, stop };
    await new Promise((r) => setTimeout(r, 100));
  }
  await stop();
  throw new Error(`service was not live within 30 s:\n${output}`);
}

describe('Health probes (e2e)', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());
  beforeEach(() => t.reset());

  it('GET /health/live answers 200 with an empty Terminus result', async () => {
    const res = await t.api.get('/health/live');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(res.body).toEqual({ status: 'ok', info: {}, error: {}, details: {} });
  });

  it('GET /health/ready answers 200 while not shutting down, with the database and migrations up', async () => {
    const res = await t.api.get('/health/ready');
    expect(res.status).toBe(200);
    const up = { status: 'up', responseTime: expect.any(Number) };
    const checks = { shutdown: { status: 'up' }, database: up, migrations: up };
    expect(res.body).toEqual({ status: 'ok', info: checks, error: {}, details: checks });
  });

  it('GET /health answers 200 with status ok, the sync state and the upstream', async () => {
    const res = await t.api.get('/health');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      status: 'ok',
      db_connected: true,
      last_successful_sync: null,
      last_sync_status: null,
      last_error: null,
      last_event_time: null,
      sync_interval_seconds: 60,
      upstream_url: expect.stringMatching(/^https?:\/\//),
      enrichment: {
        geoip_database: expect.objectContaining({
          name: expect.any(String),
          attribution: expect.stringMatching(/DB-IP/),
        }),
        tor_list_updated_at: expect.any(String),
        tor_list_size: expect.any(Number),
      },
    });
    expect(res.body.enrichment.tor_list_size).toBeGreaterThan(100);
  });

  it('needs no token and ignores a bad one', async () => {
    for (const path of ['/health', '/health/live', '/health/ready']) {
      expect((await t.api.get(path, { token: 'not-a-jwt' })).status).toBe(200);
    }
  });

  describe('with a migration pending', () => {
    let newest: { id: number; timestamp: string; name: string };

    const restore = () =>
      t.db.query(
        'INSERT INTO migrations (id, timestamp, name) VALUES ($1, $2, $3) ON CONFLICT (id) DO NOTHING',
        [newest.id, newest.timestamp, newest.name],
      );

    beforeEach(async () => {
      const { rows } = await t.db.query(
        `DELETE FROM migrations WHERE id = (SELECT id FROM migrations ORDER BY timestamp DESC, id DESC LIMIT 1)
         RETURNING id, timestamp, name`,
      );
      expect(rows).toHaveLength(1);
      newest = rows[0];
    });
    afterEach(async () => {
      await restore();
      const { rows } = await t.db.query('SELECT 1 FROM migrations WHERE name = $1', [newest.name]);
      expect(rows).toHaveLength(1);
    });

    function expectNotReady(res: Awaited<ReturnType<ApiClient['get']>>) {
      const problem = expectProblem(res, 503);
      expect(problem).toMatchObject({
        instance: '/health/ready',
        info: { database: { status: 'up' } },
        error: { migrations: { status: 'down' } },
        details: { database: { status: 'up' }, migrations: { status: 'down' } },
      });
    }

    it('the running service answers /health/ready with a 503 problem, then 200 once it is recorded', async () => {
      expectNotReady(await t.api.get('/health/ready'));
      expect((await t.api.get('/health/live')).status).toBe(200);

      await restore();

      expect((await t.api.get('/health/ready')).status).toBe(200);
    });

    it('a service started with RUN_MIGRATIONS=false does not apply it and is live but not ready', async () => {
      const service = await startService({ RUN_MIGRATIONS: 'false' });
      try {
        expectNotReady(await service.api.get('/health/ready'));
        expect((await service.api.get('/health/live')).status).toBe(200);
        expect((await service.api.get('/health')).body).toMatchObject({
          status: 'ok',
          db_connected: true,
        });
      } finally {
        await service.stop();
      }
      const { rows } = await t.db.query('SELECT 1 FROM migrations WHERE name = $1', [newest.name]);
      expect(rows).toHaveLength(0);
    });
  });

  describe('when the database becomes unreachable', () => {
    let relay: DatabaseRelay;
    let service: Service;

    beforeAll(async () => {
      relay = new DatabaseRelay(new URL(testDatabaseUrl()));
      await relay.open();
      service = await startService({ DATABASE_URL: relay.url, RUN_MIGRATIONS: 'false' });
    });
    afterAll(async () => {
      await service?.stop();
      await relay?.cut();
    });

    it('stays live, turns not ready and down (503), and recovers when it comes back', async () => {
      expect((await service.api.get('/health/ready')).status).toBe(200);

      await relay.cut();

      const live = await service.api.get('/health/live');
      expect(live.status).toBe(200);
      expect(live.body.status).toBe('ok');
      const ready = await service.api.get('/health/ready');
      expect(expectProblem(ready, 503)).toMatchObject({
        error: { database: { status: 'down' } },
        details: { database: { status: 'down' } },
      });
      const summary = await service.api.get('/health');
      expect(expectProblem(summary, 503)).toMatchObject({
        instance: '/health',
        health_status: 'down',
        db_connected: false,
      });

      await relay.open();

      await waitUntil(
        'readiness to return',
        async () => ((await service.api.get('/health/ready')).status === 200 ? true : undefined),
        15_000,
      );
      expect((await service.api.get('/health')).body).toMatchObject({
        status: 'ok',
        db_connected: true,
      });
    });

    it('public probes say "database unreachable", never the driver message or an address; the log has the detail', async () => {
      await relay.cut();
      try {
        const { port } = new URL(relay.url);
        const ready = await service.api.get('/health/ready');
        expect(expectProblem(ready, 503)).toMatchObject({
          details: {
            database: { status: 'down', message: 'database unreachable' },
            migrations: { status: 'down', message: 'database unreachable' },
          },
        });
        const summary = await service.api.get('/health');
        expectProblem(summary, 503);
        for (const body of [JSON.stringify(ready.body), JSON.stringify(summary.body)]) {
          expect(body).not.toMatch(/ECONNREFUSED|ECONNRESET|connect |terminated/i);
          expect(body).not.toContain(`:${port}`);
        }
        expect(service.output()).toMatch(/Readiness: the database check failed/);
        expect(service.output()).toContain(`:${port}`);
        // The probe's own 503 is a state, logged where it arises: not an "unhandled" error.
        expect(service.output()).not.toMatch(/Unhandled error|Answered 503/);
      } finally {
        await relay.open();
      }
      await waitUntil(
        'readiness to return',
        async () => ((await service.api.get('/health/ready')).status === 200 ? true : undefined),
        15_000,
      );
    });
  });
});
