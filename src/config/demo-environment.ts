// `npm start` is the demo: it runs migrations, seeds demo users and, unless JWT_SECRET is given,
// keeps a generated signing secret in the data directory so tokens survive a restart.
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';

export interface DemoUpstream {
  /** Serve the mock upstream in this process (no UPSTREAM_URL was given). */
  serveMock: boolean;
  /** The MOCK_* variables, for the mock's own validation. */
  mockEnvironment: NodeJS.ProcessEnv;
}

/** Demo defaults: a little history to look at (2,000 alerts over the last day) unless told otherwise. */
const DEMO_MOCK_BACKLOG = '2000';

export function prepareDemoEnvironment(env: NodeJS.ProcessEnv = process.env): DemoUpstream {
  env.VIGIL_DEMO = 'true';
  const serveMock = !env.UPSTREAM_URL;
  const mockEnvironment = { ...env, MOCK_BACKLOG: env.MOCK_BACKLOG ?? DEMO_MOCK_BACKLOG };
  if (serveMock) env.UPSTREAM_URL = `http://127.0.0.1:${env.MOCK_PORT || '9000'}`;
  prepareSecret(env);
  return { serveMock, mockEnvironment };
}

function prepareSecret(env: NodeJS.ProcessEnv): void {
  if (env.JWT_SECRET) return;
  const dataDir = resolve(env.DATA_DIR || './data');
  mkdirSync(dataDir, { recursive: true });
  const secretFile = join(dataDir, 'jwt-secret');
  if (!existsSync(secretFile)) {
    writeFileSync(secretFile, randomBytes(48).toString('base64url'), { mode: 0o600 });
  }
  chmodSync(secretFile, 0o600);
  env.JWT_SECRET = readFileSync(secretFile, 'utf8').trim();
}
