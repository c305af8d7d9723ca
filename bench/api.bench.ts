// The alerts API under load, each route beside a raw baseline in the same run:
//   list    GET /api/alerts?severity=high&limit=50 over 100,000 alerts (--alerts), against bare Fastify + pg
//           running the very statements the service's alert store issues for that request (the
//           page joined to its assignees, then the total: from the store's rollup for this filter);
//   create  POST /api/events with a high-severity event (so each also raises an alert), against
//           bare Fastify + pg doing the event and alert inserts in one transaction.
// The service is the built one (dist/src/main.js, NODE_ENV=production) and the baseline its own
// process, both with the service's default pool of 10; autocannon drives both from this process
// (50 connections for the list, 10 for creates), in alternating rounds after a warm-up, as the
// machine is shared and noisy. Each side's CPU time per request is reported beside its
// throughput: unlike req/s it hardly moves when other work shares the machine.
import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { ALERT_PAGING, type AlertFilter } from '../src/alerts/alert-sql.js';
import { AlertStore } from '../src/alerts/alert.store.js';
import { Database } from '../src/database/database.js';
import { pageRequest } from '../src/common/pagination/page-request.js';
import type { SqlQuery } from '../src/common/pagination/sql-conditions.js';
import { PasswordHasher } from '../src/users/password-hasher.js';
import { ApiClient } from '../test/support/api-client.js';
import {
  freePort,
  serviceEnvironment,
  spawnService,
  waitForExit,
} from '../test/support/service-process.js';
import { baselineEnvironment } from './api-baseline-server.js';
import { loadAlerts } from './bulk-alerts.js';
import {
  BENCH_DATABASE_URL,
  dropBenchDatabase,
  freshBenchDatabase,
  load,
  type LoadResult,
  median,
  metOrMissed,
  table,
  verdict,
} from './support.js';

export interface ApiBenchOptions {
  alerts: number;
  rounds: number;
  /** Write a V8 CPU profile of the service into this directory. */
  profileDir?: string;
}

const SECONDS = 10;
const WARM_UP_SECONDS = 3;
const CONNECTIONS = 50;
// Creates are bounded by the pool (10 transactions in flight) and PostgreSQL's commits: more
// connections only queue in front of the pool in both processes, leaving throughput alone and
// turning p99 into a measure of that queue (c=10: ~700-1000 req/s, p99 33-60 ms; c=50: the
// same req/s, p99 135-143 ms, for the baseline here).
const EVENT_CONNECTIONS = 10;
/** The service's default DB_POOL_SIZE; the baseline's pool is the same size. */
const POOL_SIZE = 10;

const LIST_PATH = '/api/alerts?severity=high&limit=50';
/** Issue 14's absolute list target: 5 x the FastAPI+SQLAlchemy peer (241 req/s), at 100k alerts. */
const ABSOLUTE_AT = 100_000;
const ABSOLUTE_TARGET = 1_200;
const LIST_FILTER: AlertFilter = { severities: ['high'] };
const LIST_LIMIT = 50;

export const ADMIN = { username: 'bench', password: 'bench-password-0123456789' };
const ANALYSTS = 5;

// A unique id per request ([<id>]) in the description, so no two events are the same.
export const EVENT_BODY = JSON.stringify({
  source: 'edr',
  event_type: 'c2_beacon',
  severity: 'high',
  description: 'Beaconing to known C2 infrastructure from a workstation, sample [<id>]',
  src_ip: '10.1.7.23',
  dst_ip: '185.220.101.34',
  attributes: {
    process: 'powershell.exe',
    pid: 4312,
    parent: 'winword.exe',
    command_line: 'powershell -nop -w hidden -enc SQBFAFgAIAAoAE4AZQB3AC0ATwBiAGoAZQBjAHQAIA',
    bytes_out: 18231,
    rule_id: 'C2-1042',
    tags: ['beacon', 'c2', 'powershell'],
  },
});

/** The operator's migration command, built beside this file (dist/bench → dist/src). */
export const MIGRATE_CLI = resolve(import.meta.dirname, '../src/cli/main.js');

function apiBenchDatabaseUrl(): string {
  const url = new URL(BENCH_DATABASE_URL);
  url.pathname = `${url.pathname}_api`;
  return url.toString();
}

/** The bench admin (hashed as the service hashes) and the analysts worked alerts go to. */
export async function createUsers(url: string): Promise<{ adminId: string; analystIds: string[] }> {
  const hash = await new PasswordHasher().hash(ADMIN.password);
  const db = new pg.Client({ connectionString: url });
  await db.connect();
  try {
    const { rows } = await db.query<{ id: string; username: string }>(
      `INSERT INTO users (username, password_hash, groups)
       SELECT name, $1, CASE WHEN name = $2 THEN ARRAY['admin'] ELSE ARRAY['analyst'] END
       FROM unnest($3::text[]) AS name RETURNING id, username`,
      [
        hash,
        ADMIN.username,
        [ADMIN.username, ...Array.from({ length: ANALYSTS }, (_, i) => `analyst${i + 1}`)],
      ],
    );
    return {
      adminId: rows.find((r) => r.username === ADMIN.username)!.id,
      analystIds: rows.filter((r) => r.username !== ADMIN.username).map((r) => r.id),
    };
  } finally {
    await db.end();
  }
}

/**
 * The statements the service's alert store issues for the list request, recorded by running its
 * list() once over a pool: the baseline replays exactly these, so it cannot drift from them.
 */
async function recordListStatements(url: string): Promise<SqlQuery[]> {
  const pool = new pg.Pool({ connectionString: url, max: 1 });
  const issued: SqlQuery[] = [];
  // The store's pool, recording what goes through it.
  const recorder = {
    query: async (sql: string, params: unknown[]) => {
      issued.push({ sql, params });
      return pool.query(sql, params);
    },
  };

  try {
    await new AlertStore(new Database(recorder as unknown as pg.Pool)).list(
      LIST_FILTER,
      pageRequest({ limit: LIST_LIMIT }, ALERT_PAGING),
    );
  } finally {
    await pool.end();
  }
  return issued;
}

interface Side {
  name: string;
  url: string;
  headers: Record<string, string>;
  /** The server process, whose CPU time per request is reported. */
  pid: number;
}

/** Warm-up, then `rounds` alternating rounds (baseline first in each). */
async function alternate(
  sides: Side[],
  rounds: number,
  request: { path: string; method?: 'GET' | 'POST'; body?: string; connections: number },
): Promise<LoadResult[][]> {
  const options = (side: Side, seconds: number) => ({
    connections: request.connections,
    seconds,
    headers: side.headers,
    method: request.method,
    body: request.body,
    idReplacement: request.body !== undefined,
    pid: side.pid,
  });
  for (const side of sides)
    await load('warm-up', side.url + request.path, options(side, WARM_UP_SECONDS));
  const results: LoadResult[][] = sides.map(() => []);
  for (let round = 0; round < rounds; round++) {
    for (const [i, side] of sides.entries()) {
      results[i].push(await load(side.name, side.url + request.path, options(side, SECONDS)));
    }
  }
  return results;
}

function summarise(runs: LoadResult[]) {
  return {
    side: runs[0].name,
    'req/s median': Math.round(median(runs.map((r) => r.rps))),
    'req/s rounds': runs.map((r) => Math.round(r.rps)).join(' '),
    'p50 ms': median(runs.map((r) => r.p50)),
    'p99 ms median': median(runs.map((r) => r.p99)),
    'p99 ms rounds': runs.map((r) => r.p99).join(' '),
    'CPU ms/req': median(runs.map((r) => r.cpuMsPerRequest)).toFixed(2),
    'non-2xx': runs.reduce((n, r) => n + r.non2xx, 0),
    errors: runs.reduce((n, r) => n + r.errors, 0),
  };
}

function print(text: string): void {
  process.stdout.write(`${text}\n`);
}

export async function benchApi(options: ApiBenchOptions): Promise<void> {
  const url = await freshBenchDatabase(apiBenchDatabaseUrl());
  const cleanup: Array<() => Promise<unknown>> = [() => dropBenchDatabase(url)];
  try {
    // Migrations as an operator applies them (npm run migration:run).
    await promisify(execFile)(process.execPath, [MIGRATE_CLI, 'migrate'], {
      env: { PATH: process.env.PATH, DATABASE_URL: url },
    });
    const { adminId, analystIds } = await createUsers(url);
    const loaded = await loadAlerts(url, options.alerts, analystIds);
    print(
      `\napi: loaded ${loaded.count.toLocaleString('en')} alerts in ${(loaded.ms.total / 1000).toFixed(1)} s ` +
        `(insert ${(loaded.ms.insert / 1000).toFixed(1)} s, indexes ${(loaded.ms.indexes / 1000).toFixed(1)} s, ` +
        `vacuum+analyze ${(loaded.ms.vacuum / 1000).toFixed(1)} s); ${loaded.tableMb} MB with indexes, ` +
        `enrichment ~${loaded.enrichmentBytes} B; by severity ${JSON.stringify(loaded.bySeverity)}`,
    );

    const port = await freePort();
    const service = await spawnService(
      'dist/src/main.js',
      serviceEnvironment(port, url, {
        NODE_ENV: 'production',
        RUN_MIGRATIONS: 'false',
        DB_POOL_SIZE: String(POOL_SIZE),
        THROTTLE_LIMIT: String(1e9),
        LOG_LEVEL: 'warn',
      }),
      port,
      60_000,
      options.profileDir ? ['--cpu-prof', `--cpu-prof-dir=${options.profileDir}`] : [],
    );
    cleanup.unshift(async () => {
      const exited = waitForExit(service.child);
      service.child.kill('SIGTERM');
      await exited; // a CPU profile is written on the way out
    });

    const statements = await recordListStatements(url);
    const basePort = await freePort();
    const baseline = await spawnService(
      'dist/bench/api-baseline-server.js',
      {
        PATH: process.env.PATH,
        PORT: String(basePort),
        ...baselineEnvironment({
          databaseUrl: url,
          port: basePort,
          poolSize: POOL_SIZE,
          listStatements: statements,
          listLimit: LIST_LIMIT,
          createdBy: adminId,
        }),
      },
      basePort,
    );
    cleanup.unshift(async () => {
      const exited = waitForExit(baseline.child);
      baseline.child.kill('SIGTERM');
      await exited;
    });

    const serviceUrl = `http://127.0.0.1:${port}`;
    const baselineUrl = `http://127.0.0.1:${basePort}`;
    const servicePid = service.child.pid!;
    const baselinePid = baseline.child.pid!;
    const login = await new ApiClient(serviceUrl).post('/api/auth/token', { body: ADMIN });
    if (login.status !== 200)
      throw new Error(`login: ${login.status} ${JSON.stringify(login.body)}`);
    const auth = { authorization: `Bearer ${login.body.access_token}` };

    // Both sides must return the same page and total before their speed means anything.
    const [fromService, fromBaseline] = await Promise.all([
      new ApiClient(serviceUrl).get(LIST_PATH, { headers: auth }),
      new ApiClient(baselineUrl).get(LIST_PATH),
    ]);
    const ids = (body: any) => (body.alerts as Array<{ id: string }>).map((a) => a.id).join();
    if (
      fromService.status !== 200 ||
      ids(fromService.body) !== ids(fromBaseline.body) ||
      fromService.body.total !== fromBaseline.body.total
    ) {
      throw new Error(
        `service and baseline disagree on ${LIST_PATH}: ${fromService.status}, ` +
          `total ${fromService.body.total} vs ${fromBaseline.body.total}`,
      );
    }

    const list = await alternate(
      [
        {
          name: 'baseline: Fastify + pg, same SQL',
          url: baselineUrl,
          headers: {},
          pid: baselinePid,
        },
        { name: 'service', url: serviceUrl, headers: auth, pid: servicePid },
      ],
      options.rounds,
      { path: LIST_PATH, connections: CONNECTIONS },
    );
    const [listBase, listService] = list.map(summarise);
    print(
      `\nGET ${LIST_PATH} over ${options.alerts.toLocaleString('en')} alerts: ${options.rounds} alternating ` +
        `rounds of ${SECONDS} s after a ${WARM_UP_SECONDS} s warm-up, ${CONNECTIONS} connections, pool ${POOL_SIZE}, ` +
        `${statements.length} statements a request`,
    );
    print(table([listBase, listService]));
    const listRps = listService['req/s median'] / listBase['req/s median'];
    const listP99 = listService['p99 ms median'] / listBase['p99 ms median'];
    print(`service/baseline req/s = ${verdict(listRps, '>= 0.9', listRps >= 0.9)}`);
    print(`service/baseline p99   = ${verdict(listP99, '<= 1.5', listP99 <= 1.5)}`);
    print(cpuLine(listBase, listService));
    // Issue 14: >= 5 x the FastAPI+SQLAlchemy peer's 241 req/s on this work, at 100k alerts.
    const absolute = listService['req/s median'];
    print(
      options.alerts === ABSOLUTE_AT
        ? `service list req/s at ${ABSOLUTE_AT.toLocaleString('en')} alerts = ${absolute} ` +
            `(target >= ${ABSOLUTE_TARGET}: ${metOrMissed(absolute >= ABSOLUTE_TARGET)})`
        : `absolute list target (>= ${ABSOLUTE_TARGET} req/s) is set at ${ABSOLUTE_AT.toLocaleString('en')} ` +
            `alerts: run with --alerts ${ABSOLUTE_AT} to check it`,
    );

    await benchCreateEvent(
      { url: serviceUrl, pid: servicePid },
      { url: baselineUrl, pid: baselinePid },
      auth,
      options.rounds,
    );
  } finally {
    for (const step of cleanup) await step();
  }
}

async function benchCreateEvent(
  service: { url: string; pid: number },
  baseline: { url: string; pid: number },
  auth: Record<string, string>,
  rounds: number,
): Promise<void> {
  const headers = { ...auth, 'content-type': 'application/json' };
  const body = EVENT_BODY.replace('[<id>]', 'probe');
  const probe = await new ApiClient(service.url).post('/api/events', {
    body: JSON.parse(body),
    headers,
  });
  const sides: Side[] = [{ name: 'baseline: Fastify + pg, one transaction', ...baseline, headers }];
  let skipped: string | undefined;
  if (probe.status === 201) {
    sides.push({ name: 'service', ...service, headers });
  } else {
    skipped =
      probe.status === 404
        ? 'service half SKIPPED: POST /api/events answers 404 (the events endpoint is not in this build)'
        : `service half SKIPPED: POST /api/events answered ${probe.status}, not 201: ${JSON.stringify(probe.body)}`;
  }
  const results = await alternate(sides, rounds, {
    path: '/api/events',
    method: 'POST',
    body: EVENT_BODY,
    connections: EVENT_CONNECTIONS,
  });
  const rows = results.map(summarise);
  print(
    `\nPOST /api/events (high: event + alert): ${rounds} alternating rounds of ${SECONDS} s after a ` +
      `${WARM_UP_SECONDS} s warm-up, ${EVENT_CONNECTIONS} connections (the pool size), pool ${POOL_SIZE}`,
  );
  print(table(rows));
  if (skipped) {
    print(skipped);
    return;
  }
  const ratio = rows[1]['req/s median'] / rows[0]['req/s median'];
  print(`service/baseline req/s = ${verdict(ratio, '>= 0.8', ratio >= 0.8)}`);
  print(cpuLine(rows[0], rows[1]));
}

/** Throughput moves with whatever else runs on the machine; CPU time per request far less. */
function cpuLine(baseline: { 'CPU ms/req': string }, service: { 'CPU ms/req': string }): string {
  const ratio = Number(service['CPU ms/req']) / Number(baseline['CPU ms/req']);
  return `service/baseline Node CPU per request = ${ratio.toFixed(2)} (${service['CPU ms/req']} vs ${baseline['CPU ms/req']} ms)`;
}
