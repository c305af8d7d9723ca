import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { readEnvironment } from '../config/environment.js';
import { ingestionSettings } from '../config/ingestion.config.js';
import { UpstreamCredentials } from './upstream-credentials.js';
import { parsePage, retryAfterMs, UpstreamClient, UpstreamError } from './upstream.client.js';

type Handler = (
  attempt: number,
  url: URL,
) => { status: number; body?: unknown; headers?: Record<string, string> };

describe(UpstreamClient.name, () => {
  let server: Server;
  let handler: Handler;
  let attempts: number;
  let sut: UpstreamClient;

  beforeAll(async () => {
    server = createServer((req, res) => {
      attempts += 1;
      const { status, body, headers } = handler(attempts, new URL(req.url!, 'http://x'));
      res.writeHead(status, { 'content-type': 'application/json', ...headers });
      res.end(body === undefined ? '' : JSON.stringify(body));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  });
  afterAll(() => new Promise((r) => server.close(r)));

  beforeEach(() => {
    attempts = 0;
    const { port } = server.address() as AddressInfo;
    const config = ingestionSettings(
      readEnvironment({ UPSTREAM_URL: `http://127.0.0.1:${port}`, UPSTREAM_TIMEOUT_MS: '300' }),
    );
    sut = new UpstreamClient(config, new UpstreamCredentials(config));
  });

  const request = { since: new Date('2026-11-20T00:00:00Z'), limit: 100 };

  it('sends since, limit and cursor and reads {alerts, next_cursor}', async () => {
    let seen: URL | undefined;
    handler = (_, url) => {
      seen = url;
      return { status: 200, body: { alerts: [{ id: 1 }], next_cursor: 'c2' } };
    };
    await expect(sut.fetchPage({ ...request, cursor: 'c1' })).resolves.toMatchObject({
      records: [{ id: 1 }],
      nextCursor: 'c2',
    });
    expect(Object.fromEntries(seen!.searchParams)).toEqual({
      since: '2026-11-20T00:00:00.000Z',
      limit: '100',
      cursor: 'c1',
    });
  });

  it('retries 5xx up to the budget, then fails naming the status', async () => {
    handler = () => ({ status: 503 });
    await expect(sut.fetchPage(request)).rejects.toMatchObject({
      name: 'UpstreamError',
      status: 503,
    });
    expect(attempts).toBe(4);
  });

  it('recovers when a retry succeeds', async () => {
    handler = (n) => (n < 3 ? { status: 500 } : { status: 200, body: [] });
    await expect(sut.fetchPage(request)).resolves.toMatchObject({ records: [], nextCursor: null });
    expect(attempts).toBe(3);
  });

  it('does not retry other 4xx', async () => {
    handler = () => ({ status: 400, body: { error: 'bad since' } });
    await expect(sut.fetchPage(request)).rejects.toMatchObject({ status: 400 });
    expect(attempts).toBe(1);
  });

  it('honours Retry-After on 429 and gives throttling a larger budget than errors', async () => {
    handler = (n) =>
      n <= 6
        ? { status: 429, headers: { 'retry-after': '0' } }
        : { status: 200, body: { alerts: [] } };
    await expect(sut.fetchPage(request)).resolves.toMatchObject({ records: [], nextCursor: null });
    expect(attempts).toBe(7);
  });

  it('retries a timeout', async () => {
    handler = (n) =>
      n === 1 ? { status: 200, body: [], headers: {} } : { status: 200, body: [{ ok: true }] };
    // first attempt: hold the response past the 300 ms timeout
    const original = handler;
    let first = true;
    server.removeAllListeners('request');
    server.on('request', (req, res) => {
      attempts += 1;
      if (first) {
        first = false;
        setTimeout(() => res.end('[]'), 1000);
        return;
      }
      const { status, body } = original(attempts, new URL(req.url!, 'http://x'));
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    });
    await expect(sut.fetchPage(request)).resolves.toMatchObject({
      records: [{ ok: true }],
      nextCursor: null,
    });
    expect(attempts).toBe(2);
  });
});

describe(`${UpstreamClient.name} against a hostile upstream`, () => {
  let server: Server;
  let respond: (req: IncomingMessage, res: ServerResponse) => void;
  let attempts: number;
  let seenHeaders: IncomingMessage['headers'][];
  let url: string;

  beforeAll(async () => {
    server = createServer((req, res) => {
      attempts += 1;
      seenHeaders.push(req.headers);
      respond(req, res);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => {
    server.closeAllConnections();
    return new Promise((r) => server.close(r));
  });
  beforeEach(() => {
    attempts = 0;
    seenHeaders = [];
  });

  const client = (env: Record<string, string> = {}) => {
    const config = ingestionSettings(
      readEnvironment({ UPSTREAM_URL: `http://${url}`, UPSTREAM_RETRIES: '1', ...env }),
    );
    return new UpstreamClient(config, new UpstreamCredentials(config));
  };
  const request = { since: new Date('2026-11-20T00:00:00Z'), limit: 100 };

  it('bounds an attempt from request to last byte: a body dripped slowly fails as a timeout', async () => {
    respond = (_, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('[');
      const drip = setInterval(() => (res.destroyed ? clearInterval(drip) : res.write(' ')), 50);
    };
    const started = Date.now();
    await expect(client({ UPSTREAM_TIMEOUT_MS: '400' }).fetchPage(request)).rejects.toThrow(
      /no complete answer within UPSTREAM_TIMEOUT_MS \(400 ms\)/,
    );
    expect(attempts).toBe(2); // a timeout is retried
    expect(Date.now() - started).toBeLessThan(3000);
  });

  it('keeps the deadline when garbage is collected during the attempt (sync runs pass a run signal)', async () => {
    // The deadline used to live only inside AbortSignal.any(), which holds it weakly: a collection
    // before it fired dropped it, and the attempt ran on until the run's own limit.
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    respond = (_, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('[');
      const drip = setInterval(() => (res.destroyed ? clearInterval(drip) : res.write(' ')), 50);
    };
    const run = new AbortController();
    const collect = setInterval(gc, 100);
    try {
      const pending = client({ UPSTREAM_TIMEOUT_MS: '400', UPSTREAM_RETRIES: '0' }).fetchPage(
        request,
        run.signal,
      );
      const outcome = await Promise.race([
        pending.then(
          () => 'answered',
          (error: Error) => error.message,
        ),
        new Promise<string>((resolve) =>
          setTimeout(() => resolve('still running after 3 s'), 3000),
        ),
      ]);
      expect(outcome).toMatch(/no complete answer within UPSTREAM_TIMEOUT_MS \(400 ms\)/);
    } finally {
      clearInterval(collect);
      run.abort();
    }
  });

  it.each([
    [
      'announced by Content-Length',
      true,
      /sent a page of 200,000 bytes, over UPSTREAM_MAX_PAGE_BYTES \(65,536\)/,
    ],
    ['sent chunked', false, /a page of more than 65,536 bytes \(reading stopped there\)/],
  ])(
    'fails a page larger than UPSTREAM_MAX_PAGE_BYTES (%s) without retrying it',
    async (_, announce, message) => {
      const body = JSON.stringify({ alerts: ['x'.repeat(200_000 - 15)] });
      respond = (_, res) => {
        res.writeHead(200, {
          'content-type': 'application/json',
          ...(announce ? { 'content-length': String(Buffer.byteLength(body)) } : {}),
        });
        res.end(body);
      };
      expect(Buffer.byteLength(body)).toBe(200_000);
      await expect(client({ UPSTREAM_MAX_PAGE_BYTES: '65536' }).fetchPage(request)).rejects.toThrow(
        message,
      );
      expect(attempts).toBe(1);
    },
  );

  it('fails a page whose body is not JSON, saying so', async () => {
    respond = (_, res) => {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end('<html>maintenance</html>');
    };
    await expect(client().fetchPage(request)).rejects.toThrow(/body that is not JSON/);
  });

  it('fails an envelope whose cursor is absurdly long', async () => {
    respond = (_, res) => res.end(JSON.stringify({ alerts: [], next_cursor: 'c'.repeat(5000) }));
    await expect(client().fetchPage(request)).rejects.toThrow(/next_cursor of 5000 characters/);
  });

  it('sends UPSTREAM_URL userinfo as Basic auth, and never puts it in the base URL', async () => {
    respond = (_, res) => res.end('[]');
    const config = ingestionSettings(
      readEnvironment({ UPSTREAM_URL: `http://us%40er:p%3Ass@${url}` }),
    );
    expect(config.upstreamUrl).toBe(`http://${url}`);
    await new UpstreamClient(config, new UpstreamCredentials(config)).fetchPage(request);
    expect(seenHeaders[0].authorization).toBe(
      `Basic ${Buffer.from('us@er:p:ss').toString('base64')}`,
    );
  });

  it('sends UPSTREAM_AUTH_HEADER, and re-reads UPSTREAM_AUTH_HEADER_FILE for every request', async () => {
    respond = (_, res) => res.end('[]');
    await client({ UPSTREAM_AUTH_HEADER: 'X-Api-Key: k-123' }).fetchPage(request);
    expect(seenHeaders[0]['x-api-key']).toBe('k-123');

    const dir = mkdtempSync(join(tmpdir(), 'vigil-auth-'));
    const file = join(dir, 'header');
    writeFileSync(file, 'Authorization: Bearer first\n');
    const sut = client({ UPSTREAM_AUTH_HEADER_FILE: file });
    await sut.fetchPage(request);
    writeFileSync(file, 'Authorization: Bearer rotated\n');
    await sut.fetchPage(request);
    expect(seenHeaders.slice(1).map((h) => h.authorization)).toEqual([
      'Bearer first',
      'Bearer rotated',
    ]);
    rmSync(dir, { recursive: true });
    await expect(sut.fetchPage(request)).rejects.toThrow(
      /UPSTREAM_AUTH_HEADER_FILE .* could not be read \(ENOENT\)/,
    );
  });

  it('ends a request and its retries when the run signal aborts', async () => {
    respond = () => undefined; // never answers
    const stop = new AbortController();
    const pending = client({ UPSTREAM_TIMEOUT_MS: '60000' }).fetchPage(request, stop.signal);
    setTimeout(() => stop.abort(), 100);
    await expect(pending).rejects.toThrow(/the sync stopped/);
    expect(attempts).toBe(1);
  });
});

describe(parsePage.name, () => {
  it('accepts {alerts, next_cursor}, {alerts} and a bare array', () => {
    expect(parsePage({ alerts: [1], next_cursor: 'x' })).toEqual({ records: [1], nextCursor: 'x' });
    expect(parsePage({ alerts: [1] })).toEqual({ records: [1], nextCursor: null });
    expect(parsePage([1, 2])).toEqual({ records: [1, 2], nextCursor: null });
  });

  it.each([{ items: [] }, 'text', null, { alerts: [], next_cursor: 5 }])('rejects %j', (body) => {
    expect(() => parsePage(body)).toThrow(UpstreamError);
  });
});

describe(retryAfterMs.name, () => {
  it('reads seconds and HTTP dates, and ignores nonsense or waits over a minute', () => {
    const now = Date.parse('2026-11-21T12:00:00Z');
    expect(retryAfterMs('2', now)).toBe(2000);
    expect(retryAfterMs('Sat, 21 Nov 2026 12:00:05 GMT', now)).toBe(5000);
    expect(retryAfterMs('soon', now)).toBeUndefined();
    expect(retryAfterMs('3600', now)).toBeUndefined();
    expect(retryAfterMs(undefined, now)).toBeUndefined();
  });
});
