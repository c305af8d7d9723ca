// The dashboard's incidents view in headless Chromium (issue 16): the list of the incidents a
// correlation rule made, the drawer with their alert count, alerts (one list request by
// `incident_id`, newest first) and history, an admin resolving
// one from the drawer (its alerts resolved with it, one already resolved skipped), an analyst
// without change controls, the alert drawer's link to its incident, and a new incident arriving
// live without a reload.
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
import { signIn } from './support/dashboard-page.js';
import { startTestApp, type TestApp, type TestUser } from './support/test-app.js';

interface Incident {
  id: string;
  title: string;
  status: string;
  alert_count: number;
  alert_ids: string[];
}

describeInBrowser('Dashboard incidents (headless Chromium)', () => {
  let t: TestApp;
  let admin: TestUser;
  let analyst: TestUser;
  let browser: Browser;
  const contexts: Array<{ close(): Promise<void> }> = [];
  const problems: PageProblems[] = [];
  /** Incident ids by the source address their alerts share. */
  const incidents = new Map<string, string>();
  let alreadyResolved: string;
  /** The alerts of the incident of 10.1.1.1, oldest first. */
  let firstAlerts: string[];

  const minutesAgo = (minutes: number) => new Date(Date.now() - minutes * 60_000).toISOString();
  let sequence = 0;

  /** Pushes alerts sharing `src`; answers their ids. */
  async function push(src: string, severities: string[]): Promise<string[]> {
    const alerts = severities.map((severity, index) => ({
      id: `inc-view-${++sequence}`,
      source: 'edr',
      severity,
      description: `Beacon from ${src} (${index + 1})`,
      created_at: minutesAgo(10 - index),
      src_ip: src,
    }));
    const res = await t.api.post('/api/ingest/alerts', { token: admin.token, body: { alerts } });
    if (res.status !== 200 || res.body.stored !== alerts.length)
      throw new Error(`push: ${res.status} ${JSON.stringify(res.body)}`);
    return (res.body.results as Array<{ id: string }>).map((r) => r.id);
  }

  async function incidentOf(alertId: string): Promise<Incident> {
    const alert = await t.api.get(`/api/alerts/${alertId}`, { token: admin.token });
    expect(alert.body.incident_id).toEqual(expect.any(String));
    const res = await t.api.get(`/api/incidents/${alert.body.incident_id}`, {
      token: admin.token,
    });
    expect(res.status).toBe(200);
    return res.body as Incident;
  }

  beforeAll(async () => {
    t = await startTestApp();
    await t.reset();
    admin = await t.user('admin', ['admin']);
    analyst = await t.user('ana', ['analyst']);
    const rule = await t.api.post('/api/correlation-rules', {
      token: admin.token,
      body: { name: 'Same host', keys: ['src_ip'], window_seconds: 3600 },
    });
    expect(rule.status).toBe(201);
    const first = await push('10.1.1.1', ['low', 'high', 'medium']);
    firstAlerts = first;
    const second = await push('10.2.2.2', ['low', 'low']);
    // One alert of the first incident is resolved already: resolving the incident skips it.
    alreadyResolved = first[0];
    const resolved = await t.api.patch(`/api/alerts/${alreadyResolved}`, {
      token: admin.token,
      body: { status: 'resolved', resolution: 'benign' },
    });
    expect(resolved.status).toBe(200);
    incidents.set('10.1.1.1', (await incidentOf(first[1])).id);
    incidents.set('10.2.2.2', (await incidentOf(second[0])).id);
    browser = await launchBrowser();
  });
  afterAll(async () => {
    for (const context of contexts) await context.close();
    await browser?.close();
    await t?.close();
  });
  afterEach(() => {
    for (const p of problems) expect(p.errors).toEqual([]);
    problems.length = 0;
  });

  /** Signs in on the overview (at `path`) and answers the page. */
  async function dashboard(user: TestUser, path = '/dashboard'): Promise<Page> {
    const { context, page, problems: seen } = await openPage(browser);
    contexts.push(context);
    problems.push(seen);
    await page.goto(t.url + path);
    await signIn(page, user.username, user.password);
    return page;
  }

  /** From the overview to the incidents page through the navigation. */
  async function incidentsPage(user: TestUser): Promise<Page> {
    const page = await dashboard(user);
    await page
      .getByRole('navigation', { name: 'Sections' })
      .getByRole('link', { name: 'Incidents' })
      .click();
    await page.locator('[data-testid=incidents-table][aria-busy=false]').waitFor();
    expect(new URL(page.url()).searchParams.get('page')).toBe('incidents');
    return page;
  }

  const row = (page: Page, id: string) => page.locator(`tr[data-incident-id="${id}"]`);
  const drawer = (page: Page) => page.getByTestId('incident-drawer');

  it('lists the incidents; an admin resolves one from its drawer, with its alerts', async () => {
    const page = await incidentsPage(admin);
    const target = incidents.get('10.1.1.1')!;
    const other = incidents.get('10.2.2.2')!;
    await row(page, target).waitFor();
    await row(page, other).waitFor();
    expect(await row(page, target).getByTestId('incident-row-count').textContent()).toBe('3');
    expect(await row(page, other).getByTestId('incident-row-count').textContent()).toBe('2');
    expect(await row(page, target).locator('.sev').textContent()).toBe('high');
    // Newest first: the second push made the newer incident.
    const order = await page
      .locator('[data-testid=incidents-table] tbody tr[data-incident-id]')
      .evaluateAll((rows) => rows.map((r) => r.getAttribute('data-incident-id')));
    expect(order).toEqual([other, target]);

    // The status filter is in the address and asks the API.
    await page.getByLabel('Status').selectOption('resolved');
    await page.locator('[data-testid=incidents-table] tbody td.muted').waitFor();
    expect(new URL(page.url()).searchParams.get('incident_status')).toBe('resolved');
    await page.getByLabel('Status').selectOption('');
    await row(page, target).waitFor();

    // The drawer reads its alerts with one list request, not one read per alert.
    const alertLists: URL[] = [];
    const alertReads: string[] = [];
    page.on('request', (request) => {
      const url = new URL(request.url());
      if (url.pathname === '/api/alerts') alertLists.push(url);
      else if (url.pathname.startsWith('/api/alerts/')) alertReads.push(url.pathname);
    });
    await row(page, target).getByRole('button').click();
    const d = drawer(page);
    await d.waitFor();
    expect(new URL(page.url()).searchParams.get('incident')).toBe(target);
    await d.getByTestId('incident-alert-count').filter({ hasText: '3' }).waitFor();
    await d.locator('[data-testid=incident-alerts] li').nth(2).waitFor();
    expect(await d.locator('[data-testid=incident-alerts] li').count()).toBe(3);
    expect(await d.getByTestId('incident-alerts-summary').textContent()).toBe(
      '3 alerts, newest first.',
    );
    const shown = await d
      .locator('[data-testid=incident-alerts] li')
      .evaluateAll((items) => items.map((li) => li.getAttribute('data-alert-id')));
    expect(shown).toEqual([...firstAlerts].reverse());
    expect(alertReads).toEqual([]);
    expect(alertLists.map((url) => Object.fromEntries(url.searchParams))).toEqual([
      { incident_id: target, limit: '50' },
    ]);

    // Acknowledge, then assign to oneself: each in the history.
    await d.getByRole('button', { name: 'Acknowledge' }).click();
    await d.getByTestId('incident-status').filter({ hasText: 'acknowledged' }).waitFor();
    await d
      .locator('[data-testid=incident-history] li', { hasText: 'open → acknowledged' })
      .waitFor();
    await d.getByRole('button', { name: 'Assign to me' }).click();
    await d.getByTestId('incident-assignee').filter({ hasText: 'admin' }).waitFor();
    await d
      .locator('[data-testid=incident-history] li', { hasText: 'assigned it to admin' })
      .waitFor();

    // Resolve: choose, confirm, and read what it did to the alerts.
    await d.getByLabel('Resolution').selectOption('true_positive');
    await d.getByLabel('Note (added alone, or kept with a resolve)').fill('Re-imaged the host');
    await d.getByRole('button', { name: 'Resolve…' }).click();
    await d.getByRole('button', { name: 'Resolve it and its 3 alerts' }).click();
    await d
      .getByTestId('incident-outcome')
      .filter({ hasText: 'Resolved: 2 alerts resolved with it, 1 skipped' })
      .waitFor();
    await d.getByTestId('incident-status').filter({ hasText: 'resolved' }).waitFor();
    await d.getByTestId('incident-resolution').filter({ hasText: 'true positive' }).waitFor();
    await d
      .locator('[data-testid=incident-history] li', { hasText: 'Re-imaged the host' })
      .waitFor();
    await row(page, target).locator('.st', { hasText: 'resolved' }).waitFor();
    // Its alerts, in the drawer and through the API.
    await d.locator('[data-testid=incident-alerts] li .st-resolved').nth(2).waitFor();
    const detail = await t.api.get(`/api/incidents/${target}`, { token: admin.token });
    expect(detail.body.status).toBe('resolved');
    for (const alertId of detail.body.alert_ids as string[]) {
      const alert = await t.api.get(`/api/alerts/${alertId}`, { token: admin.token });
      expect(alert.body.status).toBe('resolved');
      expect(alert.body.resolution).toBe(alertId === alreadyResolved ? 'benign' : 'true_positive');
    }
    // No change control is left but the note.
    expect(await d.getByRole('button', { name: 'Resolve…' }).count()).toBe(0);
    await screenshot(page, 'dashboard-incident-resolved', false);
  });

  it('shows an analyst the drawer without change controls', async () => {
    const page = await incidentsPage(analyst);
    const id = incidents.get('10.2.2.2')!;
    await row(page, id).getByRole('button').click();
    const d = drawer(page);
    await d.getByTestId('incident-alert-count').filter({ hasText: '2' }).waitFor();
    await d.locator('[data-testid=incident-alerts] li').nth(1).waitFor();
    await d.locator('[data-testid=incident-history] li', { hasText: 'No changes yet' }).waitFor();
    expect(await d.getByTestId('incident-actions').count()).toBe(0);
    expect(await d.getByRole('button', { name: /Resolve|Acknowledge|Assign/ }).count()).toBe(0);
    // Escape closes it and leaves the address.
    await page.keyboard.press('Escape');
    await d.waitFor({ state: 'detached' });
    expect(new URL(page.url()).searchParams.get('incident')).toBeNull();
  });

  it("links an alert's drawer to its incident", async () => {
    const id = incidents.get('10.2.2.2')!;
    const detail = await t.api.get(`/api/incidents/${id}`, { token: admin.token });
    const alertId = (detail.body as Incident).alert_ids[0];
    const page = await dashboard(analyst, `/dashboard?alert=${alertId}`);
    const alertDrawer = page.getByTestId('alert-drawer');
    await alertDrawer.getByRole('link', { name: 'Open its incident' }).click();
    await drawer(page).getByTestId('incident-alert-count').filter({ hasText: '2' }).waitFor();
    const url = new URL(page.url());
    expect(url.searchParams.get('page')).toBe('incidents');
    expect(url.searchParams.get('incident')).toBe(id);
    await row(page, id).waitFor();
    // Back: the alert again.
    await page.goBack();
    await alertDrawer.waitFor();
  });

  it('shows a new incident without a reload', async () => {
    const page = await incidentsPage(analyst);
    await page.locator('[data-testid=incidents-live-state]', { hasText: 'Live' }).waitFor();
    let listLoads = 0;
    page.on('request', (request) => {
      if (request.url().includes('/api/incidents?')) listLoads++;
    });
    const [alertId] = await push('10.3.3.3', ['critical']);
    const incident = await incidentOf(alertId);
    await row(page, incident.id).waitFor({ timeout: 5_000 });
    expect(await row(page, incident.id).getAttribute('data-live')).toBe('new');
    expect(await row(page, incident.id).locator('.sev').textContent()).toBe('critical');
    // Another alert of it: the row's count follows.
    await push('10.3.3.3', ['low']);
    await row(page, incident.id)
      .getByTestId('incident-row-count')
      .filter({ hasText: '2' })
      .waitFor({ timeout: 5_000 });
    expect(listLoads).toBe(0);
  });
});
