// `npm start` is the demo: it runs migrations, seeds demo users and, unless JWT_SECRET is given,
// keeps a generated signing secret in the data directory so tokens survive a restart.
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';

export function prepareDemoEnvironment(env: NodeJS.ProcessEnv = process.env): void {
  env.VIGIL_DEMO = 'true';
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
