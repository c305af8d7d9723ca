// Pivots in the dashboard, in headless Chromium (issue 16): an alert's addresses and user in its
// drawer are links that filter the list (`ip=`, `user=`), the drawer lists the related alerts
// grouped as GET /api/alerts/{id}/related serves them, and the filter bar takes an address or
// network. Every expectation is read from the API for the same question.
// The callbacks given to page.evaluate run in the browser: DOM types.
/// <reference lib="dom" />
import type { Browser, Page } from 'playwright-core';
import {
  describeInBrowser,
  launchBrowser,
  openPage,
  screenshot,
  type PageProblems,
} from './support/browser.js';
import {
  reloadsTable,
  rowIds,
  shownTotal,
  signIn,
  unlabelledControls,
} from './support/dashboard-page.js';
import { startTestApp, type TestApp, type TestUser } from './support/test-app.js';

const HOUR = 3_600_000;
const SOURCES = ['10.0.1.5', '10.0.1.6', '192.168.7.7', '2001:db8::5'];
const DESTINATIONS = ['185.220.101.34', '8.8.8.8', '10.20.0.1'];
const USERS = ['alice', 'bob', null];

describeInBrowser('Dashboard pivots (headless Chromium)', () => {
  let t: TestApp;
  let analyst: TestUser;
  let browser: Browser;
  let anchorId: string;
  const open: Array<{ close(): Promise<void> }> = [];

  beforeAll(async () => {
    t = await startTestApp();
    await t.reset();
    analyst = await t.user('ana', ['analyst']);
    const now = Date.now();
    const n = 48;
    const { rows } = await t.db.query<{ id: string; external_id: string }>(
      `INSERT INTO alerts (source, external_id, fingerprint, severity, description, created_at,
         src_ip, dst_ip, user_name)
       SELECT 'firewall', 'p' || i, decode(md5('p' || i), 'hex'),
         (ARRAY['low','medium','high','critical'])[1 + i % 4], 'Pivot alert ' || i,
         to_timestamp(($1::float8 - i * $2::float8) / 1000),
         ($3::text[])[1 + i % 4]::inet, ($4::text[])[1 + i % 3]::inet, ($5::text[])[1 + i % 3]
       FROM generate_series(0, $6::int - 1) i
       RETURNING id, external_id`,
      [now, HOUR / 2, SOURCES, DESTINATIONS, USERS, n],
    );
    // p4: src 10.0.1.5, dst 8.8.8.8, user bob.
    anchorId = rows.find((r) => r.external_id === 'p4')!.id;
    browser = await launchBrowser();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  afterEach(async () => {
    for (const context of open.splice(0)) await context.close();
  });

  async function dashboard(path: string): Promise<{ page: Page; problems: PageProblems }> {
    const { context, page, problems } = await openPage(browser);
    open.push(context);
    await page.goto(t.url + path);
    await signIn(page, analyst.username, analyst.password);
    return { page, problems };
  }

  /** The table shows what GET /api/alerts?{query} answers, rows and total. */
  async function expectTableToBe(page: Page, query: string): Promise<void> {
    const res = await t.api.get(`/api/alerts?${query}`, { token: analyst.token });
    expect(res.status).toBe(200);
    const ids = res.body.alerts.map((a: { id: string }) => a.id);
    expect(ids.length).toBeGreaterThan(0);
    const shown = { query, rows: await rowIds(page), total: await shownTotal(page) };
    expect(shown).toEqual({ query, rows: ids, total: res.body.total });
  }

  const search = (page: Page) => Object.fromEntries(new URL(page.url()).searchParams);

  it('shows the related alerts grouped as the API serves them, and opens one', async () => {
    const { page, problems } = await dashboard(`/dashboard?alert=${anchorId}`);
    const drawer = page.getByTestId('alert-drawer');
    const related = (await t.api.get(`/api/alerts/${anchorId}/related`, { token: analyst.token }))
      .body;
    expect(related.groups.map((g: { shared: string }) => g.shared)).toEqual([
      'src_ip',
      'dst_ip',
      'user',
    ]);

    const groups = drawer.getByTestId('related-group');
    await groups.nth(2).waitFor();
    expect(await groups.count()).toBe(3);
    for (const [i, group] of (related.groups as any[]).entries()) {
      const shown = groups.nth(i);
      expect(await shown.getAttribute('data-shared')).toBe(group.shared);
      expect(await shown.getByTestId('related-total').textContent()).toMatch(
        new RegExp(`^${group.total} alerts?`),
      );
      const ids = await shown
        .locator('li[data-alert-id]')
        .evaluateAll((items) => items.map((li) => li.getAttribute('data-alert-id')));
      expect(ids).toEqual(group.alerts.map((a: { id: string }) => a.id));
    }
    await screenshot(page, 'dashboard-pivots-related', false);

    // A related alert opens in the drawer in place of this one.
    const other = related.groups[2].alerts[0];
    await groups.nth(2).locator(`li[data-alert-id="${other.id}"] button`).click();
    await page.waitForURL((url) => url.searchParams.get('alert') === other.id);
    await drawer.getByRole('heading', { name: other.description, exact: true }).waitFor();
    expect(problems.errors).toEqual([]);
  });

  it.each([
    ['source address', 'ip', '10.0.1.5'],
    ['destination address', 'ip', '8.8.8.8'],
    ['user', 'user', 'bob'],
  ])('turns the %s into a link that filters the list by it', async (_, kind, value) => {
    const { page, problems } = await dashboard(`/dashboard?severity=low&alert=${anchorId}`);
    const link = page
      .getByTestId('alert-drawer')
      .locator(`dl.facts a.pivot[data-pivot="${kind}"]`, { hasText: value });
    expect(await link.getAttribute('href')).toBe(
      `/dashboard?${new URLSearchParams({ [kind]: value })}`,
    );

    await reloadsTable(page, () => link.click());

    // The pivot replaces the filters (severity=low is gone) and closes the drawer.
    expect(search(page)).toEqual({ [kind]: value });
    await page.getByTestId('alert-drawer').waitFor({ state: 'detached' });
    await expectTableToBe(page, `${kind}=${encodeURIComponent(value)}&sort=-created_at&limit=50`);
    expect(problems.errors).toEqual([]);
  });

  it('filters by an address or network typed in the filter bar, and refuses a bad one', async () => {
    const { page, problems } = await dashboard('/dashboard');
    const address = page.getByLabel('Address', { exact: true });
    await address.fill('10.0.0.0/8');
    await reloadsTable(page, () => page.getByRole('button', { name: 'Apply filters' }).click());
    expect(search(page)).toEqual({ ip: '10.0.0.0/8' });
    await expectTableToBe(page, 'ip=10.0.0.0/8&sort=-created_at&limit=50');

    await address.fill('2001:db8::/32');
    await reloadsTable(page, () => page.getByRole('button', { name: 'Apply filters' }).click());
    await expectTableToBe(page, 'ip=2001%3Adb8%3A%3A%2F32&sort=-created_at&limit=50');

    await address.fill('10.0.0.1/8');
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await page.getByRole('alert').filter({ hasText: 'ip has host bits set' }).waitFor();
    expect(await unlabelledControls(page)).toEqual([]);
    expect(problems.errors).toEqual([]);
  });
});
