// Browser specs drive Debian's Chromium (apt-get install -y chromium) through playwright-core;
// playwright never downloads a browser here. Without /usr/bin/chromium the specs are skipped with
// a loud warning, or fail with a clear message when REQUIRE_BROWSER=1 (CI sets it).
import { existsSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import {
  chromium,
  type Browser,
  type BrowserContext,
  type Page,
  type Response,
} from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';
export const ARTIFACTS = resolve(import.meta.dirname, '..', 'artifacts');

const MISSING = `Chromium is not installed at ${CHROMIUM}: the dashboard's browser tests need it (apt-get install -y chromium).`;

/** `describe` for specs that need the browser; see the file header for what happens without it. */
export function describeInBrowser(name: string, body: () => void): void {
  if (existsSync(CHROMIUM)) {
    describe(name, body);
    return;
  }
  if (process.env.REQUIRE_BROWSER === '1') {
    describe(name, () => {
      it('needs Chromium', () => {
        throw new Error(`${MISSING} REQUIRE_BROWSER=1 makes this a failure.`);
      });
    });
    return;
  }
  const line = '!'.repeat(100);
  console.warn(
    `${line}\n!! SKIPPED "${name}": ${MISSING}\n!! Set REQUIRE_BROWSER=1 to fail instead.\n${line}`,
  );
  describe.skip(name, body);
}

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-background-networking'],
  });
}

/** Errors the page reported: uncaught exceptions and Content-Security-Policy refusals. */
export interface PageProblems {
  errors: string[];
}

/** A fresh context (own sessionStorage) and page that records its own problems. */
export async function openPage(
  browser: Browser,
  options: { width?: number; height?: number; mobile?: boolean } = {},
): Promise<{ context: BrowserContext; page: Page; problems: PageProblems }> {
  const context = await browser.newContext({
    viewport: { width: options.width ?? 1400, height: options.height ?? 900 },
    isMobile: options.mobile ?? false,
    hasTouch: options.mobile ?? false,
    deviceScaleFactor: 1,
    // Time inputs and labels in UTC, like the API: the same instants whatever the machine's zone.
    timezoneId: 'UTC',
    locale: 'en-GB',
  });
  const page = await context.newPage();
  const problems: PageProblems = { errors: [] };
  page.on('pageerror', (error) => problems.errors.push(`pageerror: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error' && /Content Security Policy|Refused to/i.test(message.text())) {
      problems.errors.push(`csp: ${message.text()}`);
    }
  });
  return { context, page, problems };
}

/**
 * Saves a screenshot as test/artifacts/<name>.png and returns its path: the whole page, or only
 * the viewport (for overlays such as the alert drawer, which stay in the viewport).
 */
export async function screenshot(page: Page, name: string, fullPage = true): Promise<string> {
  mkdirSync(ARTIFACTS, { recursive: true });
  const path = join(ARTIFACTS, `${name}.png`);
  await page.screenshot({ path, fullPage });
  return path;
}

export interface LoadSize {
  /** Bytes on the wire (headers and bodies, as sent: compressed where the server compressed). */
  transferred: number;
  /** The bodies gzipped (level 9), whatever the server sent: the size a gzipping server sends. */
  gzipped: number;
  responses: Array<{
    url: string;
    status: number;
    encoding: string;
    transferred: number;
    body: number;
  }>;
}

/**
 * Navigates to `url` and measures every response of that load (until the network is idle) from
 * Chromium's own accounting (CDP Network.loadingFinished encodedDataLength).
 */
export async function measureLoad(page: Page, url: string): Promise<LoadSize> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Network.enable');
  const encoded = new Map<string, number>();
  cdp.on('Network.loadingFinished', (event: { requestId: string; encodedDataLength: number }) =>
    encoded.set(event.requestId, event.encodedDataLength),
  );
  const meta = new Map<string, { url: string; status: number; encoding: string }>();
  cdp.on(
    'Network.responseReceived',
    (event: {
      requestId: string;
      response: { url: string; status: number; headers: Record<string, string> };
    }) => {
      const headers = Object.fromEntries(
        Object.entries(event.response.headers).map(([k, v]) => [k.toLowerCase(), v]),
      );
      meta.set(event.requestId, {
        url: event.response.url,
        status: event.response.status,
        encoding: headers['content-encoding'] ?? 'identity',
      });
    },
  );
  const bodies = new Map<string, Buffer>();
  const reading: Array<Promise<void>> = [];
  const onResponse = (response: Response) => {
    reading.push(
      response.body().then(
        (body) => void bodies.set(response.url(), body),
        () => undefined, // redirects and aborted requests have no body
      ),
    );
  };
  page.on('response', onResponse);
  await page.goto(url, { waitUntil: 'networkidle' });
  page.off('response', onResponse);
  await Promise.all(reading);
  await cdp.detach();

  const responses = [...meta.entries()].map(([id, m]) => {
    const body = bodies.get(m.url) ?? Buffer.alloc(0);
    return { ...m, transferred: encoded.get(id) ?? 0, body: body.length };
  });
  return {
    transferred: responses.reduce((sum, r) => sum + r.transferred, 0),
    gzipped: [...bodies.values()].reduce((sum, b) => sum + gzipSync(b, { level: 9 }).length, 0),
    responses,
  };
}
