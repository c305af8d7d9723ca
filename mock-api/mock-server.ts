// The upstream simulator's HTTP surface on plain node:http (contract section 1). Everything is
// computed per request from (seed, index, clock): GET /alerts binary-searches the timeline for
// `since`, renders at most `limit` alerts in chunks that yield to the event loop, skips late
// arrivals that are not visible yet, and applies the chaos settings (latency, 429, 500) on the
// way.
import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { alertAt, type UpstreamAlert } from './alert-generator.js';
import { AlertTimeline } from './alert-timeline.js';
import { encodeCursor, parseAlertsQuery } from './alerts-query.js';
import { ChaosConfig, DEFAULT_CHAOS, validateChaosPatch } from './chaos-config.js';
import { isLate, lateWindow, type LateSettings } from './late-arrivals.js';
import { hash32, mulberry32 } from './prng.js';
import { loadTorExits, TorExits } from './tor-exits.js';

export interface MockServerOptions {
  /** Integer 0..2^32-1; the same seed serves the same alerts. Default 1. */
  seed?: number;
  /** Alerts pre-dated evenly over the 24 h before startedAt. Default 0. */
  backlog?: number;
  /** Live arrivals per minute from startedAt on; 0 turns them off. Default 60. */
  ratePerMinute?: number;
  /** Initial failure_rate (MOCK_FAILURE_RATE). Default 0.2. */
  failureRate?: number;
  /** Initial values of the other chaos settings (they start at 0). */
  chaos?: Partial<ChaosConfig>;
  /** Epoch ms the timeline is anchored to. Default: now. */
  startedAt?: number;
  /** The clock deciding which live arrivals exist. Default Date.now. */
  now?: () => number;
  /** Tor exit addresses for dst_ip. Default: the service's snapshot, else the embedded list. */
  torExits?: readonly string[];
  /** Chaos dice, [0, 1). Default: a generator seeded from `seed`, so runs are repeatable. */
  random?: () => number;
  /** Called with errors that escaped a handler (the client got a 500). */
  onError?: (error: unknown) => void;
}

export type TorExitsOrigin = TorExits['origin'] | 'options';

export interface MockServer {
  readonly server: Server;
  readonly seed: number;
  readonly timeline: AlertTimeline;
  readonly torExits: readonly string[];
  /** Where torExits came from: the service's snapshot file, the embedded list, or the options. */
  readonly torExitsOrigin: TorExitsOrigin;
  /** The current chaos settings (a copy). */
  config(): ChaosConfig;
  /** Listens on `port` (0: any free one) and `host`; resolves with where. */
  listen(port?: number, host?: string): Promise<{ port: number; url: string }>;
  /** Stops listening, drops open connections and pending delayed responses. */
  close(): Promise<void>;
}

/** Alerts rendered between two yields to the event loop. */
const RENDER_CHUNK = 250;
/**
 * Indices one page may scan. Only hidden late arrivals make a scan longer than `limit`; this
 * bounds a page at late_rate near 1 (the page comes back short, with a cursor past the scan).
 */
const MAX_SCAN = 100_000;
/** Late decisions counted for /stats between two yields to the event loop. */
const COUNT_CHUNK = 50_000;
const MAX_BODY_BYTES = 64 * 1024;
const RETRY_AFTER_SECONDS = '1';
const CHAOS_SALT = 0x63686173;
// Bound once: called per chunk of alerts served (see prng.ts).
const { stringify } = JSON;

type Handler = (req: IncomingMessage, res: ServerResponse, url: URL) => Promise<void> | void;

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

function send(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    'cache-control': 'no-store',
    ...headers,
  });
  res.end(text);
}

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

function readJsonBody(req: IncomingMessage): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        // Discard the rest; the 413 goes out with `connection: close`.
        req.removeAllListeners('data');
        req.resume();
        reject(new HttpError(413, `body larger than ${MAX_BODY_BYTES} bytes`));
        return;
      }
      chunks.push(chunk);
    });
    req.on('error', reject);
    req.on('end', () => {
      try {
        resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')));
      } catch {
        reject(new HttpError(400, 'body must be a JSON object'));
      }
    });
  });
}

function check(condition: boolean, message: string): void {
  if (!condition) throw new RangeError(message);
}

export function createMockServer(options: MockServerOptions = {}): MockServer {
  const seed = options.seed ?? 1;
  check(Number.isInteger(seed) && seed >= 0 && seed <= 0xffff_ffff, 'seed must be 0..2^32-1');
  const timeline = new AlertTimeline({
    startedAt: options.startedAt ?? Date.now(),
    backlog: options.backlog ?? 0,
    ratePerMinute: options.ratePerMinute ?? 60,
  });
  const initial = validateChaosPatch({
    ...options.chaos,
    failure_rate: options.failureRate ?? options.chaos?.failure_rate ?? DEFAULT_CHAOS.failure_rate,
  });
  if (!initial.ok) {
    throw new RangeError(initial.errors.map((e) => `${e.field} ${e.message}`).join('; '));
  }
  let chaos: ChaosConfig = { ...DEFAULT_CHAOS, ...initial.patch };
  const now = options.now ?? Date.now;
  const random = options.random ?? mulberry32(hash32(seed, CHAOS_SALT));
  const loaded: TorExits | undefined = options.torExits ? undefined : loadTorExits();
  const torExits = options.torExits ?? loaded!.addresses;
  const torExitsOrigin: TorExitsOrigin = loaded?.origin ?? 'options';
  const pendingDelays = new Set<() => void>();

  /** Waits `ms` without blocking; false when the client went away (or the server closed) first. */
  function delay(ms: number, res: ServerResponse): Promise<boolean> {
    return new Promise((resolve) => {
      const finish = (served: boolean) => {
        clearTimeout(timer);
        res.off('close', cancel);
        pendingDelays.delete(cancel);
        resolve(served);
      };
      const cancel = () => finish(false);
      const timer = setTimeout(() => finish(true), ms);
      res.once('close', cancel);
      pendingDelays.add(cancel);
    });
  }

  /**
   * Up to `limit` visible alerts from index `from` on, scanning no further than `to`, as a JSON
   * array body and the index after the last one scanned. Indices below `hiddenFrom` are visible
   * without asking; from there on a late alert is skipped. Yields to the event loop between
   * chunks. Each chunk is serialised by one JSON.stringify call (a quarter cheaper than one call
   * per alert), its brackets cut off, and the chunks joined: the same bytes as stringifying the
   * whole array.
   */
  async function renderAlerts(
    from: number,
    to: number,
    limit: number,
    hiddenFrom: number,
    settings: ChaosConfig,
    res: ServerResponse,
  ): Promise<{ body: string; next: number } | null> {
    const { malformed_rate: malformedRate, late_rate: lateRate } = settings;
    const parts: string[] = [];
    let chunk: UpstreamAlert[] = [];
    let served = 0;
    let index = from;
    for (; index < to && served < limit; index++) {
      if (index >= hiddenFrom && isLate(seed, index, lateRate)) continue;
      chunk.push(alertAt(seed, index, timeline.createdAt(index), { torExits, malformedRate }));
      served++;
      if (chunk.length === RENDER_CHUNK && served < limit && index + 1 < to) {
        parts.push(stringify(chunk).slice(1, -1));
        chunk = [];
        await nextTurn();
        if (res.destroyed) return null;
      }
    }
    if (chunk.length > 0) parts.push(stringify(chunk).slice(1, -1));
    return { body: `[${parts.join(',')}]`, next: index };
  }

  /** How many alerts exist at `at` but are hidden because they are late; null if the client left. */
  async function countLatePending(
    at: number,
    late: LateSettings,
    res: ServerResponse,
  ): Promise<number | null> {
    const { from, to } = lateWindow(timeline, at, late);
    let pending = 0;
    for (let index = from; index < to; index++) {
      if (isLate(seed, index, late.late_rate)) pending++;
      if ((index - from) % COUNT_CHUNK === COUNT_CHUNK - 1) {
        await nextTurn();
        if (res.destroyed) return null;
      }
    }
    return pending;
  }

  const getAlerts: Handler = async (_req, res, url) => {
    const parsed = parseAlertsQuery(url.searchParams, seed);
    if (!parsed.ok) return send(res, 400, { error: parsed.error });
    const { sinceMs, limit, cursor } = parsed.query;
    const settings = { ...chaos };
    if (settings.latency_ms > 0 && !(await delay(settings.latency_ms, res))) return;
    if (settings.rate_limit_rate > 0 && random() < settings.rate_limit_rate) {
      return send(
        res,
        429,
        { error: 'rate limited (injected)' },
        { 'retry-after': RETRY_AFTER_SECONDS },
      );
    }
    if (settings.failure_rate > 0 && random() < settings.failure_rate) {
      return send(res, 500, { error: 'internal error (injected)' });
    }
    // Which arrivals exist, and which late ones are visible, is decided at response time, after
    // any injected latency.
    const began = performance.now();
    const { from: hiddenFrom, to: available } = lateWindow(timeline, now(), settings);
    let start = Math.min(cursor ?? 0, available);
    if (sinceMs !== null) start = Math.max(start, timeline.firstAtOrAfter(sinceMs, available));
    const scanEnd = Math.min(start + MAX_SCAN, available);
    const page = await renderAlerts(start, scanEnd, limit, hiddenFrom, settings, res);
    if (page === null) return;
    const nextCursor =
      page.next < available ? JSON.stringify(encodeCursor(seed, page.next)) : 'null';
    const body = `{"alerts":${page.body},"next_cursor":${nextCursor}}`;
    // Time spent building the page, so clients can tell it from network and injected latency.
    const serverTiming = `page;dur=${(performance.now() - began).toFixed(1)}`;
    send(res, 200, body, { 'server-timing': serverTiming });
  };

  const putConfig: Handler = async (req, res) => {
    const result = validateChaosPatch(await readJsonBody(req));
    if (!result.ok) {
      const error = result.errors.map((e) => `${e.field} ${e.message}`).join('; ');
      return send(res, 400, { error, errors: result.errors });
    }
    chaos = { ...chaos, ...result.patch };
    send(res, 200, chaos);
  };

  const routes: Record<string, Record<string, Handler>> = {
    '/alerts': { GET: getAlerts },
    '/config': {
      GET: (_req, res) => send(res, 200, chaos),
      PUT: putConfig,
      POST: putConfig,
    },
    '/health': { GET: (_req, res) => send(res, 200, { status: 'ok' }) },
    '/stats': {
      GET: async (_req, res) => {
        const at = now();
        const latePending = await countLatePending(at, chaos, res);
        if (latePending === null) return;
        send(res, 200, {
          backlog: timeline.backlog,
          rate_per_minute: timeline.ratePerMinute,
          seed,
          started_at: new Date(timeline.startedAt).toISOString(),
          now: new Date(at).toISOString(),
          total_available_now: timeline.availableAt(at),
          late_pending: latePending,
          tor_exits: { origin: torExitsOrigin, count: torExits.length },
        });
      },
    },
  };

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://mock-api');
    const path = url.pathname.length > 1 ? url.pathname.replace(/\/+$/, '') : url.pathname;
    const route = routes[path];
    if (!route) {
      return send(res, 404, { error: `no route ${path}; try ${Object.keys(routes).join(', ')}` });
    }
    const handler = route[req.method ?? 'GET'];
    if (!handler) {
      const allow = Object.keys(route).join(', ');
      return send(res, 405, { error: `${req.method} not allowed on ${path}` }, { allow });
    }
    await handler(req, res, url);
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (res.headersSent || res.destroyed) return;
      if (error instanceof HttpError) {
        send(res, error.status, { error: error.message }, { connection: 'close' });
        return;
      }
      options.onError?.(error);
      send(res, 500, { error: 'internal error' });
    });
  });

  return {
    server,
    seed,
    timeline,
    torExits,
    torExitsOrigin,
    config: () => ({ ...chaos }),
    listen(port = 0, host = '127.0.0.1') {
      return new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => {
          server.off('error', reject);
          const bound = (server.address() as AddressInfo).port;
          const shown = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
          const authority = shown.includes(':') ? `[${shown}]` : shown;
          resolve({ port: bound, url: `http://${authority}:${bound}` });
        });
      });
    },
    close() {
      for (const cancel of [...pendingDelays]) cancel();
      return new Promise((resolve) => {
        if (!server.listening) return resolve();
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}
