// Shared by the benchmarks: a bench database on the local PostgreSQL server, autocannon runs,
// and a compact report format.
import autocannon from 'autocannon';
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';

export const BENCH_DATABASE_URL =
  process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/vigil_bench';

/** How long a Vigil service's connections to the bench database may take to go away. */
const STALE_SERVICE_GRACE_MS = 5_000;

/**
 * Creates the bench database if missing and empties its public schema. Refuses while a Vigil
 * service is connected to it: one left running by an earlier, killed bench keeps its pool, finds
 * the tables again once the migrations have run, and syncs and delivers webhooks beside the
 * bench's own service, which silently skews every figure (it happened, during a webhooks run:
 * both services claimed and rendered the run's messages).
 */
export async function freshBenchDatabase(url = BENCH_DATABASE_URL): Promise<string> {
  await onPostgresDatabase(url, 'wipe', async (client, name) => {
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (!rowCount) await client.query(`CREATE DATABASE "${name}"`);
    const services = await lingeringServices(client, name);
    if (services.length) {
      throw new Error(
        `A Vigil service is still connected to "${name}" (backends ` +
          `${services.map((s) => `${s.pid} ${s.application_name}`).join(', ')}), probably left ` +
          'running by an earlier bench that was killed; stop it first (look for ' +
          '`node … dist/src/main.js`), or it would sync and deliver beside this run.',
      );
    }
  });
  const db = new pg.Client({ connectionString: url });
  await db.connect();
  await db.query('DROP SCHEMA IF EXISTS public CASCADE');
  await db.query('CREATE SCHEMA public');
  await db.end();
  return url;
}

export interface LoadResult {
  name: string;
  rps: number;
  p50: number;
  p99: number;
  non2xx: number;
  errors: number;
  requests: number;
  /** CPU time (user + system) the server process `pid` spent per request; NaN without a pid. */
  cpuMsPerRequest: number;
}

/**
 * CPU time a process has used so far, in ms, from /proc (USER_HZ ticks, 100 a second). Unlike
 * throughput it barely moves when other work shares the machine.
 */
export function processCpuMs(pid: number): number {
  // The command name (field 2) may hold spaces; utime and stime are fields 14 and 15.
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
}

export async function load(
  name: string,
  url: string,
  options: {
    connections?: number;
    seconds?: number;
    headers?: Record<string, string>;
    method?: 'GET' | 'POST';
    body?: string;
    /** Replace each `[<id>]` in the body with a fresh id per request. */
    idReplacement?: boolean;
    /** The server's process, to report its CPU time per request. */
    pid?: number;
  } = {},
): Promise<LoadResult> {
  const cpuBefore = options.pid ? processCpuMs(options.pid) : NaN;
  const result = await autocannon({
    url,
    connections: options.connections ?? 50,
    duration: options.seconds ?? 10,
    headers: options.headers,
    method: options.method ?? 'GET',
    body: options.body,
    idReplacement: options.idReplacement,
  });
  return {
    name,
    rps: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    non2xx: result.non2xx,
    errors: result.errors,
    requests: result.requests.total,
    cpuMsPerRequest: options.pid
      ? (processCpuMs(options.pid) - cpuBefore) / result.requests.total
      : NaN,
  };
}

/** How every bench says whether a target held. */
export function metOrMissed(ok: boolean): 'met' | 'MISSED' {
  return ok ? 'met' : 'MISSED';
}

/** A ratio against its target: `0.93 (target >= 1.0: MISSED)`. */
export function verdict(value: number, target: string, ok: boolean): string {
  return `${value.toFixed(2)} (target ${target}: ${metOrMissed(ok)})`;
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** The q-quantile (0 < q <= 1) of `values` by the nearest-rank method. */
export function percentile(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)];
}

export interface Sample<T = string> {
  /** Epoch ms (Date.now()) when the request was sent. */
  startedAt: number;
  /** ms from then until the whole answer was read. */
  ms: number;
  ok: boolean;
  /** What `read` made of the answer; undefined when it failed. */
  value?: T;
}

/**
 * Sends `request` every `periodMs`, whether or not the earlier ones have answered (an open loop),
 * and times each until `read` has consumed its answer (by default its text).
 */
export function steady<T = string>(
  periodMs: number,
  request: (n: number) => Promise<Response>,
  read: (response: Response) => Promise<T> = (response) => response.text() as Promise<T>,
) {
  const samples: Array<Sample<T>> = [];
  const inFlight = new Set<Promise<void>>();
  let sent = 0;
  const timer = setInterval(() => {
    const startedAt = Date.now();
    const started = performance.now();
    const done = request(sent++)
      .then(
        async (response) => ({ ok: response.ok, value: await read(response) }),
        () => ({ ok: false, value: undefined }),
      )
      .catch(() => ({ ok: false, value: undefined }))
      .then(({ ok, value }) => {
        samples.push({ startedAt, ms: performance.now() - started, ok, value });
        inFlight.delete(done);
      });
    inFlight.add(done);
  }, periodMs);
  return {
    samples,
    stop: async () => {
      clearInterval(timer);
      await Promise.all(inFlight);
    },
  };
}

export function table(rows: Array<Record<string, string | number>>): string {
  const keys = Object.keys(rows[0]);
  const widths = keys.map((k) => Math.max(k.length, ...rows.map((r) => String(r[k]).length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i])).join('  ');
  return [
    line(keys),
    line(widths.map((w) => '-'.repeat(w))),
    ...rows.map((r) => line(keys.map((k) => String(r[k])))),
  ].join('\n');
}

/** Drops a bench database (its name must contain "bench"); for benchmarks that leave GBs behind. */
export async function dropBenchDatabase(url: string): Promise<void> {
  await onPostgresDatabase(url, 'drop', (client, name) =>
    client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`),
  );
}

/**
 * Runs `work` on the server's `postgres` database with the name of the bench database `url`
 * points to, which must contain "bench" (so no bench can wipe or drop a real one).
 */
async function onPostgresDatabase<T>(
  url: string,
  verb: 'wipe' | 'drop',
  work: (client: pg.Client, name: string) => Promise<T>,
): Promise<T> {
  const name = new URL(url).pathname.slice(1);
  if (!name.includes('bench'))
    throw new Error(`Refusing to ${verb} database "${name}": its name must contain "bench"`);
  const admin = new URL(url);
  admin.pathname = '/postgres';
  const client = new pg.Client({ connectionString: admin.toString() });
  await client.connect();
  try {
    return await work(client, name);
  } finally {
    await client.end();
  }
}

/**
 * The Vigil services' backends on database `name`, once those of a service stopped a moment ago
 * have had STALE_SERVICE_GRACE_MS to exit.
 */
async function lingeringServices(
  client: pg.Client,
  name: string,
): Promise<Array<{ pid: number; application_name: string }>> {
  const deadline = Date.now() + STALE_SERVICE_GRACE_MS;
  for (;;) {
    const { rows } = await client.query<{ pid: number; application_name: string }>(
      `SELECT pid, application_name FROM pg_stat_activity
       WHERE datname = $1 AND application_name LIKE 'vigil%' ORDER BY pid`,
      [name],
    );
    if (!rows.length || Date.now() > deadline) return rows;
    await sleep(100);
  }
}
