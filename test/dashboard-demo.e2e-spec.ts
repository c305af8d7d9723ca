// The dashboard in headless Chromium on the seed demo (dist/src/demo.js: its own mock upstream,
// its printed admin password): issue 5's acceptance 1 (a failing upstream shows in red and heals,
// through the dashboard's own controls) and 4 (the first load's weight).
// The callbacks given to page.evaluate run in the browser: DOM types.
/// <reference lib="dom" />
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ChildProcess } from 'node:child_process';
import pg from 'pg';
import type { Browser } from 'playwright-core';
import { ApiClient } from './support/api-client.js';
import {
  describeInBrowser,
  launchBrowser,
  measureLoad,
  openPage,
  screenshot,
} from './support/browser.js';
import {
  healthStatus,
  rowIds,
  shownTotal,
  signIn,
  tableSettled,
} from './support/dashboard-page.js';
import {
  freePort,
  serviceEnvironment,
  spawnService,
  testDatabaseUrl,
  waitForExit,
} from './support/test-app.js';

const DEMO_START_MS = 180_000;

async function emptyTables(databaseUrl: string): Promise<void> {
  const db = new pg.Client({ connectionString: databaseUrl });
  await db.connect();
  const { rows } = await db.query<{ tablename: string }>(
    `SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'migrations'`,
  );
  if (rows.length) {
    await db.query(
      `TRUNCATE ${rows.map((t) => `"${t.tablename}"`).join(', ')} RESTART IDENTITY CASCADE`,
    );
  }
  await db.end();
}

describeInBrowser('Dashboard on the seed demo (headless Chromium)', () => {
  let browser: Browser;
  let demo: ChildProcess;
  let dataDir: string;
  let url: string;
  let mock: ApiClient;
  let api: ApiClient;
  let password: string;

  beforeAll(async () => {
    await emptyTables(testDatabaseUrl());
    dataDir = mkdtempSync(join(tmpdir(), 'vigil-dashboard-demo-'));
    const [port, mockPort] = [await freePort(), await freePort()];
    // The demo as `npm start` runs it, on the suite's database, with its own mock upstream. The
    // mock never fails on its own (MOCK_FAILURE_RATE 0: only the test's chaos does) and the
    // scheduled sync keeps out of the way of the manual ones.
    const started = await spawnService(
      'dist/src/demo.js',
      serviceEnvironment(port, testDatabaseUrl(), {
        DATA_DIR: dataDir,
        MOCK_PORT: String(mockPort),
        MOCK_HOST: '127.0.0.1',
        MOCK_FAILURE_RATE: '0',
        SYNC_ENABLED: 'true',
        SYNC_INTERVAL_SECONDS: '86400',
      }),
      port,
      DEMO_START_MS,
    );
    demo = started.child;
    url = `http://127.0.0.1:${port}`;
    api = new ApiClient(url);
    mock = new ApiClient(`http://127.0.0.1:${mockPort}`);
    const deadline = Date.now() + DEMO_START_MS;
    while (!/username: admin\s+password: \S+/.test(started.output()) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100));
    }
    password = started.output().match(/username: admin\s+password: (\S+)/)![1];
    // The start-up sync brings the backlog in; the flow starts from there.
    while (!(await api.get('/health')).body.last_successful_sync && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 250));
    }
    browser = await launchBrowser();
  }, DEMO_START_MS + 30_000);

  afterAll(async () => {
    await browser?.close();
    if (demo) {
      const exited = waitForExit(demo);
      demo.kill('SIGTERM');
      await exited;
    }
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('loads under 500 KB gzipped the first time (measured in the browser)', async () => {
    const { context, page, problems } = await openPage(browser);

    const load = await measureLoad(page, `${url}/dashboard`);

    console.log(
      [
        `First load of /dashboard: ${load.transferred} bytes transferred (${(load.transferred / 1024).toFixed(1)} KB), ` +
          `${load.gzipped} bytes as gzip (${(load.gzipped / 1024).toFixed(1)} KB)`,
        ...load.responses.map(
          (r) =>
            `  ${r.status} ${r.url.replace(url, '')} ${r.encoding}: ${r.transferred} B on the wire, ${r.body} B body`,
        ),
      ].join('\n'),
    );
    expect(load.responses.map((r) => r.status)).toEqual(load.responses.map(() => 200));
    expect(load.responses.some((r) => r.url.endsWith('.js'))).toBe(true);
    expect(load.transferred).toBeLessThan(500 * 1024);
    expect(load.gzipped).toBeLessThan(500 * 1024);
    await page.getByRole('button', { name: 'Sign in' }).waitFor();
    await screenshot(page, 'dashboard-0-sign-in');
    expect(problems.errors).toEqual([]);
    await context.close();
  });

  it('shows a failing upstream in red and its recovery with new alerts, from its own controls', async () => {
    const { context, page, problems } = await openPage(browser);
    await page.goto(`${url}/dashboard`);
    await signIn(page, 'admin', password);
    await healthStatus(page, 'ok');
    const before = new Set(await rowIds(page));
    const totalBefore = await shownTotal(page);
    expect(totalBefore).toBeGreaterThan(0);
    await screenshot(page, 'dashboard-1-demo-healthy');

    // The mock's failure probability to 1.0, through the dashboard, then a sync.
    await page.getByLabel('Failure probability').fill('1');
    await page.getByRole('button', { name: 'Apply chaos settings' }).click();
    await page.locator('[data-testid=chaos-outcome]:has-text("fails 100 %")').waitFor();
    expect((await mock.get('/config')).body.failure_rate).toBe(1);
    await page.getByRole('button', { name: 'Sync now' }).click();
    await page
      .locator('[data-testid=sync-outcome]:has-text("Sync failed")')
      .waitFor({ timeout: 60_000 });

    const lastError = page.getByTestId('last-error');
    await lastError.waitFor();
    expect(await lastError.textContent()).toMatch(/HTTP 500/);
    expect(await lastError.evaluate((el) => getComputedStyle(el).color)).toBe('rgb(179, 38, 30)');
    await healthStatus(page, 'degraded');
    await screenshot(page, 'dashboard-2-demo-sync-failed');

    // Back to 0.0 and sync again: the error clears and the newly arrived alerts are in the table.
    await page.getByLabel('Failure probability').fill('0');
    await page.getByRole('button', { name: 'Apply chaos settings' }).click();
    await page.locator('[data-testid=chaos-outcome]:has-text("fails 0 %")').waitFor();
    expect((await mock.get('/config')).body.failure_rate).toBe(0);
    await page.getByRole('button', { name: 'Sync now' }).click();
    await page
      .locator('[data-testid=sync-outcome]:has-text("Sync finished")')
      .waitFor({ timeout: 60_000 });
    await lastError.waitFor({ state: 'detached' });
    await healthStatus(page, 'ok');
    await page.waitForFunction(
      (total) =>
        Number(
          document.querySelector('[data-testid=alerts-total]')?.textContent?.replace(/\D/g, ''),
        ) > total,
      totalBefore,
    );
    await tableSettled(page);

    const after = await rowIds(page);
    expect(await shownTotal(page)).toBeGreaterThan(totalBefore);
    expect(before.has(after[0])).toBe(false); // the newest row arrived with the healing sync
    const token = (await api.post('/api/auth/token', { body: { username: 'admin', password } }))
      .body.access_token;
    const listed = await api.get('/api/alerts?sort=-created_at&limit=50', { token });
    expect(after).toEqual(listed.body.alerts.map((a: { id: string }) => a.id));
    await screenshot(page, 'dashboard-3-demo-recovered');
    expect(problems.errors).toEqual([]);
    await context.close();
  });
});
