import { createServer, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
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
    sut = new UpstreamClient({
      upstreamUrl: `http://127.0.0.1:${port}`,
      enabled: true,
      intervalSeconds: 60,
      overlapSeconds: 300,
      lookbackHours: 24,
      pageSize: 100,
      timeoutMs: 300,
      retries: 3,
      circuit: { failures: 5, cooldownSeconds: 300 },
      retentionDays: null,
    });
  });

  const request = { since: new Date('2026-11-20T00:00:00Z'), limit: 100 };

  it('sends since, limit and cursor and reads {alerts, next_cursor}', async () => {
    let seen: URL | undefined;
    handler = (_, url) => {
      seen = url;
      return { status: 200, body: { alerts: [{ id: 1 }], next_cursor: 'c2' } };
    };
    await expect(sut.fetchPage({ ...request, cursor: 'c1' })).resolves.toEqual({
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
    await expect(sut.fetchPage(request)).resolves.toEqual({ records: [], nextCursor: null });
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
    await expect(sut.fetchPage(request)).resolves.toEqual({ records: [], nextCursor: null });
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
    await expect(sut.fetchPage(request)).resolves.toEqual({
      records: [{ ok: true }],
      nextCursor: null,
    });
    expect(attempts).toBe(2);
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
