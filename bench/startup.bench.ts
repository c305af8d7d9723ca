// Cold start to ready: wall time from spawning the service until GET /health/ready answers 200,
// for the embedded database (first start runs initdb; a restart reopens the data directory)
// and for the PostgreSQL server (migrations already applied).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  freePort,
  serviceEnvironment,
  spawnService,
  waitForExit,
} from '../test/support/service-process.js';
import { freshBenchDatabase, median, table } from './support.js';

async function timeToReady(env: Record<string, string | undefined>): Promise<number> {
  const port = await freePort();
  const started = performance.now();
  const { child } = await spawnService(
    'dist/src/main.js',
    { ...env, PORT: String(port) },
    port,
    60_000,
  );
  const elapsed = performance.now() - started;
  const exited = waitForExit(child);
  child.kill('SIGTERM');
  await exited;
  return Math.round(elapsed);
}

export async function benchStartup(): Promise<void> {
  const url = await freshBenchDatabase();
  const rows: Array<Record<string, string | number>> = [];
  const dataDir = mkdtempSync(join(tmpdir(), 'vigil-startup-'));
  try {
    const embedded = serviceEnvironment(0, undefined, { DATA_DIR: dataDir, LOG_LEVEL: 'warn' });
    const first = await timeToReady(embedded);
    const restarts = [];
    for (let i = 0; i < 3; i++) restarts.push(await timeToReady(embedded));
    rows.push({
      database: 'embedded PGlite, new data dir (initdb + migrations)',
      'ms to ready': first,
    });
    rows.push({
      database: 'embedded PGlite, existing data dir (median of 3)',
      'ms to ready': median(restarts),
    });

    const server = serviceEnvironment(0, url, { LOG_LEVEL: 'warn' });
    const migrate = await timeToReady(server);
    const warm = [];
    for (let i = 0; i < 3; i++) warm.push(await timeToReady(server));
    rows.push({
      database: 'PostgreSQL server, empty database (migrations)',
      'ms to ready': migrate,
    });
    rows.push({
      database: 'PostgreSQL server, migrated (median of 3)',
      'ms to ready': median(warm),
    });
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
  process.stdout.write(
    `\nstartup: spawn of dist/src/main.js to GET /health/ready = 200\n${table(rows)}\n`,
  );
}
