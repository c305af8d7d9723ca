// Runs a built entry point (dist/src/main.js, demo.js) as a child process on a loopback port and
// waits for readiness. Shared by the e2e specs and the benchmarks.
import { ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join, resolve } from 'node:path';

/**
 * The V8 flags the start scripts use (package.json): without a ceiling V8 grows the old space
 * lazily to ~380 MB during a large ingest although the live heap is far smaller; 192 MB keeps
 * the process under 300 MB RSS with room to spare.
 */
export const SERVICE_NODE_FLAGS = ['--max-old-space-size=192', '--max-semi-space-size=32'];

export const TEST_JWT_SECRET = 'test-secret-that-is-long-enough-for-hs256-0123456789';
/** The repository root, whether this file runs from test/support or compiled from dist/. */
function repositoryRoot(from: string): string {
  let dir = from;
  while (!existsSync(join(dir, 'package.json')) || dir.endsWith('/dist')) {
    if (dirname(dir) === dir) throw new Error(`no package.json above ${from}`);
    dir = dirname(dir);
  }
  return dir;
}
const ROOT = repositoryRoot(import.meta.dirname);

export function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => done(port));
    });
    server.on('error', fail);
  });
}

/** The service's environment for tests and benchmarks: quiet, migrating, limits out of the way. */
export function serviceEnvironment(
  port: number,
  databaseUrl: string | undefined,
  env: Record<string, string> = {},
): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    NODE_ENV: 'test',
    PORT: String(port),
    HOST: '127.0.0.1',
    DATABASE_URL: databaseUrl,
    RUN_MIGRATIONS: 'true',
    LOG_LEVEL: 'warn',
    JWT_SECRET: TEST_JWT_SECRET,
    THROTTLE_LIMIT: '100000',
    LOGIN_LIMIT_PER_IP: '100000',
    LOGIN_LIMIT_PER_USERNAME: '100000',
    DB_POOL_SIZE: '5',
    SYNC_ENABLED: 'false',
    TOR_REFRESH_HOURS: '0',
    ...env,
  };
}

/**
 * Spawns `node <entry>` and resolves once `/health/ready` answers 200. `nodeFlags` go after the
 * service's own (e.g. `--cpu-prof`, which Node does not take from NODE_OPTIONS).
 */
export async function spawnService(
  entry: string,
  env: NodeJS.ProcessEnv,
  port: number,
  timeoutMs = 30_000,
  nodeFlags: string[] = [],
): Promise<{ child: ChildProcess; output: () => string }> {
  const child = spawn(
    process.execPath,
    [...SERVICE_NODE_FLAGS, ...nodeFlags, resolve(ROOT, entry)],
    {
      cwd: ROOT,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null)
      throw new Error(`${entry} exited with ${child.exitCode}:\n${output}`);
    const ready = await fetch(`http://127.0.0.1:${port}/health/ready`).then(
      (r) => r.status === 200,
      () => false,
    );
    if (ready) return { child, output: () => output };
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill('SIGKILL');
  throw new Error(`${entry} was not ready within ${timeoutMs} ms:\n${output}`);
}

export function waitForExit(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((done) => child.once('exit', (code) => done(code)));
}
