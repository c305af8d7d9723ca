// How the service serves the dashboard (/dashboard): the page, its fallback for client-side views,
// the caching and compression of its assets. What the page does is in dashboard-*.e2e-spec.ts.
import { get } from 'node:http';
import { gunzipSync, brotliDecompressSync } from 'node:zlib';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { expectProblem } from './support/problem.js';
import { startTestApp, type TestApp } from './support/test-app.js';

const BUILT = resolve(import.meta.dirname, '..', 'dist', 'dashboard');

interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

/** The bytes as sent (fetch would decompress them), for the given Accept-Encoding. */
function fetchRaw(t: TestApp, path: string, encoding = 'identity'): Promise<RawResponse> {
  return new Promise((done, fail) => {
    get(t.url + path, { headers: { 'accept-encoding': encoding } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () =>
        done({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }),
      );
      res.on('error', fail);
    }).on('error', fail);
  });
}

describe('Dashboard serving (e2e)', () => {
  let t: TestApp;
  let index: string;
  let script: string;
  let stylesheet: string;

  beforeAll(async () => {
    t = await startTestApp({ UPSTREAM_URL: 'http://127.0.0.1:1' });
    index = readFileSync(resolve(BUILT, 'index.html'), 'utf8');
    script = index.match(/src="(\/dashboard\/assets\/[^"]+\.js)"/)![1];
    stylesheet = index.match(/href="(\/dashboard\/assets\/[^"]+\.css)"/)![1];
  });
  afterAll(() => t?.close());

  it('serves the page to anyone, uncached, with a same-origin-only content security policy', async () => {
    const { status, headers, body } = await fetchRaw(t, '/dashboard');

    expect(status).toBe(200);
    expect(headers['content-type']).toBe('text/html; charset=utf-8');
    expect(headers['cache-control']).toBe('no-cache');
    expect(headers['content-security-policy']).toMatch(/default-src 'self'/);
    expect(headers['content-security-policy']).not.toMatch(/unsafe-inline|unsafe-eval/);
    expect(body.toString()).toBe(index);
  });

  it.each([
    '/dashboard?severity=high&status=open',
    '/dashboard/',
    '/dashboard/alerts',
    '/dashboard/alerts/123?q=port%20scan',
  ])('answers the same page for %s, so reloads and shared links work', async (path) => {
    const { status, headers, body } = await fetchRaw(t, path);

    expect(status).toBe(200);
    expect(headers['cache-control']).toBe('no-cache');
    expect(body.toString()).toBe(index);
  });

  it.each(['/dashboard/assets/missing.js', '/dashboard/favicon.ico', '/dashboard/alerts/x.png'])(
    'answers 404 problem+json for a missing file (%s), not the page',
    async (path) => {
      expectProblem(await t.api.get(path), 404);
    },
  );

  it('caches the hashed assets for a year, immutable', async () => {
    for (const asset of [script, stylesheet]) {
      const { status, headers } = await fetchRaw(t, asset);

      expect(status).toBe(200);
      expect(headers['cache-control']).toBe('public, max-age=31536000, immutable');
    }
  });

  it('sends the pre-compressed brotli or gzip copy to a browser that accepts it, else the file', async () => {
    const original = readFileSync(resolve(BUILT, `.${script.replace('/dashboard', '')}`));

    const br = await fetchRaw(t, script, 'gzip, deflate, br');
    const gz = await fetchRaw(t, script, 'gzip, deflate');
    const plain = await fetchRaw(t, script);

    expect(br.headers['content-encoding']).toBe('br');
    expect(brotliDecompressSync(br.body)).toEqual(original);
    expect(gz.headers['content-encoding']).toBe('gzip');
    expect(gunzipSync(gz.body)).toEqual(original);
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.body).toEqual(original);
    for (const { headers } of [br, gz, plain]) expect(headers.vary).toMatch(/accept-encoding/i);
    expect(gz.headers['content-type']).toMatch(/javascript/);
  });

  it('weighs under 500 KB gzipped: page, script and stylesheet', async () => {
    let total = 0;
    for (const path of ['/dashboard', script, stylesheet]) {
      total += (await fetchRaw(t, path, 'gzip')).body.length;
    }
    console.log(
      `dashboard first load over HTTP with gzip: ${total} bytes (${(total / 1024).toFixed(1)} KB)`,
    );

    expect(total).toBeLessThan(500 * 1024);
  });

  it('keeps the page out of the OpenAPI document: it is not API', async () => {
    const paths = Object.keys((await t.api.get('/docs-json')).body.paths);

    expect(paths.filter((p) => p.startsWith('/dashboard'))).toEqual([]);
  });
});
