// Starts the real service (dist/src/main.js: AppModule, global pipeline, Swagger) as a child
// process on a loopback port against the suite's database, with real migrations, and talks to it
// over the socket. A child process rather than an in-Jest app because Jest (VM-modules mode) cannot
// load CommonJS packages that require() the ESM-only Nest 12 (see README "Tests"); it is also
// what the crash and multi-replica tests need.
import pg from 'pg';
import { PasswordHasher } from '../../src/users/password-hasher.js';
import { ApiClient } from './api-client.js';
import { freePort, serviceEnvironment, spawnService, waitForExit } from './service-process.js';

export {
  freePort,
  serviceEnvironment,
  spawnService,
  TEST_JWT_SECRET,
  waitForExit,
} from './service-process.js';

export function testDatabaseUrl(): string {
  const url = process.env.TEST_DATABASE_URL;
  if (!url) throw new Error('TEST_DATABASE_URL is not set (global setup did not run?)');
  return url;
}

/** Empties every table but the migrations, back to what the migrations leave (the sync state row). */
async function truncateTables(db: pg.Pool): Promise<void> {
  const { rows } = await db.query<{ tablename: string }>(
    `SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'migrations'`,
  );
  if (rows.length) {
    await db.query(
      `TRUNCATE ${rows.map((t) => `"${t.tablename}"`).join(', ')} RESTART IDENTITY CASCADE`,
    );
  }
  if (rows.some((t) => t.tablename === 'sync_state')) {
    await db.query('INSERT INTO sync_state (id, bookmark) VALUES (1, NULL)');
  }
  if (rows.some((t) => t.tablename === 'context_state')) {
    // Version 0 is the empty context: whatever a service holds at 0 is what the tables hold now.
    await db.query('INSERT INTO context_state (id, version) VALUES (1, 0)');
  }
}

/** Empties the suite's database before any service runs on it (when nothing is migrated yet, nothing happens). */
export async function resetDatabase(): Promise<void> {
  const db = new pg.Pool({ connectionString: testDatabaseUrl(), max: 1 });
  try {
    await truncateTables(db);
  } finally {
    await db.end();
  }
}

export interface TestUser {
  id: string;
  username: string;
  password: string;
  token: string;
  refresh: string;
}

export interface TestApp {
  url: string;
  /** The service's process id (for /proc/<pid>/status). */
  pid: number;
  api: ApiClient;
  /** A pool on the service's database, for arranging and checking state. */
  db: pg.Pool;
  /** Inserts a user (argon2 hash, as the service stores them) and signs in over HTTP. */
  user(username: string, groups: string[], password?: string): Promise<TestUser>;
  /** Empties every table but the migrations (call between tests). */
  reset(): Promise<void>;
  /** Output the service wrote so far (for debugging failed specs). */
  output(): string;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
  close(): Promise<void>;
}

/**
 * An argon2 hash of `password`, made once per test file: a hash with its own salt stays valid for
 * every user given that password, and the specs that sign in the same users before each test
 * spent most of their time hashing.
 */
const hashes = new Map<string, Promise<string>>();
function hashOf(password: string): Promise<string> {
  let hash = hashes.get(password);
  if (!hash) {
    hash = new PasswordHasher().hash(password);
    hashes.set(password, hash);
  }
  return hash;
}

export async function startTestApp(env: Record<string, string> = {}): Promise<TestApp> {
  const port = await freePort();
  const { child, output } = await spawnService(
    'dist/src/main.js',
    serviceEnvironment(port, testDatabaseUrl(), env),
    port,
  );
  const url = `http://127.0.0.1:${port}`;
  const api = new ApiClient(url);
  const db = new pg.Pool({ connectionString: testDatabaseUrl(), max: 3 });
  // An idle connection the server drops (a killed service's backend on PGlite, a restart) must
  // not crash the test run; the next query simply opens a new one.
  db.on('error', () => undefined);

  const stop = async (signal: NodeJS.Signals = 'SIGTERM') => {
    const exited = waitForExit(child);
    child.kill(signal);
    return exited;
  };

  return {
    url,
    pid: child.pid!,
    api,
    db,
    output,
    stop,
    async user(username, groups, password = `pw-${username}-0123456789`) {
      const hash = await hashOf(password);
      const { rows } = await db.query<{ id: string }>(
        'INSERT INTO users (username, password_hash, groups) VALUES ($1, $2, $3) RETURNING id',
        [username.toLowerCase(), hash, groups],
      );
      const res = await api.post('/api/auth/token', { body: { username, password } });
      if (res.status !== 200)
        throw new Error(`login of ${username} failed: ${res.status} ${JSON.stringify(res.body)}`);
      return {
        id: rows[0].id,
        username,
        password,
        token: res.body.access_token,
        refresh: res.body.refresh_token,
      };
    },
    reset: () => truncateTables(db),
    async close() {
      await stop();
      await db.end();
    },
  };
}
