// The HTTP edge: requests refused before any route runs (a URL that does not decode, an over-long
// path parameter, an oversized request line or header, an unknown method, a request that arrives
// too slowly) are answered as problem+json like every other error, without echoing what was sent;
// and the headers every response carries (security headers, no caching of API responses).
// Requests fetch cannot send go over a raw socket.
import { connect } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { describeInBrowser, launchBrowser, openPage } from './support/browser.js';
import { expectProblem } from './support/problem.js';
import { startTestApp, TestApp, TestUser } from './support/test-app.js';

const REQUEST_TIMEOUT_SECONDS = 2;

interface RawResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
  /** Milliseconds from the first byte sent to the connection's end. */
  elapsedMs: number;
}

/**
 * Writes `chunks` to a fresh connection (waiting `gapMs` between them, stopping once the server
 * answers) and reads until the server ends the connection.
 */
function rawRequest(url: string, chunks: string[], gapMs = 0): Promise<RawResponse> {
  const { hostname, port } = new URL(url);
  return new Promise((done, fail) => {
    const started = Date.now();
    const socket = connect(Number(port), hostname);
    const received: Buffer[] = [];
    let answered = false;
    socket.on('data', (chunk: Buffer) => {
      answered = true;
      received.push(chunk);
    });
    socket.on('error', (error) => (received.length ? undefined : fail(error)));
    socket.on('close', () => {
      const text = Buffer.concat(received).toString('latin1');
      const [head, ...rest] = text.split('\r\n\r\n');
      const [statusLine, ...lines] = head.split('\r\n');
      const headers: Record<string, string> = {};
      for (const line of lines) {
        const colon = line.indexOf(':');
        headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
      }
      done({
        status: Number(statusLine.split(' ')[1]),
        headers,
        body: rest.join('\r\n\r\n'),
        elapsedMs: Date.now() - started,
      });
    });
    const send = async () => {
      for (const [i, chunk] of chunks.entries()) {
        if (i > 0 && gapMs > 0) await sleep(gapMs);
        if (answered || socket.destroyed) return;
        socket.write(chunk);
      }
    };
    socket.on('connect', () => void send());
  });
}

/** A raw response as an ApiResponse, for expectProblem. */
function asApiResponse(res: RawResponse) {
  return {
    status: res.status,
    headers: new Headers(res.headers),
    body: JSON.parse(res.body),
  };
}

/** Asserts a problem+json answer that does not carry `submitted` back. */
function expectRawProblem(res: RawResponse, status: number, submitted: string): any {
  const body = expectProblem(asApiResponse(res), status);
  expect(res.body).not.toContain(submitted);
  expect(res.headers['content-length']).toBe(String(Buffer.byteLength(res.body)));
  expect(res.headers['x-content-type-options']).toBe('nosniff');
  return body;
}

describe('HTTP edge (e2e)', () => {
  let t: TestApp;
  let bob: TestUser;

  beforeAll(async () => {
    t = await startTestApp({ HTTP_REQUEST_TIMEOUT_SECONDS: String(REQUEST_TIMEOUT_SECONDS) });
  });
  afterAll(() => t.close());
  beforeEach(async () => {
    await t.reset();
    bob = await t.user('bob', ['analyst']);
  });

  describe('requests refused before routing', () => {
    it('answers a path that is not valid percent-encoding with a 400 problem', async () => {
      // A well-formed request with a bad path: the connection may stay open for the next one, so
      // this client says it sends no more (the helper reads until the server closes).
      const res = await rawRequest(t.url, [
        'GET /api/alerts/%ff%fe HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n',
      ]);

      const body = expectRawProblem(res, 400, '%ff');
      expect(body.instance).toBe('/api/alerts/');
      expect(res.headers['x-request-id']).toMatch(/./);
    });

    it('answers a path parameter over 100 characters with a 414 problem', async () => {
      const submitted = 'q'.repeat(300);
      const res = await t.api.get(`/api/alerts/${submitted}`, { token: bob.token });

      expect(expectProblem(res, 414).instance).toBe('/api/alerts/');
      expect(JSON.stringify(res.body)).not.toContain('qqqq');
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    });

    it('answers a request line over 16 KiB with a 431 problem', async () => {
      const submitted = 'u'.repeat(17 * 1024);
      const res = await rawRequest(t.url, [
        `GET /api/alerts?q=${submitted} HTTP/1.1\r\nHost: x\r\n\r\n`,
      ]);

      expectRawProblem(res, 431, 'uuuu');
    });

    it('answers a header over 16 KiB with a 431 problem', async () => {
      const submitted = 'h'.repeat(17 * 1024);
      const res = await rawRequest(t.url, [
        `GET /health/live HTTP/1.1\r\nHost: x\r\nX-Big: ${submitted}\r\n\r\n`,
      ]);

      expectRawProblem(res, 431, 'hhhh');
    });

    it('answers an unknown method with a 501 problem (RFC 9110 §9.1)', async () => {
      const res = await rawRequest(t.url, ['FOO /api/alerts HTTP/1.1\r\nHost: x\r\n\r\n']);

      expectRawProblem(res, 501, 'FOO');
    });

    it('answers a request that is not HTTP with a 400 problem', async () => {
      const res = await rawRequest(t.url, ['GET /health/live HTTP/1.1\r\nHo st: x\r\n\r\n']);

      expectRawProblem(res, 400, 'Ho st');
    });

    it('does not echo a query string in the detail of a 404', async () => {
      const res = await t.api.get('/api/nope?token=s3cret-value');

      expect(expectProblem(res, 404).instance).toBe('/api/nope');
      expect(JSON.stringify(res.body)).not.toContain('s3cret');
    });
  });

  describe('slow requests', () => {
    it('answers a body dripped one byte every 5 s with a 408 problem once the request timeout passes', async () => {
      const body = JSON.stringify({ username: 'bob', password: bob.password });
      const res = await rawRequest(
        t.url,
        [
          `POST /api/auth/token HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n`,
          ...body,
        ],
        5000,
      );

      expectRawProblem(res, 408, bob.password);
      // the request timeout, checked every second
      expect(res.elapsedMs).toBeGreaterThanOrEqual(REQUEST_TIMEOUT_SECONDS * 1000 - 100);
      expect(res.elapsedMs).toBeLessThan(REQUEST_TIMEOUT_SECONDS * 1000 + 2500);
    }, 20_000);

    it('answers headers dripped one line every 5 s with a 408 problem', async () => {
      const res = await rawRequest(
        t.url,
        ['GET /health/live HTTP/1.1\r\n', 'Host: x\r\n', 'X-Slow: 1\r\n', '\r\n'],
        5000,
      );

      expectRawProblem(res, 408, 'X-Slow');
      expect(res.elapsedMs).toBeLessThan(REQUEST_TIMEOUT_SECONDS * 1000 + 2500);
    }, 20_000);

    it('still serves a request whose body arrives in time', async () => {
      const body = JSON.stringify({ username: 'bob', password: bob.password });
      const res = await rawRequest(
        t.url,
        [
          `POST /api/auth/token HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n`,
          body.slice(0, 10),
          body.slice(10),
        ],
        500,
      );

      expect(res.status).toBe(200);
    });
  });

  describe('response headers', () => {
    it('sends no-store, nosniff and no framing with token responses', async () => {
      const login = await t.api.post('/api/auth/token', {
        body: { username: 'bob', password: bob.password },
      });
      const refresh = await t.api.post('/api/auth/refresh', {
        body: { refresh_token: login.body.refresh_token },
      });

      for (const res of [login, refresh]) {
        expect(res.status).toBe(200);
        expect(res.headers.get('cache-control')).toBe('no-store');
        expect(res.headers.get('x-content-type-options')).toBe('nosniff');
        expect(res.headers.get('x-frame-options')).toBe('DENY');
      }
    });

    it('sends no-store and nosniff with other API responses and API errors', async () => {
      for (const res of [
        await t.api.get('/api/auth/me', { token: bob.token }),
        await t.api.get('/api/auth/me'),
        await t.api.get('/api/nope'),
      ]) {
        expect(res.headers.get('cache-control')).toBe('no-store');
        expect(res.headers.get('x-content-type-options')).toBe('nosniff');
        expect(res.headers.get('content-security-policy')).toMatch(/frame-ancestors 'none'/);
      }
    });

    it('serves /docs with a content security policy, no framing and nosniff', async () => {
      const res = await fetch(`${t.url}/docs`);
      const csp = res.headers.get('content-security-policy') ?? '';

      expect(res.status).toBe(200);
      expect(csp).toMatch(/default-src 'self'/);
      expect(csp).toMatch(/script-src 'self'(;|$)/);
      expect(csp).toMatch(/frame-ancestors 'none'/);
      expect(csp).toMatch(/object-src 'none'/);
      expect(csp).not.toMatch(/upgrade-insecure-requests/);
      expect(res.headers.get('x-frame-options')).toBe('DENY');
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(res.headers.get('referrer-policy')).toBe('no-referrer');
    });

    it('keeps the dashboard its own, stricter policy (one header, not two)', async () => {
      const res = await fetch(`${t.url}/dashboard`);
      const csp = res.headers.get('content-security-policy') ?? '';

      expect(csp).toMatch(/frame-ancestors 'none'/);
      expect(csp).not.toMatch(/unsafe-inline/);
      expect(csp.split(',')).toHaveLength(1);
    });
  });

  describeInBrowser('Swagger UI under the policy (headless Chromium)', () => {
    it('renders /docs with no script errors or policy refusals', async () => {
      const browser = await launchBrowser();
      try {
        const { page, problems } = await openPage(browser);
        await page.goto(`${t.url}/docs`);
        await page.locator('.swagger-ui .info .title').filter({ hasText: 'Vigil' }).waitFor();
        await page.locator('.opblock').first().waitFor();

        expect(problems.errors).toEqual([]);
      } finally {
        await browser.close();
      }
    });
  });
});
