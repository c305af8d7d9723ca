// The dashboard's live rows in headless Chromium (issue 16): the alerts table follows
// GET /api/stream (fetch with the bearer token), so an alert raised or changed elsewhere shows
// without a reload, under the table's filters; a page whose filters exclude it does not show it.
// The callbacks given to page.evaluate run in the browser: DOM types.
/// <reference lib="dom" />
import type { Browser, Page } from 'playwright-core';
import { describeInBrowser, launchBrowser, openPage } from './support/browser.js';
import { signIn } from './support/dashboard-page.js';
import { startTestApp, type TestApp, type TestUser } from './support/test-app.js';

describeInBrowser('Dashboard live rows (headless Chromium)', () => {
  let t: TestApp;
  let admin: TestUser;
  let analyst: TestUser;
  let browser: Browser;
  const contexts: Array<{ close(): Promise<void> }> = [];

  beforeAll(async () => {
    t = await startTestApp();
    await t.reset();
    admin = await t.user('admin', ['admin']);
    analyst = await t.user('ana', ['analyst']);
    browser = await launchBrowser();
  });
  afterAll(async () => {
    for (const context of contexts) await context.close();
    await browser?.close();
    await t?.close();
  });

  async function dashboard(path: string): Promise<{ page: Page; streams: string[] }> {
    const { context, page } = await openPage(browser);
    contexts.push(context);
    // What the page asks of the stream: never a token in the URL.
    const streams: string[] = [];
    page.on('request', (request) => {
      if (request.url().includes('/api/stream')) streams.push(request.url());
    });
    await page.goto(t.url + path);
    await signIn(page, analyst.username, analyst.password);
    await page.locator('[data-testid=live-state]', { hasText: 'Live' }).waitFor();
    return { page, streams };
  }

  const raise = async (description: string, severity = 'high'): Promise<string> => {
    const res = await t.api.post('/api/events', {
      token: admin.token,
      body: { source: 'edr', event_type: 'process_injection', severity, description },
    });
    if (res.status !== 201) throw new Error(`POST /api/events: ${JSON.stringify(res.body)}`);
    return res.body.alert.id as string;
  };

  const row = (page: Page, id: string) => page.locator(`tr[data-alert-id="${id}"]`);

  it('shows a new alert and its change without a reload', async () => {
    const { page, streams } = await dashboard('/dashboard');
    let listLoads = 0;
    page.on('request', (request) => {
      if (request.url().includes('/api/alerts?')) listLoads++;
    });
    const id = await raise('Live in the browser');
    await row(page, id).waitFor({ timeout: 5_000 });
    expect(await row(page, id).getAttribute('data-live')).toBe('new');
    expect(await row(page, id).locator('.st').textContent()).toBe('open');

    const patched = await t.api.patch(`/api/alerts/${id}`, {
      token: admin.token,
      body: { status: 'acknowledged' },
    });
    expect(patched.status).toBe(200);
    await row(page, id).locator('.st', { hasText: 'acknowledged' }).waitFor({ timeout: 5_000 });
    expect(listLoads).toBe(0); // the stream brought both, not a reload of the list
    expect(streams.length).toBeGreaterThan(0);
    expect(streams.every((url) => new URL(url).search === '')).toBe(true);
  });

  it('keeps out an alert the active filters exclude', async () => {
    const { page } = await dashboard('/dashboard?severity=critical');
    const excluded = await raise('High, not critical', 'high');
    const included = await raise('Critical: credential dumping on a domain controller', 'critical');
    await row(page, included).waitFor({ timeout: 5_000 });
    expect(await row(page, excluded).count()).toBe(0);
  });
});
