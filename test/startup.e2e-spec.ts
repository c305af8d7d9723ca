// Start-up as operators see it: the built entry points (demo, service, CLI) run as real processes
// and are judged by their exit codes, their output and what they then serve over HTTP.
import { ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import pg from 'pg';
import { ApiClient } from './support/api-client.js';
import { expectProblem } from './support/problem.js';
import { freePort, serviceEnvironment, testDatabaseUrl } from './support/test-app.js';

const ROOT = resolve(import.meta.dirname, '..');
const DEMO = 'dist/src/demo.js';
const SERVICE = 'dist/src/main.js';
const CLI = 'dist/src/cli/main.js';
// The embedded PGlite takes several seconds to open a data directory, more on a busy machine.
const START_MS = 90_000;
const SLOW_TEST_MS = 180_000;

interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

interface Launched {
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** Settles once the process has exited and its output is drained. */
  exited: Promise<Exit>;
}

const running = new Set<ChildProcess>();
const tempDirs: string[] = [];

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-startup-'));
  tempDirs.push(dir);
  return dir;
}

/** `node <entry> ...args` from the repository root; `stdin` is written and closed when given. */
function launch(entry: string, args: string[], env: NodeJS.ProcessEnv, stdin?: string): Launched {
  const child = spawn(process.execPath, [resolve(ROOT, entry), ...args], {
    cwd: ROOT,
    env,
    stdio: [stdin === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
  });
  running.add(child);
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<Exit>((done) =>
    child.once('close', (code, signal) => {
      running.delete(child);
      done({ code, signal });
    }),
  );
  if (stdin !== undefined) child.stdin!.end(stdin);
  return { child, stdout: () => stdout, stderr: () => stderr, exited };
}

function describeOutput(p: Launched): string {
  return `--- stdout\n${p.stdout()}\n--- stderr\n${p.stderr()}`;
}

/** Waits for the process to end on its own; kills it and fails after `timeoutMs`. */
async function finished(p: Launched, timeoutMs = 60_000): Promise<Exit> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timeout'>(
    (done) => (timer = setTimeout(() => done('timeout'), timeoutMs)),
  );
  const result = await Promise.race([p.exited, timeout]);
  clearTimeout(timer);
  if (result === 'timeout') {
    p.child.kill('SIGKILL');
    throw new Error(`process did not exit within ${timeoutMs} ms\n${describeOutput(p)}`);
  }
  return result;
}

async function stop(p: Launched, timeoutMs = 30_000): Promise<Exit> {
  p.child.kill('SIGTERM');
  return finished(p, timeoutMs);
}

async function waitFor(
  what: string,
  p: Launched,
  condition: () => Promise<boolean> | boolean,
  timeoutMs = START_MS,
) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await condition()) return;
    if (p.child.exitCode !== null || p.child.signalCode !== null) {
      throw new Error(
        `process exited (${p.child.exitCode ?? p.child.signalCode}) before ${what}\n${describeOutput(p)}`,
      );
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}\n${describeOutput(p)}`);
}

function ready(port: number): Promise<boolean> {
  return fetch(`http://127.0.0.1:${port}/health/ready`).then(
    (res) => res.status === 200,
    () => false,
  );
}

async function startService(
  entry: string,
  env: NodeJS.ProcessEnv,
  port: number,
): Promise<Launched> {
  const p = launch(entry, [], env);
  await waitFor(`${entry} to be ready on port ${port}`, p, () => ready(port));
  return p;
}

/** The `username: x  password: y` lines the demo prints. */
function printedCredentials(stdout: string): Record<string, string> {
  return Object.fromEntries(
    [...stdout.matchAll(/username: (\S+)\s+password: (\S+)/g)].map((m) => [m[1], m[2]]),
  );
}

async function signIn(api: ApiClient, username: string, password: string): Promise<string> {
  const res = await api.post('/api/auth/token', { body: { username, password } });
  expect({ username, status: res.status }).toEqual({ username, status: 200 });
  return res.body.access_token as string;
}

interface Me {
  id: string;
  username: string;
  groups: string[];
}

async function me(api: ApiClient, token: string): Promise<Me> {
  const res = await api.get('/api/auth/me', { token });
  expect(res.status).toBe(200);
  return res.body as Me;
}

async function emptyTables(db: pg.Pool): Promise<void> {
  const { rows } = await db.query<{ tablename: string }>(
    `SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'migrations'`,
  );
  if (rows.length) {
    await db.query(
      `TRUNCATE ${rows.map((t) => `"${t.tablename}"`).join(', ')} RESTART IDENTITY CASCADE`,
    );
  }
}

afterAll(async () => {
  const children = [...running];
  for (const child of children) child.kill('SIGKILL');
  await Promise.all(children.map((child) => new Promise((done) => child.once('close', done))));
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
});

describe('demo on the embedded database (dist/src/demo.js)', () => {
  let dataDir: string;
  let first: Launched;
  let api: ApiClient;
  let credentials: Record<string, string>;
  const ids: Record<string, string> = {};
  const tokens: Record<string, string> = {};
  let mockPort: number;

  // Only what the brief allows: no DATABASE_URL, so the demo must bring its own database (and,
  // with no UPSTREAM_URL, its own mock upstream, here on a free port).
  const demoEnvironment = (port: number): NodeJS.ProcessEnv => ({
    PATH: process.env.PATH,
    DATA_DIR: dataDir,
    PORT: String(port),
    HOST: '127.0.0.1',
    MOCK_PORT: String(mockPort),
    MOCK_HOST: '127.0.0.1',
    TOR_REFRESH_HOURS: '0',
  });

  beforeAll(async () => {
    dataDir = tempDir();
    mockPort = await freePort();
    const port = await freePort();
    first = launch(DEMO, [], demoEnvironment(port));
    await waitFor('the demo to be ready', first, () => ready(port));
    await waitFor(
      'the demo credentials',
      first,
      () => Object.keys(printedCredentials(first.stdout())).length >= 2,
    );
    api = new ApiClient(`http://127.0.0.1:${port}`);
    credentials = printedCredentials(first.stdout());
  }, SLOW_TEST_MS);

  it('shows synced alerts from its own mock upstream within a minute of starting', async () => {
    const login = await api.post('/api/auth/token', {
      body: { username: 'analyst', password: credentials.analyst },
    });
    const deadline = Date.now() + 60_000;
    let total = 0;
    while (Date.now() < deadline && total === 0) {
      const res = await api.get('/api/alerts?limit=1', { token: login.body.access_token });
      expect(res.status).toBe(200);
      total = res.body.total;
      if (!total) await new Promise((r) => setTimeout(r, 500));
    }
    expect(total).toBeGreaterThan(0);
    expect((await api.get('/health')).body).toMatchObject({
      db_connected: true,
      upstream_url: `http://127.0.0.1:${mockPort}`,
    });
  });

  it('prints an admin and an analyst password that sign in with their groups', async () => {
    expect(Object.keys(credentials).sort()).toEqual(['admin', 'analyst']);
    for (const [username, group] of [
      ['admin', 'admin'],
      ['analyst', 'analyst'],
    ]) {
      tokens[username] = await signIn(api, username, credentials[username]);
      const who = await me(api, tokens[username]);
      expect(who).toEqual({ id: expect.any(String), username, groups: [group] });
      ids[username] = who.id;
    }

    expectProblem(await api.get('/api/users', { token: tokens.analyst }), 403);
    const users = await api.get('/api/users', { token: tokens.admin });
    expect(users.status).toBe(200);
    expect(JSON.stringify(users.body)).toContain(ids.analyst);
  });

  it('groups its synced alerts into incidents by the default correlation rules', async () => {
    const rules = await api.get('/api/correlation-rules', { token: tokens.admin });
    expect(rules.status).toBe(200);
    expect(rules.body.rules.map((r: any) => [r.name, r.keys, r.window_seconds, r.enabled])).toEqual(
      [
        ['Same source address', ['src_ip'], 3600, true],
        ['Same user', ['user'], 3600, true],
        ['Same destination address', ['dst_ip'], 3600, true],
      ],
    );
    const alerts = await api.get('/api/alerts?limit=20', { token: tokens.analyst });
    const grouped = (alerts.body.alerts as any[]).filter((a) => a.src_ip && a.incident_id);
    expect(grouped.length).toBeGreaterThan(0);
    const incident = await api.get(`/api/incidents/${grouped[0].incident_id}`, {
      token: tokens.analyst,
    });
    expect(incident.status).toBe(200);
    expect(incident.body.key).toEqual({ src_ip: grouped[0].src_ip });
    expect(incident.body.alert_ids).toContain(grouped[0].id);
  });

  it(
    'refuses a second process on the same data directory while the first runs',
    async () => {
      const second = launch(DEMO, [], demoEnvironment(await freePort()));
      const exit = await finished(second);

      expect(exit.code).not.toBe(0);
      expect(exit.code).not.toBeNull();
      expect(second.stderr()).toMatch(/in use/);
      expect(second.stderr()).toContain(dataDir);
      // The refused process must leave the first one's lock and database alone.
      expect(readFileSync(join(dataDir, 'pg.lock'), 'utf8')).toBe(String(first.child.pid));
      expect(await ready(Number(new URL(api.baseUrl).port))).toBe(true);
      expect((await api.get('/api/auth/me', { token: tokens.admin })).status).toBe(200);
    },
    SLOW_TEST_MS,
  );

  it('exits 0 on SIGTERM and releases the data directory', async () => {
    expect(await stop(first)).toEqual({ code: 0, signal: null });
    expect(existsSync(join(dataDir, 'pg.lock'))).toBe(false);
  });

  it(
    'keeps its users, their ids, the printed passwords and the signing secret across a restart',
    async () => {
      const port = await freePort();
      const again = launch(DEMO, [], demoEnvironment(port));
      try {
        await waitFor('the restarted demo to be ready', again, () => ready(port));
        await waitFor(
          'the demo credentials',
          again,
          () => Object.keys(printedCredentials(again.stdout())).length >= 2,
        );
        const restarted = new ApiClient(`http://127.0.0.1:${port}`);

        expect(printedCredentials(again.stdout())).toEqual(credentials);
        for (const username of ['admin', 'analyst']) {
          const token = await signIn(restarted, username, credentials[username]);
          expect((await me(restarted, token)).id).toBe(ids[username]);
        }
        // Tokens from the previous run still verify: the generated secret lives in the data directory.
        expect((await me(restarted, tokens.admin)).id).toBe(ids.admin);
      } finally {
        const exit = await stop(again);
        expect(exit).toEqual({ code: 0, signal: null });
      }
    },
    SLOW_TEST_MS,
  );
});

describe('configuration errors (dist/src/main.js)', () => {
  it.each<[string, string, Record<string, string>]>([
    ['PORT=abc', 'PORT', { PORT: 'abc' }],
    ['NODE_ENV=production without JWT_SECRET', 'JWT_SECRET', { NODE_ENV: 'production' }],
  ])('%s exits 1 with one line on stderr naming %s', async (_case, name, variables) => {
    const dataDir = tempDir();
    const p = launch(SERVICE, [], { PATH: process.env.PATH, DATA_DIR: dataDir, ...variables });
    const exit = await finished(p, 30_000);

    expect(exit).toEqual({ code: 1, signal: null });
    const lines = p.stderr().trimEnd().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(new RegExp(`\\b${name}\\b`));
    expect(p.stdout()).toBe('');
    // It stopped before opening a database.
    expect(readdirSync(dataDir)).toEqual([]);
  });
});

describe('production bootstrap of the first admin (dist/src/main.js)', () => {
  let db: pg.Pool;

  beforeAll(() => {
    db = new pg.Pool({ connectionString: testDatabaseUrl(), max: 2 });
  });
  afterAll(() => db.end());

  it('creates the admin from ADMIN_USERNAME/ADMIN_PASSWORD when no user exists', async () => {
    await emptyTables(db);
    const port = await freePort();
    const env = serviceEnvironment(port, testDatabaseUrl(), {
      ADMIN_USERNAME: 'Chief',
      ADMIN_PASSWORD: 'chief-password-0123',
    });
    const service = await startService(SERVICE, env, port);
    try {
      const api = new ApiClient(`http://127.0.0.1:${port}`);
      const token = await signIn(api, 'chief', 'chief-password-0123');
      expect(await me(api, token)).toEqual({
        id: expect.any(String),
        username: 'chief',
        groups: ['admin'],
      });
      expect((await api.get('/api/users', { token })).status).toBe(200);
    } finally {
      expect(await stop(service)).toEqual({ code: 0, signal: null });
    }
  });

  it('creates no admin when a user already exists', async () => {
    await emptyTables(db);
    await db.query(
      `INSERT INTO users (username, password_hash, groups) VALUES ('existing', 'not-a-hash', '{admin}')`,
    );
    const port = await freePort();
    const env = serviceEnvironment(port, testDatabaseUrl(), {
      ADMIN_USERNAME: 'deputy',
      ADMIN_PASSWORD: 'deputy-password-0123',
    });
    const service = await startService(SERVICE, env, port);
    try {
      const api = new ApiClient(`http://127.0.0.1:${port}`);
      expectProblem(
        await api.post('/api/auth/token', {
          body: { username: 'deputy', password: 'deputy-password-0123' },
        }),
        401,
      );
      const { rows } = await db.query<{ username: string }>(
        'SELECT username FROM users ORDER BY username',
      );
      expect(rows.map((r) => r.username)).toEqual(['existing']);
    } finally {
      await stop(service);
    }
  });
});

describe('operator CLI (dist/src/cli/main.js)', () => {
  const cliEnvironment = (): NodeJS.ProcessEnv => ({
    PATH: process.env.PATH,
    DATABASE_URL: testDatabaseUrl(),
  });
  const cli = (args: string[], stdin?: string) => {
    const p = launch(CLI, args, cliEnvironment(), stdin);
    return finished(p).then((exit) => ({ ...exit, stdout: p.stdout(), stderr: p.stderr() }));
  };

  it('migrate applies what is pending, and then reports nothing pending', async () => {
    const first = await cli(['migrate']);
    expect(first).toMatchObject({
      code: 0,
      stdout: expect.stringMatching(/^(Applied \S.*|No pending migrations)\n$/),
    });

    const second = await cli(['migrate']);
    expect(second).toMatchObject({ code: 0, stdout: 'No pending migrations\n' });

    const db = new pg.Pool({ connectionString: testDatabaseUrl(), max: 1 });
    try {
      const { rows } = await db.query(`SELECT to_regclass('public.users') AS users`);
      expect(rows[0].users).not.toBeNull();
    } finally {
      await db.end();
    }
  });

  describe('create-user', () => {
    let db: pg.Pool;
    let service: Launched;
    let api: ApiClient;

    beforeAll(async () => {
      db = new pg.Pool({ connectionString: testDatabaseUrl(), max: 2 });
      const port = await freePort();
      service = await startService(SERVICE, serviceEnvironment(port, testDatabaseUrl()), port);
      api = new ApiClient(`http://127.0.0.1:${port}`);
      await emptyTables(db);
    }, SLOW_TEST_MS);
    afterAll(async () => {
      if (service) await stop(service);
      await db.end();
    });

    it('reads the password from stdin and creates a user who signs in to the running service', async () => {
      const created = await cli(
        ['create-user', 'zoe', '--group', 'analyst', '--password-stdin'],
        'zoe-password-0123\n',
      );

      expect(created).toMatchObject({ code: 0, stderr: '' });
      const id = /^Created user zoe \(analyst\) id ([0-9a-f-]{36})\n$/.exec(created.stdout)?.[1];
      expect(id).toBeDefined();
      const token = await signIn(api, 'zoe', 'zoe-password-0123');
      expect(await me(api, token)).toEqual({ id, username: 'zoe', groups: ['analyst'] });
    });

    it('exits 1 with a message on a duplicate username and keeps the existing user', async () => {
      const duplicate = await cli(
        ['create-user', 'Zoe', '--group', 'admin', '--password-stdin'],
        'another-password-0123\n',
      );

      expect(duplicate).toMatchObject({ code: 1, stdout: '' });
      expect(duplicate.stderr).toMatch(/zoe already exists/);
      await signIn(api, 'zoe', 'zoe-password-0123');
      expectProblem(
        await api.post('/api/auth/token', {
          body: { username: 'zoe', password: 'another-password-0123' },
        }),
        401,
      );
    });

    it('exits 2 on an unknown group and creates nothing', async () => {
      const bad = await cli(
        ['create-user', 'yuri', '--group', 'wizard', '--password-stdin'],
        'yuri-password-0123\n',
      );

      expect(bad).toMatchObject({ code: 2, stdout: '' });
      expect(bad.stderr).toMatch(/groups/);
      const { rows } = await db.query(`SELECT 1 FROM users WHERE username = 'yuri'`);
      expect(rows).toHaveLength(0);
    });
  });
});
