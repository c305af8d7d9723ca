// GET /api/auth/me with a valid token (JWT verify + user state + guards) against the trivial
// @Public() route GET /health/live on the same service, same run, 50 connections, alternating
// rounds so machine noise hits both. Both pass the per-client throttle (one busy key), so the
// run also shows what the O(1) throttle storage costs under one hot client.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { ApiClient } from '../test/support/api-client.js';
import { freePort, serviceEnvironment, spawnService } from '../test/support/service-process.js';
import { freshBenchDatabase, load, LoadResult, median, table } from './support.js';

const ROUNDS = 3;
const SECONDS = 8;

export async function benchAuth(): Promise<void> {
  const url = await freshBenchDatabase();
  const dataDir = mkdtempSync(join(tmpdir(), 'vigil-bench-'));
  const port = await freePort();
  const env = serviceEnvironment(port, url, {
    DATA_DIR: dataDir,
    THROTTLE_LIMIT: String(1e9),
    LOG_LEVEL: 'warn',
    DB_POOL_SIZE: '10',
    ADMIN_USERNAME: 'bench',
    ADMIN_PASSWORD: 'bench-password-0123456789',
  });
  const service = await spawnService('dist/src/main.js', env, port);
  try {
    const base = `http://127.0.0.1:${port}`;
    const login = await new ApiClient(base).post('/api/auth/token', {
      body: { username: 'bench', password: 'bench-password-0123456789' },
    });
    const headers = { authorization: `Bearer ${login.body.access_token}` };
    await load('warm-up', `${base}/api/auth/me`, { seconds: 3, headers });
    await load('warm-up', `${base}/health/live`, { seconds: 3 });

    const me: LoadResult[] = [];
    const live: LoadResult[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      live.push(
        await load('GET /health/live (baseline)', `${base}/health/live`, { seconds: SECONDS }),
      );
      me.push(await load('GET /api/auth/me', `${base}/api/auth/me`, { seconds: SECONDS, headers }));
    }
    const summarise = (runs: LoadResult[]) => ({
      route: runs[0].name,
      'req/s (median)': Math.round(median(runs.map((r) => r.rps))),
      'p50 ms': median(runs.map((r) => r.p50)),
      'p99 ms': median(runs.map((r) => r.p99)),
      'non-2xx': runs.reduce((n, r) => n + r.non2xx, 0),
      errors: runs.reduce((n, r) => n + r.errors, 0),
    });
    const rows = [summarise(live), summarise(me)];
    const ratio = rows[1]['req/s (median)'] / rows[0]['req/s (median)'];
    process.stdout.write(
      `\nauth: ${ROUNDS} alternating rounds of ${SECONDS} s, 50 connections, PostgreSQL ${await serverVersion(url)}\n`,
    );
    process.stdout.write(`${table(rows)}\n`);
    process.stdout.write(`ratio /api/auth/me : /health/live = ${ratio.toFixed(2)}\n`);
  } finally {
    service.child.kill('SIGTERM');
    rmSync(dataDir, { recursive: true, force: true });
  }
}

async function serverVersion(url: string): Promise<string> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const { rows } = await client.query<{ server_version: string }>('SHOW server_version');
  await client.end();
  return rows[0].server_version;
}
