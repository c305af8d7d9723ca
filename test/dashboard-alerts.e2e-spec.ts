// The dashboard's alerts views in headless Chromium, on alerts synced from the mock upstream:
// issue 5's acceptance 2 (the UI's filters give exactly what the API gives for the same query, and
// the URL reproduces the view) and 3 (an analyst sees no controls and no status-changing actions;
// an admin resolves an alert from the drawer and the history shows it), plus bulk actions, the
// metrics, labels on every control and the phone layout.
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
  tableSettled,
  unlabelledControls,
} from './support/dashboard-page.js';
import { startMockUpstream, type MockUpstream } from './support/mock-upstream.js';
import { startTestApp, type TestApp, type TestUser } from './support/test-app.js';

const BACKLOG = 600;

async function syncAll(t: TestApp, admin: TestUser): Promise<void> {
  const started = await t.api.post('/api/sync', { token: admin.token });
  expect(started.status).toBe(202);
  const deadline = Date.now() + 90_000;
  while (Date.now() < deadline) {
    const { body } = await t.api.get('/api/sync/runs?limit=5', { token: admin.token });
    const run = body.runs.find((r: { id: string }) => r.id === started.body.run_id);
    if (run?.result === 'success') return;
    if (run && run.result !== 'running') throw new Error(`sync ${run.result}: ${run.error}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error('sync did not finish');
}

describeInBrowser('Dashboard alerts (headless Chromium)', () => {
  let mock: MockUpstream;
  let t: TestApp;
  let admin: TestUser;
  let analyst: TestUser;
  let browser: Browser;
  const open: Array<{ close(): Promise<void> }> = [];

  beforeAll(async () => {
    mock = await startMockUpstream({ MOCK_BACKLOG: String(BACKLOG) });
    t = await startTestApp({ UPSTREAM_URL: mock.url, DEFAULT_LOOKBACK_HOURS: '48' });
    await t.reset();
    admin = await t.user('admin', ['admin']);
    analyst = await t.user('ana', ['analyst']);
    // Who sits behind two of the mock's busy networks, so alerts carry a user to filter on.
    for (const [network, user_name] of [
      ['10.0.1.0/24', 'alice'],
      ['192.168.1.0/24', 'bob'],
    ]) {
      const res = await t.api.post('/api/context/ip-users', {
        token: admin.token,
        body: { network, user_name },
      });
      expect(res.status).toBe(201);
    }
    await syncAll(t, admin);
    browser = await launchBrowser();
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await t?.close();
    await mock?.close();
  });

  afterEach(async () => {
    for (const context of open.splice(0)) await context.close();
  });

  /** A signed-in page at `path` (UTC, so time inputs read as the API's instants). */
  async function dashboard(
    who: TestUser,
    path = '/dashboard',
    size?: { width: number; height: number; mobile?: boolean },
  ): Promise<{ page: Page; problems: PageProblems }> {
    const { context, page, problems } = await openPage(browser, size);
    open.push(context);
    await page.goto(t.url + path);
    await signIn(page, who.username, who.password);
    return { page, problems };
  }

  async function listed(query: string): Promise<{ ids: string[]; body: any }> {
    const res = await t.api.get(`/api/alerts?${query}`, { token: analyst.token });
    expect(res.status).toBe(200);
    return { ids: res.body.alerts.map((a: { id: string }) => a.id), body: res.body };
  }

  /** The table shows the rows and total GET /api/alerts?{query} answers, in the same order. */
  async function expectTableToBe(page: Page, query: string): Promise<string[]> {
    const { ids, body } = await listed(query);
    const shown = { query, rows: await rowIds(page), total: await shownTotal(page) };
    expect(shown).toEqual({ query, rows: ids, total: body.total });
    return ids;
  }

  describe('filters (acceptance 2)', () => {
    it('shows exactly what the API returns for the same query, and the URL reproduces it after a reload', async () => {
      // Values that exist in the data, read from the API.
      const sample = (await listed('limit=500&sort=created_at')).body.alerts as any[];
      const withCountry = sample.find((a) => a.country && a.user && a.status === 'open');
      const word = /[A-Za-z]{4,}/.exec(withCountry.description)![0];
      const { page, problems } = await dashboard(analyst);
      const apply = () =>
        reloadsTable(page, () => page.getByRole('button', { name: 'Apply filters' }).click());
      const clear = () =>
        reloadsTable(page, () => page.getByRole('button', { name: 'Clear' }).click());

      const cases: Array<{
        name: string;
        set: () => Promise<void>;
        query: string;
        url: Record<string, string>;
      }> = [
        {
          name: 'severity and enrichment type',
          set: async () => {
            await page.getByRole('checkbox', { name: 'high', exact: true }).check();
            await page.getByRole('checkbox', { name: 'critical', exact: true }).check();
            await page.getByLabel('Enrichment', { exact: true }).selectOption('tor_exit_node');
          },
          query: 'severity=high,critical&enrichment_type=tor_exit_node&sort=-created_at&limit=50',
          url: { severity: 'high,critical', enrichment_type: 'tor_exit_node' },
        },
        {
          name: 'source, status, time range and text, oldest first, 25 a page',
          set: async () => {
            await page.getByLabel('Source', { exact: true }).fill(withCountry.source);
            await page.getByLabel('Status', { exact: true }).selectOption('open');
            await page.getByLabel('Created', { exact: true }).selectOption('168');
            await page.getByLabel('Description contains').fill(word);
            await page.getByLabel('Order', { exact: true }).selectOption('created_at');
            await page.getByLabel('Per page', { exact: true }).selectOption('25');
          },
          query: `source=${withCountry.source}&status=open&hours=168&q=${word}&sort=created_at&limit=25`,
          url: {
            source: withCountry.source,
            status: 'open',
            hours: '168',
            q: word,
            sort: 'created_at',
            limit: '25',
          },
        },
        {
          // "Clear" keeps the page size chosen before.
          name: 'country, user, origin and an explicit interval',
          set: async () => {
            await page
              .getByLabel('Country', { exact: true })
              .fill(withCountry.country.toLowerCase());
            await page.getByLabel('User', { exact: true }).fill(withCountry.user);
            await page.getByLabel('Origin', { exact: true }).selectOption('upstream');
            await page.getByLabel('From', { exact: true }).fill('2000-01-01T00:00');
            await page.getByLabel('Until', { exact: true }).fill('2100-01-01T00:00');
          },
          query:
            `country=${withCountry.country}&user=${withCountry.user}&origin=upstream` +
            '&since=2000-01-01T00:00:00.000Z&until=2100-01-01T00:00:00.000Z&sort=-created_at&limit=25',
          url: {
            country: withCountry.country,
            user: withCountry.user,
            origin: 'upstream',
            since: '2000-01-01T00:00:00.000Z',
            until: '2100-01-01T00:00:00.000Z',
            limit: '25',
          },
        },
      ];

      for (const c of cases) {
        if (new URL(page.url()).search) await clear();
        await c.set();
        await apply();

        const ids = await expectTableToBe(page, c.query);
        expect({ case: c.name, rows: ids.length }).toEqual({
          case: c.name,
          rows: expect.any(Number),
        });
        expect(ids.length).toBeGreaterThan(0);
        expect(Object.fromEntries(new URL(page.url()).searchParams)).toEqual(c.url);

        await page.reload();
        await tableSettled(page);
        expect(await rowIds(page)).toEqual(ids);
      }
      // The last case's controls are as the URL says after the reload.
      expect(await page.getByLabel('Country', { exact: true }).inputValue()).toBe(
        withCountry.country,
      );
      expect(await page.getByLabel('Origin', { exact: true }).inputValue()).toBe('upstream');
      await screenshot(page, 'dashboard-4-filters');
      expect(problems.errors).toEqual([]);
    });

    it('pages with the keyset cursor like the API, keeps the page in the URL, and a shared link opens the same view', async () => {
      const { page } = await dashboard(analyst, '/dashboard?severity=low,medium&limit=25');
      const first = await expectTableToBe(page, 'severity=low,medium&sort=-created_at&limit=25');
      const { body } = await listed('severity=low,medium&sort=-created_at&limit=25');
      expect(body.has_more).toBe(true);

      await reloadsTable(page, () => page.getByRole('button', { name: 'Next page' }).click());
      const second = await expectTableToBe(
        page,
        `severity=low,medium&sort=-created_at&limit=25&cursor=${encodeURIComponent(body.next_cursor)}`,
      );
      expect(second.some((id) => first.includes(id))).toBe(false);
      expect(new URL(page.url()).searchParams.get('cursor')).toBe(body.next_cursor);

      // Someone else opens the link: after signing in, the same page of the same filters.
      const other = await dashboard(
        admin,
        new URL(page.url()).pathname + new URL(page.url()).search,
      );
      expect(await rowIds(other.page)).toEqual(second);

      await reloadsTable(page, () => page.getByRole('button', { name: 'Previous page' }).click());
      expect(await rowIds(page)).toEqual(first);
    });
  });

  describe('who may do what (acceptance 3)', () => {
    it('shows an analyst no controls and no status-changing actions', async () => {
      const { page, problems } = await dashboard(analyst);
      const writes: string[] = [];
      page.on('request', (req) => {
        if (req.method() !== 'GET' && !req.url().includes('/api/auth/'))
          writes.push(`${req.method()} ${req.url()}`);
      });

      expect(await page.locator('#controls').count()).toBe(0);
      expect(await page.getByRole('button', { name: 'Sync now' }).count()).toBe(0);
      expect(await page.getByRole('link', { name: 'Controls' }).count()).toBe(0);
      expect(await page.getByRole('form', { name: 'Bulk actions' }).count()).toBe(0);
      expect(await page.locator('[data-testid=alerts-table] input[type=checkbox]').count()).toBe(0);
      await screenshot(page, 'dashboard-5-analyst');

      await page.locator('[data-testid=alerts-table] tbody tr button.link').first().click();
      await page.getByTestId('alert-history').waitFor();
      await page.getByTestId('drawer-status').waitFor();
      expect(await page.getByTestId('change-form').count()).toBe(0);
      expect(await page.getByLabel('Add a note').count()).toBe(0);
      expect(await page.getByRole('button', { name: /Save|Add note|Apply/ }).count()).toBe(1); // "Apply filters" only
      await screenshot(page, 'dashboard-6-analyst-drawer', false);
      expect(writes).toEqual([]);
      expect(problems.errors).toEqual([]);
    });

    it('lets an admin resolve an alert from the drawer, and the history shows it', async () => {
      const { ids } = await listed('status=open&sort=-created_at&limit=1');
      const id = ids[0];
      const { page, problems } = await dashboard(admin, `/dashboard?status=open&alert=${id}`);
      const drawer = page.getByTestId('alert-drawer');
      await drawer.getByTestId('drawer-status').waitFor();
      expect(await drawer.getByTestId('drawer-status').textContent()).toBe('open');

      await drawer.getByLabel('New status').selectOption('resolved');
      await drawer.getByLabel('Resolution').selectOption('false_positive');
      await drawer
        .getByLabel('Note with the change (optional)')
        .fill('Scanner of our own red team.');
      await drawer.getByRole('button', { name: 'Save changes' }).click();

      await drawer.locator('[data-testid=drawer-status]:text-is("resolved")').waitFor();
      const entry = drawer.locator('[data-testid=alert-history] li', {
        hasText: 'changed status open → resolved as false positive',
      });
      await entry.waitFor();
      expect(await entry.textContent()).toContain('admin');
      expect(await entry.textContent()).toContain('Scanner of our own red team.');
      expect(await drawer.getByLabel('New status').isDisabled()).toBe(true); // resolved is final
      await screenshot(page, 'dashboard-7-admin-resolved', false);

      const stored = await t.api.get(`/api/alerts/${id}`, { token: analyst.token });
      expect(stored.body).toMatchObject({ status: 'resolved', resolution: 'false_positive' });
      const history = await t.api.get(`/api/alerts/${id}/history`, { token: analyst.token });
      expect(history.body.history).toEqual([
        expect.objectContaining({
          actor: expect.objectContaining({ username: 'admin' }),
          field: 'status',
          from: 'open',
          to: 'resolved',
          resolution: 'false_positive',
          note: 'Scanner of our own red team.',
        }),
      ]);
      expect(problems.errors).toEqual([]);
    });

    it('lets an admin add a note and assign an alert', async () => {
      const { ids } = await listed('status=open&sort=created_at&limit=1');
      const { page } = await dashboard(admin, `/dashboard?alert=${ids[0]}`);
      const drawer = page.getByTestId('alert-drawer');
      await drawer.getByTestId('drawer-status').waitFor();

      await drawer.getByLabel('Assignee (username, empty for nobody)').fill('ana');
      await drawer.getByRole('button', { name: 'Save changes' }).click();
      await drawer.locator('[data-testid=drawer-assignee]:text-is("ana")').waitFor();
      await drawer
        .locator('[data-testid=alert-history] li', { hasText: 'assigned it to ana' })
        .waitFor();
      await drawer.getByLabel('Add a note').fill('Asked the VPN team.');
      await drawer.getByRole('button', { name: 'Add note' }).click();
      await drawer
        .locator('[data-testid=alert-history] li', { hasText: 'Asked the VPN team.' })
        .waitFor();
      await screenshot(page, 'dashboard-8-admin-note-assign', false);

      const stored = await t.api.get(`/api/alerts/${ids[0]}`, { token: analyst.token });
      expect(stored.body.assignee).toMatchObject({ username: 'ana' });
    });
  });

  describe('bulk actions', () => {
    it('acknowledges the selected rows, then every alert matching the filters', async () => {
      const source = (await listed('status=open&limit=1')).body.alerts[0].source;
      const { page, problems } = await dashboard(
        admin,
        `/dashboard?status=open&source=${source}&limit=25`,
      );
      const [a, b] = await rowIds(page);
      await page.locator(`tr[data-alert-id="${a}"] input[type=checkbox]`).check();
      await page.locator(`tr[data-alert-id="${b}"] input[type=checkbox]`).check();
      const bulk = page.getByRole('form', { name: 'Bulk actions' });

      await bulk.getByLabel('Action').selectOption('acknowledged');
      await bulk.getByLabel('Note (optional)').fill('Triage sweep');
      await reloadsTable(page, () => bulk.getByRole('button', { name: 'Apply to 2' }).click());
      expect(await bulk.getByTestId('bulk-outcome').textContent()).toBe('Changed 2 of 2 alerts.');
      for (const id of [a, b]) {
        expect((await t.api.get(`/api/alerts/${id}`, { token: analyst.token })).body.status).toBe(
          'acknowledged',
        );
      }

      const remaining = (await listed(`status=open&source=${source}&limit=1`)).body.total;
      expect(remaining).toBeGreaterThan(0);
      await bulk.getByRole('radio', { name: /matching the filters/ }).check();
      await bulk.getByRole('button', { name: `Apply to ${remaining}` }).click();
      await reloadsTable(page, () =>
        bulk.getByRole('button', { name: `Confirm: change up to ${remaining} alerts` }).click(),
      );
      expect(await bulk.getByTestId('bulk-outcome').textContent()).toBe(
        `Changed ${remaining} of ${remaining} alerts.`,
      );
      expect((await listed(`status=open&source=${source}&limit=1`)).body.total).toBe(0);
      expect(await rowIds(page)).toEqual([]);
      await screenshot(page, 'dashboard-9-admin-bulk');
      expect(problems.errors).toEqual([]);
    });
  });

  describe('metrics, labels and small screens', () => {
    it('draws the metrics the API reports', async () => {
      const stats = await t.api.get('/api/alerts/stats?hours=24', { token: analyst.token });
      expect(stats.status).toBe(200);
      const { page, problems } = await dashboard(analyst);

      await page.getByTestId('critical-count').waitFor();
      expect(await page.getByTestId('critical-count').textContent()).toBe(
        stats.body.by_severity.critical.toLocaleString('en'),
      );
      expect(await page.locator('svg.timeline rect').count()).toBeGreaterThan(0);

      await screenshot(page, 'dashboard-10-metrics');
      expect(problems.errors).toEqual([]);
    });

    it('labels every control, with an alert open in an admin session', async () => {
      const { ids } = await listed('limit=1');
      const { page } = await dashboard(admin, `/dashboard?alert=${ids[0]}`);
      await page.getByTestId('change-form').waitFor();
      await page
        .getByRole('form', { name: 'Bulk actions' })
        .getByLabel('Action')
        .selectOption('resolved');

      expect(await unlabelledControls(page)).toEqual([]);
      await screenshot(page, 'dashboard-11-admin-drawer', false);
    });

    it('is readable on a phone', async () => {
      const { page, problems } = await dashboard(analyst, '/dashboard?severity=critical', {
        width: 390,
        height: 844,
        mobile: true,
      });

      const overflow = await page.evaluate(
        () => document.documentElement.scrollWidth - window.innerWidth,
      );
      expect(overflow).toBeLessThanOrEqual(0); // only the table scrolls sideways, inside its box
      expect(await page.getByTestId('health-status').isVisible()).toBe(true);
      await screenshot(page, 'dashboard-12-phone', false);
      await screenshot(page, 'dashboard-13-phone-full-page');
      expect(problems.errors).toEqual([]);
    });
  });

  describe('alert drawer', () => {
    it('shows the event behind an alert raised by an event', async () => {
      const { rows } = await t.db.query<{ id: string }>(
        `WITH event AS (
           INSERT INTO events (source, event_type, severity, description, occurred_at, src_ip, attributes)
           VALUES ('edr', 'process_injection', 'high', 'Injected into lsass', now(), '10.0.1.7',
                   '{"process": "lsass.exe", "pid": 812}')
           RETURNING id, occurred_at)
         INSERT INTO alerts (source, fingerprint, severity, description, created_at, origin, event_id, src_ip)
         SELECT 'edr', decode(md5(event.id::text), 'hex'), 'high', 'Injected into lsass',
                event.occurred_at, 'event', event.id, '10.0.1.7'
         FROM event RETURNING id`,
      );
      const { page, problems } = await dashboard(
        analyst,
        `/dashboard?origin=event&alert=${rows[0].id}`,
      );
      const drawer = page.getByTestId('alert-drawer');

      const event = drawer.getByRole('region', { name: 'Event' });
      await event.waitFor();
      expect(await event.textContent()).toContain('process_injection');
      expect(await event.locator('pre').textContent()).toContain('"process": "lsass.exe"');
      expect(await rowIds(page)).toEqual([rows[0].id]);
      await screenshot(page, 'dashboard-16-event-alert', false);

      await page.keyboard.press('Escape');
      await drawer.waitFor({ state: 'detached' });
      expect(new URL(page.url()).searchParams.get('alert')).toBeNull();
      expect(problems.errors).toEqual([]);
    });
  });
});
