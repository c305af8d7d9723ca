// The ingester against an upstream that misbehaves (test/support/hostile-upstream.ts, not the
// mock): one spec per row of the README's table "What Vigil does when the upstream misbehaves".
// Each checks that the service stays up, that exactly the right alerts are stored or quarantined
// (stored + quarantined = N), and that a failed run says why.
import fc from 'fast-check';
import { readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  alertText,
  HostileUpstream,
  page,
  since,
  startHostileUpstream,
} from './support/hostile-upstream.js';
import { finishedRun, quarantineCount, Run, syncNow, waitUntil } from './support/sync.js';
import { startTestApp, TestApp, TestUser } from './support/test-app.js';

const HOUR = 3_600_000;
const TIMEOUT_MS = 1500;
const MAX_PAGES = 40;
const MAX_RUN_SECONDS = 10;
const PAGE_SIZE = 100;

async function storedIds(t: TestApp): Promise<string[]> {
  const { rows } = await t.db.query<{ external_id: string }>(
    'SELECT external_id FROM alerts ORDER BY external_id',
  );
  return rows.map((r) => r.external_id);
}

async function bookmark(t: TestApp): Promise<Date | null> {
  const { rows } = await t.db.query<{ bookmark: Date | null }>(
    'SELECT bookmark FROM sync_state WHERE id = 1',
  );
  return rows[0].bookmark;
}

/** A counter's value in the service's /metrics (0 when the series has no sample yet). */
async function counter(t: TestApp, name: string): Promise<number> {
  const text = (await t.api.get('/metrics')).body as string;
  const line = text.split('\n').find((l) => l.startsWith(`${name} `));
  return line ? Number(line.split(' ')[1]) : 0;
}

function peakRssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmHWM:\s+(\d+) kB/.exec(status)![1]) / 1024;
}

/** Arrays nested `levels` deep, as JSON text (JSON.stringify would recurse that deep). */
function nestedText(levels: number): string {
  return `${'['.repeat(levels)}${']'.repeat(levels)}`;
}

describe('A hostile upstream (e2e)', () => {
  let up: HostileUpstream;
  let t: TestApp;
  let admin: TestUser;

  beforeAll(async () => {
    up = await startHostileUpstream();
    t = await startTestApp({
      UPSTREAM_URL: up.url,
      SYNC_PAGE_SIZE: String(PAGE_SIZE),
      DEFAULT_LOOKBACK_HOURS: '48',
      UPSTREAM_TIMEOUT_MS: String(TIMEOUT_MS),
      UPSTREAM_RETRIES: '1',
      SYNC_MAX_PAGES: String(MAX_PAGES),
      SYNC_MAX_RUN_SECONDS: String(MAX_RUN_SECONDS),
    });
  });
  beforeEach(async () => {
    await t.reset();
    admin = await t.user('admin', ['admin']);
    up.requests.length = 0;
  });
  afterAll(async () => {
    await t.close();
    await up.close();
  });

  /** After each spec: the process is alive and ready. */
  afterEach(async () => {
    expect((await t.api.get('/health/live')).status).toBe(200);
  });

  describe('poison records', () => {
    it('quarantines each record that cannot be stored, with its reason and a bounded rendering, and commits the rest of the page', async () => {
      const at = new Date(Date.now() - 60_000);
      const good = ['ok-1', 'ok-2', 'ok-3'].map((id) => alertText(id, at));
      const deep = `{"id":"deep-1","source":"fw","severity":"high","description":"d","created_at":"${at.toISOString()}","extra":${nestedText(10_000)}}`;
      const hostile: Array<[string, RegExp]> = [
        ['null', /record is not a JSON object/],
        [
          alertText('nul-1', at, { description: 'before\u0000after' }),
          /description contains a NUL/,
        ],
        [alertText('surrogate-1', at, { source: 'fire\ud800wall' }), /source contains an unpaired/],
        [deep, /record nests deeper than 64 levels/],
        [alertText('x'.repeat(300), at), /id is longer than 256 characters/],
        [alertText('long-1', at, { description: 'y'.repeat(6000) }), /longer than 5000/],
        [alertText('obj-id', at, { id: { nested: 1 } }), /id must be a string or an integer/],
        [alertText('feb-30', at, { created_at: '2026-02-30T10:00:00Z' }), /not a valid date/],
        [alertText('zone-1', at, { src_ip: 'fe80::1%eth0' }), /src_ip is not a valid/],
      ];
      const records = [good[0], ...hostile.map(([text]) => text), good[1], good[2]];
      up.serve(() => page(records));

      const run = await syncNow(t, admin);

      expect(run).toMatchObject({ result: 'success', error: null, fetched: records.length });
      expect(run.inserted).toBe(good.length);
      expect(run.quarantined).toBe(hostile.length);
      expect(run.inserted + run.quarantined).toBe(records.length);
      expect(await storedIds(t)).toEqual(['ok-1', 'ok-2', 'ok-3']);
      expect((await bookmark(t))?.getTime()).toBe(at.getTime());

      const listed = await t.api.get('/api/sync/quarantine?limit=50', { token: admin.token });
      expect(listed.status).toBe(200);
      expect(listed.body.total).toBe(hostile.length);
      type Listed = { raw: string; reason: string; size_bytes: number; truncated: boolean };
      const byReason = (pattern: RegExp) =>
        (listed.body.records as Listed[]).filter((r) => pattern.test(r.reason));
      for (const [text, reason] of hostile) {
        const [record] = byReason(reason);
        expect(record).toBeDefined();
        expect(record.size_bytes).toBe(Buffer.byteLength(text));
        expect(record.raw.length).toBeLessThanOrEqual(16_384);
      }
      const [deepOne] = byReason(/nests deeper/);
      expect(deepOne).toMatchObject({ truncated: true, payload: null });
      expect(deepOne.raw).toBe(deep.slice(0, 16_384));
      const [nul] = byReason(/NUL/);
      expect(nul).toMatchObject({ truncated: false });
      expect((nul as unknown as { payload: { description: string } }).payload.description).toBe(
        'before\u0000after',
      );

      const again = await syncNow(t, admin);
      expect(again).toMatchObject({ result: 'success', inserted: 0, quarantined: 0 });
      expect(again.duplicates).toBe(good.length);
      expect(await quarantineCount(t)).toBe(hostile.length);
    });

    it('quarantines an impossible calendar date instead of storing the day after', async () => {
      const dates = {
        'feb-30': '2026-02-30T10:00:00Z',
        'feb-29-common-year': '2026-02-29T10:00:00Z',
        'apr-31': '2026-04-31T00:00:00Z',
        'month-13': '2026-13-01T00:00:00Z',
        'feb-29-leap-year': '2024-02-29T10:00:00Z',
      };
      up.serve(() =>
        page(
          Object.entries(dates).map(([id, created_at]) =>
            alertText(id, new Date(0), { created_at }),
          ),
        ),
      );

      const run = await syncNow(t, admin);

      expect(run).toMatchObject({ result: 'success', inserted: 1, quarantined: 4 });
      const { rows } = await t.db.query<{ external_id: string; created_at: Date }>(
        'SELECT external_id, created_at FROM alerts',
      );
      expect(rows).toEqual([
        { external_id: 'feb-29-leap-year', created_at: new Date('2024-02-29T10:00:00Z') },
      ]);
      const { rows: reasons } = await t.db.query<{ reason: string }>(
        'SELECT reason FROM quarantine',
      );
      expect(reasons.map((r) => r.reason)).toEqual(Array(4).fill('created_at is not a valid date'));
    });

    it('property: any page mixing valid and hostile records stores each valid one and quarantines each hostile one, and a second sync changes nothing', async () => {
      let round = 0;
      await fc.assert(
        fc.asyncProperty(
          fc.array(fc.oneof(validRecord(), hostileRecord()), { minLength: 1, maxLength: 260 }),
          fc.integer({ min: 1, max: 160 }),
          async (drafts, perPage) => {
            round++;
            await t.reset();
            admin = await t.user('admin', ['admin']);
            const now = Date.now();
            let nullUsed = false;
            const records = drafts.map((draft, i) => {
              if (draft.kind === 'valid') return draft.text(`ok-${round}-${i}`, now);
              if (draft.kind === 'null') {
                if (nullUsed) return `[null,${i}]`; // a second null would be the same record
                nullUsed = true;
                return 'null';
              }
              return draft.text(`bad-${round}-${i}`, now);
            });
            const valid = drafts.flatMap((d, i) =>
              d.kind === 'valid' ? [`ok-${round}-${i}`] : [],
            );
            const pages: string[][] = [];
            for (let i = 0; i < records.length; i += perPage)
              pages.push(records.slice(i, i + perPage));
            up.serve((request) => {
              const index = request.cursor === null ? 0 : Number(request.cursor);
              return page(pages[index], index + 1 < pages.length ? String(index + 1) : null);
            });

            const run = await syncNow(t, admin);
            expect(run).toMatchObject({ result: 'success', error: null, fetched: records.length });
            expect(run.inserted + run.quarantined).toBe(records.length);
            expect(run.inserted).toBe(valid.length);
            expect(await storedIds(t)).toEqual([...valid].sort());
            const mark = await bookmark(t);
            if (mark) expect(mark.getTime()).toBeLessThanOrEqual(Date.now() + 300_000);

            const again = await syncNow(t, admin);
            expect(again).toMatchObject({
              result: 'success',
              fetched: records.length,
              inserted: 0,
              quarantined: 0,
              duplicates: valid.length,
            });
            expect(await quarantineCount(t)).toBe(records.length - valid.length);
          },
        ),
        { numRuns: 12 },
      );
    });
  });

  describe('clock skew', () => {
    it('stores an alert dated 23 h ahead but keeps the bookmark within SYNC_MAX_FUTURE_SECONDS, so later alerts are still fetched', async () => {
      const now = Date.now();
      const records: Array<[Date, string]> = [
        [new Date(now + 23 * HOUR), alertText('from-the-future', new Date(now + 23 * HOUR))],
        [new Date(now - 60_000), alertText('on-time', new Date(now - 60_000))],
      ];
      up.serve((request) => page(since(request, records)));
      const futureBefore = await counter(t, 'vigil_future_dated_alerts_total');

      const first = await syncNow(t, admin);

      expect(first).toMatchObject({ result: 'success', inserted: 2, future_dated: 1 });
      expect((await bookmark(t))!.getTime()).toBeLessThanOrEqual(Date.now() + 300_000);
      expect(await counter(t, 'vigil_future_dated_alerts_total')).toBe(futureBefore + 1);

      const later = new Date();
      records.push([later, alertText('arrived-after', later)]);
      const second = await syncNow(t, admin);

      expect(second).toMatchObject({ result: 'success', inserted: 1, future_dated: 0 });
      expect(await storedIds(t)).toEqual(['arrived-after', 'from-the-future', 'on-time']);
    });
  });

  describe('late arrivals', () => {
    it('misses an alert that reaches the upstream 2 h after its created_at in ordinary syncs, and a reconciliation stores it as late', async () => {
      const now = Date.now();
      const records: Array<[Date, string]> = [
        [new Date(now - 60_000), alertText('on-time', new Date(now - 60_000))],
      ];
      up.serve((request) => page(since(request, records)));
      expect(await syncNow(t, admin)).toMatchObject({ result: 'success', inserted: 1 });

      const createdAt = new Date(now - 2 * HOUR);
      records.push([createdAt, alertText('late-agent', createdAt)]);
      const lateBefore = await counter(t, 'vigil_late_alerts_total');

      expect(await syncNow(t, admin)).toMatchObject({ result: 'success', inserted: 0 });
      expect(await storedIds(t)).toEqual(['on-time']);

      const reconcile = await syncNow(t, admin, 'reconcile');
      expect(reconcile).toMatchObject({
        mode: 'reconcile',
        result: 'success',
        inserted: 1,
        late: 1,
        duplicates: 1,
      });
      expect(await storedIds(t)).toEqual(['late-agent', 'on-time']);
      expect(await counter(t, 'vigil_late_alerts_total')).toBe(lateBefore + 1);
      // It asked from the reconciliation window (24 h), not from the bookmark.
      const asked = Date.parse(up.requests[up.requests.length - 1].since!);
      expect(asked).toBeLessThanOrEqual(now - 23 * HOUR);

      expect(await syncNow(t, admin, 'reconcile')).toMatchObject({ inserted: 0, late: 0 });
    });
  });

  describe('huge pages', () => {
    const ALERT = alertText('huge', new Date());

    /** A page of `bytes` bytes streamed in 1 MB pieces, with or without its Content-Length. */
    function hugePage(bytes: number, announce: boolean) {
      const head = '{"alerts":[';
      const tail = '],"next_cursor":null}';
      const piece = `${ALERT},`.repeat(Math.floor(1_000_000 / (ALERT.length + 1)));
      const pieces = Math.floor((bytes - head.length - tail.length) / piece.length);
      const total = head.length + pieces * piece.length + ALERT.length + tail.length;
      return {
        total,
        reply: {
          write: async (res: import('node:http').ServerResponse) => {
            res.writeHead(200, {
              'content-type': 'application/json',
              ...(announce && { 'content-length': String(total) }),
            });
            res.write(head);
            for (let i = 0; i < pieces && !res.destroyed; i++) {
              if (!res.write(piece))
                await new Promise((r) => {
                  res.once('drain', r);
                  res.once('close', r);
                });
            }
            if (!res.destroyed) res.end(`${ALERT}${tail}`);
          },
        },
      };
    }

    it('fails the run naming the size of a 60 MB page and the limit, stays under 512 MB, and syncs a normal page next', async () => {
      const announced = hugePage(60_000_000, true);
      up.serve(() => announced.reply);
      const failed = await syncNow(t, admin);
      expect(failed.result).toBe('failed');
      expect(failed.error).toContain(`a page of ${announced.total.toLocaleString('en')} bytes`);
      expect(failed.error).toContain('UPSTREAM_MAX_PAGE_BYTES (16,777,216)');

      up.serve(() => hugePage(60_000_000, false).reply);
      const unannounced = await syncNow(t, admin);
      expect(unannounced.result).toBe('failed');
      expect(unannounced.error).toContain('more than 16,777,216 bytes');

      // Under the byte limit but a heap bomb: 4 MB of empty objects would take ~190 MB parsed.
      up.serve(() => ({ text: `{"alerts":[${'{},'.repeat(1_400_000)}{}]}` }));
      const bomb = await syncNow(t, admin);
      expect(bomb.result).toBe('failed');
      expect(bomb.error).toMatch(/holding more than 1,000,000 JSON values/);

      expect(peakRssMb(t.pid)).toBeLessThan(512);
      expect(await storedIds(t)).toEqual([]);

      up.serve(() => page([alertText('normal', new Date(Date.now() - 1000))]));
      expect(await syncNow(t, admin)).toMatchObject({ result: 'success', inserted: 1 });
    });
  });

  describe('looping and endless upstreams', () => {
    it('ends a run whose cursors loop (A → B → A) as failed, naming the repeated cursor, with the pages before it stored', async () => {
      const at = new Date(Date.now() - 60_000);
      const next: Record<string, [string, string]> = {
        start: ['loop-1', 'A'],
        A: ['loop-2', 'B'],
        B: ['loop-3', 'A'],
      };
      up.serve((request) => {
        const [id, cursor] = next[request.cursor ?? 'start'];
        return page([alertText(id, at)], cursor);
      });

      const run = await syncNow(t, admin);

      expect(run.result).toBe('failed');
      expect(run.error).toMatch(/repeated the cursor "A" \(returned with pages 1 and 3\)/);
      expect(up.requests).toHaveLength(3);
      expect(run).toMatchObject({ pages: 3, inserted: 3 });
      expect(await storedIds(t)).toEqual(['loop-1', 'loop-2', 'loop-3']);
    });

    it('ends a run as failed when the upstream serves a full page that does not move forward', async () => {
      const at = new Date(Date.now() - 60_000);
      const same = Array.from({ length: PAGE_SIZE }, (_, i) => alertText(`same-${i}`, at));
      up.serve(() => ({ text: `[${same.join(',')}]` })); // no cursors: paged by since

      const run = await syncNow(t, admin);

      expect(run.result).toBe('failed');
      expect(run.error).toMatch(/cannot be paged past them|do not move forward/);
      expect(up.requests.length).toBeLessThanOrEqual(2);
      expect(run.inserted).toBe(PAGE_SIZE);
    });

    it('stops an endless run at SYNC_MAX_PAGES', async () => {
      const at = new Date(Date.now() - 60_000);
      up.serve((request) => {
        const n = Number(request.cursor ?? 0);
        return page([alertText(`endless-${n}`, at)], String(n + 1));
      });

      const run = await syncNow(t, admin);

      expect(run.result).toBe('failed');
      expect(run.error).toMatch(/stopped after 40 pages \(SYNC_MAX_PAGES\)/);
      expect(run).toMatchObject({ pages: MAX_PAGES, inserted: MAX_PAGES });
    });

    it('stops a slow endless run at SYNC_MAX_RUN_SECONDS, and /health shows it while it runs', async () => {
      const at = new Date(Date.now() - 60_000);
      up.serve(async (request) => {
        await new Promise((r) => setTimeout(r, 500));
        const n = Number(request.cursor ?? 0);
        return page([alertText(`slow-${n}`, at)], String(n + 1));
      });
      const started = await t.api.post('/api/sync', { token: admin.token });
      expect(started.status).toBe(202);

      const running = await waitUntil('/health to show the running sync', async () => {
        const health = await t.api.get('/health');
        const sync = health.body.running_sync as { pages: number } | null;
        return sync && sync.pages >= 2 ? sync : undefined;
      });
      expect(running).toMatchObject({
        run_id: started.body.run_id,
        mode: 'incremental',
        trigger: 'manual',
        started_at: expect.stringMatching(/Z$/),
        fetched: expect.any(Number),
      });

      const run = await finishedRun(t, admin, started.body.run_id);
      expect(run.result).toBe('failed');
      expect(run.error).toMatch(/stopped after 10 s \(SYNC_MAX_RUN_SECONDS\)/);
      expect(run.pages).toBeLessThan(MAX_PAGES);
      const seconds = (Date.parse(run.finished_at!) - Date.parse(run.started_at)) / 1000;
      expect(seconds).toBeGreaterThanOrEqual(MAX_RUN_SECONDS);
      expect(seconds).toBeLessThan(MAX_RUN_SECONDS + 3);
      expect(run.inserted).toBe(run.pages);
      expect((await t.api.get('/health')).body.running_sync).toBeNull();
    });
  });

  describe('slow bodies', () => {
    it('bounds an attempt by UPSTREAM_TIMEOUT_MS from the request to the last byte, however the body drips', async () => {
      const body = JSON.stringify({ alerts: [JSON.parse(alertText('drip', new Date()))] });
      up.serve(() => ({
        write: async (res) => {
          res.writeHead(200, { 'content-type': 'application/json' });
          for (const char of body) {
            if (res.destroyed) return;
            res.write(char);
            await new Promise((r) => setTimeout(r, 300));
          }
          res.end();
        },
      }));
      const began = Date.now();

      const run = await syncNow(t, admin);

      expect(run.result).toBe('failed');
      expect(run.error).toMatch(/no complete answer within UPSTREAM_TIMEOUT_MS \(1500 ms\)/);
      expect(up.requests).toHaveLength(2); // the attempt and its one retry
      expect(Date.now() - began).toBeLessThan(2 * TIMEOUT_MS + 4000);
      expect(await storedIds(t)).toEqual([]);
    });
  });

  describe('broken envelopes', () => {
    it.each<[string, string, RegExp]>([
      ['a body that is not JSON', 'alerts: none', /body that is not JSON/],
      ['JSON without an alert list', '{"items":[]}', /neither an alert list nor/],
      [
        'a cursor that is not a string',
        '{"alerts":[],"next_cursor":{"a":1}}',
        /non-string next_cursor/,
      ],
    ])('fails the page on %s, saying why', async (_, text, reason) => {
      up.serve(() => ({ text }));
      const run = await syncNow(t, admin);
      expect(run.result).toBe('failed');
      expect(run.error).toMatch(reason);
    });
  });
});

describe('Upstream credentials (e2e)', () => {
  const SECRET = 'S3cret-pa55word';
  let up: HostileUpstream;
  let dir: string;

  beforeAll(async () => {
    up = await startHostileUpstream();
    dir = await mkdtemp(join(tmpdir(), 'vigil-upstream-auth-'));
  });
  afterAll(async () => {
    await up.close();
    await rm(dir, { recursive: true, force: true });
  });
  beforeEach(() => {
    up.requests.length = 0;
  });

  /** Everything an unauthenticated or authenticated reader can see of the service. */
  async function visible(t: TestApp, admin: TestUser): Promise<string> {
    const parts = await Promise.all(
      ['/health', '/health/ready', '/metrics', '/api/sync/runs', '/api/config'].map(
        async (path) => {
          const res = await t.api.get(path, { token: admin.token });
          return typeof res.body === 'string' ? res.body : JSON.stringify(res.body);
        },
      ),
    );
    return [...parts, t.output()].join('\n');
  }

  it('sends UPSTREAM_URL userinfo as Basic auth and never shows it: not in /health, /metrics, logs or run errors', async () => {
    up.serve((request) =>
      request.headers.authorization === `Basic ${Buffer.from(`vigil:${SECRET}`).toString('base64')}`
        ? { text: 'upstream exploded', status: 500 }
        : { text: '{"error":"unauthorised"}', status: 401 },
    );
    const url = new URL(up.url);
    url.username = 'vigil';
    url.password = SECRET;
    const t = await startTestApp({
      UPSTREAM_URL: url.toString(),
      UPSTREAM_RETRIES: '0',
      LOG_LEVEL: 'debug',
    });
    try {
      await t.reset();
      const admin = await t.user('admin', ['admin']);
      const run = await syncNow(t, admin);
      expect(run.result).toBe('failed');
      expect(run.error).toMatch(/HTTP 500/); // the credentials were right: the upstream said so

      const health = await t.api.get('/health');
      expect(health.body.upstream_url).toBe(up.url);
      expect(health.body.upstream_auth).toBe('basic auth from UPSTREAM_URL');
      const seen = await visible(t, admin);
      expect(seen).not.toContain(SECRET);
      expect(seen).not.toContain(encodeURIComponent(SECRET));
      expect(seen).not.toContain(Buffer.from(`vigil:${SECRET}`).toString('base64'));
    } finally {
      await t.close();
    }
  });

  it('sends UPSTREAM_AUTH_HEADER with every request and never shows its value', async () => {
    up.serve(() => page([]));
    const t = await startTestApp({
      UPSTREAM_URL: up.url,
      UPSTREAM_AUTH_HEADER: `X-Api-Key: ${SECRET}`,
      LOG_LEVEL: 'debug',
    });
    try {
      await t.reset();
      const admin = await t.user('admin', ['admin']);
      expect((await syncNow(t, admin)).result).toBe('success');
      expect(up.requests.map((r) => r.headers['x-api-key'])).toEqual([SECRET]);
      expect((await t.api.get('/health')).body.upstream_auth).toBe(
        'header from UPSTREAM_AUTH_HEADER',
      );
      expect(await visible(t, admin)).not.toContain(SECRET);
    } finally {
      await t.close();
    }
  });

  it('reads UPSTREAM_AUTH_HEADER_FILE for every request, so a rotated Secret applies without a restart', async () => {
    const file = join(dir, 'upstream-auth');
    writeFileSync(file, 'Authorization: Bearer first-token\n');
    up.serve(() => page([]));
    const t = await startTestApp({ UPSTREAM_URL: up.url, UPSTREAM_AUTH_HEADER_FILE: file });
    try {
      await t.reset();
      const admin = await t.user('admin', ['admin']);
      expect((await syncNow(t, admin)).result).toBe('success');
      writeFileSync(file, 'Authorization: Bearer second-token\n');
      expect((await syncNow(t, admin)).result).toBe('success');
      expect(up.requests.map((r) => r.headers.authorization)).toEqual([
        'Bearer first-token',
        'Bearer second-token',
      ]);
      const seen = await visible(t, admin);
      expect(seen).not.toContain('first-token');
      expect(seen).not.toContain('second-token');

      writeFileSync(file, 'not a header');
      const failed: Run = await syncNow(t, admin);
      expect(failed.result).toBe('failed');
      expect(failed.error).toContain(
        `UPSTREAM_AUTH_HEADER_FILE ${file} does not hold one "Name: value" line`,
      );
    } finally {
      await t.close();
    }
  });
});

/** A record that must be stored: the standard shape, dated up to 30 h back or 1 h ahead. */
function validRecord() {
  return fc
    .record({
      severity: fc.constantFrom('low', 'medium', 'high', 'critical', 'HIGH', 'Critical'),
      description: fc
        .string({ unit: 'grapheme', minLength: 1, maxLength: 120 })
        .filter((s) => s.trim() !== '' && !s.includes('\u0000')),
      offsetSeconds: fc.integer({ min: -30 * 3600, max: 3600 }),
      srcIp: fc.option(fc.ipV4(), { nil: undefined }),
      dstIp: fc.option(fc.oneof(fc.ipV4(), fc.constantFrom('2001:db8::1', '::1')), {
        nil: undefined,
      }),
    })
    .map((r) => ({
      kind: 'valid' as const,
      text: (id: string, now: number) =>
        JSON.stringify({
          id,
          source: 'generated',
          severity: r.severity,
          description: r.description,
          created_at: new Date(now + r.offsetSeconds * 1000).toISOString(),
          src_ip: r.srcIp,
          dst_ip: r.dstIp,
        }),
    }));
}

/** A record that must be quarantined, unique through its id (or position) where it has one. */
function hostileRecord() {
  const base = (id: string, now: number) => ({
    id,
    source: 'generated',
    severity: 'high',
    description: 'hostile',
    created_at: new Date(now - 60_000).toISOString(),
  });
  const mutation = (change: (record: Record<string, unknown>) => void) =>
    fc.constant({
      kind: 'hostile' as const,
      text: (id: string, now: number) => {
        const record: Record<string, unknown> = base(id, now);
        change(record);
        return JSON.stringify(record);
      },
    });
  return fc.oneof(
    fc.constant({ kind: 'null' as const }),
    fc.constantFrom('string', 'array', 'number').map((shape) => ({
      kind: 'hostile' as const,
      text: (id: string) => {
        if (shape === 'string') return JSON.stringify(id);
        if (shape === 'array') return `[${JSON.stringify(id)}]`;
        const [, round, index] = id.split('-');
        return String(Number(round) * 1_000_000 + Number(index));
      },
    })),
    fc
      .integer({ min: 0xd800, max: 0xdfff })
      .chain((code) => mutation((r) => (r.description = `x${String.fromCharCode(code)}y`))),
    fc
      .constantFrom<keyof ReturnType<typeof base>>('id', 'source', 'description')
      .chain((field) => mutation((r) => (r[field] = `${String(r[field])}\u0000`))),
    fc.integer({ min: 65, max: 3000 }).map((levels) => ({
      kind: 'hostile' as const,
      text: (id: string, now: number) =>
        JSON.stringify(base(id, now)).replace(/}$/, `,"extra":${nestedText(levels)}}`),
    })),
    fc
      .integer({ min: 5001, max: 8000 })
      .chain((n) => mutation((r) => (r.description = 'd'.repeat(n)))),
    fc
      .constantFrom(
        '2026-02-30T10:00:00Z',
        '2026-13-01T00:00:00Z',
        '2025-02-29T00:00:00Z',
        '2026-01-01T24:00:01Z',
        'yesterday',
        '0000-01-01T00:00:00Z',
      )
      .chain((date) => mutation((r) => (r.created_at = date))),
    fc
      .constantFrom<unknown>(1.5, true, ['a'], { nested: 1 })
      .chain((id) => mutation((r) => (r.id = [r.id, id]))),
    mutation((r) => (r.severity = 'urgent')),
    mutation((r) => delete r.source),
    fc
      .constantFrom('999.1.1.1', 'fe80::1%eth0', 'localhost')
      .chain((ip) => mutation((r) => (r.src_ip = ip))),
  );
}
