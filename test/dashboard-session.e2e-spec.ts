// The dashboard's session in headless Chromium: the access token is refreshed before it expires
// (here it lives 15 s), any 401 signs the user out, and "Sign out" revokes the refresh token.
// The callbacks given to page.evaluate run in the browser: DOM types.
/// <reference lib="dom" />
import type { Browser, Page } from 'playwright-core';
import { describeInBrowser, launchBrowser, openPage, screenshot } from './support/browser.js';
import { signIn } from './support/dashboard-page.js';
import { startTestApp, type TestApp, type TestUser } from './support/test-app.js';

interface StoredSession {
  access: string;
  refresh: string;
  expiresAt: number;
}

const stored = (page: Page): Promise<StoredSession | null> =>
  page.evaluate(() => {
    const raw = sessionStorage.getItem('vigil.session');
    return raw ? (JSON.parse(raw) as StoredSession) : null;
  });

describeInBrowser('Dashboard session (headless Chromium)', () => {
  let t: TestApp;
  let browser: Browser;
  let admin: TestUser;
  let analyst: TestUser;

  beforeAll(async () => {
    t = await startTestApp({ UPSTREAM_URL: 'http://127.0.0.1:1', JWT_ACCESS_TTL: '15s' });
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });
  beforeEach(async () => {
    await t.reset();
    admin = await t.user('admin', ['admin']);
    analyst = await t.user('ana', ['analyst']);
  });

  it('refreshes the access token before it expires and keeps working past its first expiry', async () => {
    const { context, page, problems } = await openPage(browser);
    await page.goto(`${t.url}/dashboard`);
    await signIn(page, analyst.username, analyst.password);
    const first = (await stored(page))!;

    const refreshed = await page.waitForResponse(
      (res) => res.url().endsWith('/api/auth/refresh') && res.status() === 200,
      { timeout: 20_000 },
    );
    const refreshedAt = Date.now();
    expect(refreshedAt).toBeLessThan(first.expiresAt); // before, not after, the expiry
    await page.waitForFunction(
      (old) => JSON.parse(sessionStorage.getItem('vigil.session') ?? '{}').access !== old,
      first.access,
    );
    expect(refreshed.ok()).toBe(true);

    // Past the first token's expiry the page still reads the API.
    await page.waitForTimeout(Math.max(0, first.expiresAt - Date.now()) + 1000);
    const alerts = page.waitForResponse((res) => res.url().includes('/api/alerts?'));
    await page.getByRole('button', { name: 'Refresh' }).click();
    expect((await alerts).status()).toBe(200);
    expect(await page.getByTestId('signed-in-as').isVisible()).toBe(true);
    await screenshot(page, 'dashboard-14-session-refreshed');
    expect(problems.errors).toEqual([]);
    await context.close();
  });

  it('signs out on a 401: a deactivated user is back at the sign-in form with a notice', async () => {
    const { context, page } = await openPage(browser);
    await page.goto(`${t.url}/dashboard`);
    await signIn(page, analyst.username, analyst.password);

    const res = await t.api.patch(`/api/users/${analyst.id}`, {
      token: admin.token,
      body: { is_active: false },
    });
    expect(res.status).toBe(200);

    // The next poll (health and sync runs, every 5 s) is refused.
    await page.getByRole('button', { name: 'Sign in' }).waitFor({ timeout: 20_000 });
    expect(await page.getByRole('status').textContent()).toMatch(/Signed out/);
    expect(await stored(page)).toBeNull();
    await screenshot(page, 'dashboard-15-signed-out-on-401');
    await context.close();
  });

  it('revokes the refresh token on "Sign out"', async () => {
    const { context, page } = await openPage(browser);
    await page.goto(`${t.url}/dashboard`);
    await signIn(page, admin.username, admin.password);
    const { refresh } = (await stored(page))!;

    const logout = page.waitForResponse((r) => r.url().endsWith('/api/auth/logout'));
    await page.getByRole('button', { name: 'Sign out' }).click();
    expect((await logout).status()).toBe(204);

    await page.getByRole('button', { name: 'Sign in' }).waitFor();
    expect(await stored(page)).toBeNull();
    const reuse = await t.api.post('/api/auth/refresh', { body: { refresh_token: refresh } });
    expect(reuse.status).toBe(401);
    await context.close();
  });
});
