// The dashboard's admin pages for integrations (issue 15, acceptance 5) in headless Chromium:
// webhook subscriptions (created against a receiver of the suite's own on loopback, the secret shown
// once and verified on the test message, the delivery log, pause and enable, delete) and API keys
// (shown once, used, revoked in the page and refused next); an analyst sees neither.
// The callbacks given to page.evaluate run in the browser: DOM types.
/// <reference lib="dom" />
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { Webhook as StandardWebhook } from 'standardwebhooks';
import {
  describeInBrowser,
  launchBrowser,
  openPage,
  screenshot,
  type PageProblems,
} from './support/browser.js';
import { signIn, unlabelledControls } from './support/dashboard-page.js';
import { waitUntil } from './support/sync.js';
import { startTestApp, type TestApp, type TestUser } from './support/test-app.js';
import { startWebhookReceiver, type WebhookReceiver } from './support/webhook-receiver.js';

/** A Slack-like path: everything after its first segment is the credential. */
const HOOK_PATH = '/services/T0SECRET/B0SECRET/xoxSecretPart';
const LOG_PAGE = 25;

/** Every text of the page a user could read or copy: rendered text and the inputs' values. */
const visibleText = (page: Page): Promise<string> =>
  page.evaluate(
    () =>
      document.body.innerText +
      [...document.querySelectorAll('input')].map((input) => input.value).join('\n'),
  );

const cells = (row: Locator): Promise<string[]> => row.locator('td').allTextContents();

/** Waits until `locator` matches exactly `n` elements. */
async function countIs(locator: Locator, n: number): Promise<void> {
  await waitUntil(`${n} matches of ${locator.toString()}`, async () =>
    (await locator.count()) === n ? true : undefined,
  );
}

describeInBrowser('Dashboard integrations pages (headless Chromium)', () => {
  let t: TestApp;
  let receiver: WebhookReceiver;
  let browser: Browser;
  let admin: TestUser;
  let analyst: TestUser;
  const open: BrowserContext[] = [];

  beforeAll(async () => {
    receiver = await startWebhookReceiver();
    t = await startTestApp({
      UPSTREAM_URL: 'http://127.0.0.1:1',
      SYNC_ENABLED: 'false',
      // Fast outbox: a failed delivery pauses its subscription at once.
      WEBHOOK_POLL_INTERVAL_MS: '100',
      WEBHOOK_RETRY_SCHEDULE_SECONDS: '1',
      WEBHOOK_PAUSE_AFTER_FAILURES: '1',
      WEBHOOK_TIMEOUT_SECONDS: '2',
    });
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
    await receiver?.close();
  });
  beforeEach(async () => {
    await t.reset();
    receiver.received.length = 0;
    receiver.respond(null);
    admin = await t.user('admin', ['admin']);
    analyst = await t.user('ana', ['analyst']);
  });
  afterEach(async () => {
    for (const context of open.splice(0)) await context.close();
  });

  async function dashboard(
    who: TestUser,
    size?: { width: number; height: number; mobile?: boolean },
  ): Promise<{ context: BrowserContext; page: Page; problems: PageProblems }> {
    const opened = await openPage(browser, size);
    open.push(opened.context);
    await opened.page.goto(`${t.url}/dashboard`);
    await signIn(opened.page, who.username, who.password);
    return opened;
  }

  const sections = (page: Page) => page.getByRole('navigation', { name: 'Sections' });

  describe('webhooks', () => {
    it('subscribes a receiver, shows its secret once, tests it, logs its deliveries, pauses, enables and deletes it', async () => {
      const { context, page, problems } = await dashboard(admin);
      await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: t.url });

      await sections(page).getByRole('link', { name: 'Webhooks' }).click();
      await page.getByRole('heading', { name: 'Webhook subscriptions' }).waitFor();
      expect(new URL(page.url()).searchParams.get('page')).toBe('webhooks');
      expect(await page.title()).toBe('Webhooks · Vigil dashboard');
      await page.locator('[data-testid=webhooks-table][aria-busy=false]').waitFor();
      expect(await page.getByTestId('webhooks-table').textContent()).toContain(
        'No subscription yet',
      );

      // An invalid URL: the service's problem+json, shown like the other forms show theirs.
      const form = page.getByTestId('webhook-form');
      await form.getByLabel('Receiver URL').fill('ftp://files.example.com/drop');
      await form.getByRole('button', { name: 'Create subscription' }).click();
      const formError = page.getByTestId('webhook-form-error');
      await formError.waitFor();
      expect(await formError.getAttribute('role')).toBe('alert');
      expect(await formError.textContent()).toContain('url must be an http or https URL');

      // Created: the secret once, with a copy button.
      await form.getByLabel('Receiver URL').fill(receiver.url + HOOK_PATH);
      await form.getByRole('checkbox', { name: 'alert.changed' }).check();
      await form.getByRole('checkbox', { name: 'critical', exact: true }).check();
      await form.getByRole('checkbox', { name: 'high', exact: true }).check();
      await form.getByLabel('Source', { exact: true }).fill('edr');
      await form.getByRole('button', { name: 'Create subscription' }).click();

      const shown = page.getByTestId('webhook-secret');
      await shown.waitFor();
      expect(await shown.textContent()).toContain('Copy it now: you will not see it again.');
      const secret = await shown.getByLabel('Signing secret').inputValue();
      expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{40,}={0,2}$/);
      await shown.getByRole('button', { name: 'Copy' }).click();
      await shown.getByText('Copied to the clipboard.').waitFor();
      expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(secret);
      expect(await formError.count()).toBe(0);

      const listed = await t.api.get('/api/webhooks', { token: admin.token });
      expect(listed.body.webhooks).toEqual([
        expect.objectContaining({
          url: receiver.url + HOOK_PATH,
          events: ['alert.created', 'alert.changed'],
          filter: { severity: ['high', 'critical'], source: 'edr' },
          format: 'standard',
          enabled: true,
        }),
      ]);
      const id: string = listed.body.webhooks[0].id;
      const row = page.locator(`tr[data-webhook-id="${id}"]`);
      await row.waitFor();
      expect(await row.getByTestId('webhook-url').textContent()).toBe(`${receiver.url}/services/…`);
      expect(await row.getByTestId('webhook-filter').textContent()).toBe(
        'severity high, critical · source edr',
      );
      expect(await row.getByTestId('webhook-state').textContent()).toBe('enabled');
      await screenshot(page, 'dashboard-20-webhook-secret-shown-once');

      await shown.getByRole('button', { name: /^Done/ }).click();
      await shown.waitFor({ state: 'detached' });
      const text = await visibleText(page);
      expect(text).not.toContain(secret);
      expect(text).not.toContain('T0SECRET'); // nor the URL's secret part, anywhere
      expect(text).not.toContain('xoxSecretPart');

      // "Send test": delivered, signed with the secret the page showed.
      await row.getByRole('button', { name: 'Send test' }).click();
      const outcome = page.getByTestId('webhook-outcome');
      await outcome.waitFor();
      expect(await outcome.textContent()).toMatch(
        /^Test message to http:\/\/127\.0\.0\.1:\d+\/services\/… delivered: HTTP 204 in \d+ ms\.$/,
      );
      const [test] = receiver.at(HOOK_PATH);
      expect(JSON.parse(test.body)).toMatchObject({ type: 'webhook.test' });
      expect(() =>
        new StandardWebhook(secret).verify(test.body, test.headers as Record<string, string>),
      ).not.toThrow();

      // The delivery log, linked from the URL.
      await row.getByRole('button', { name: 'Deliveries' }).click();
      const log = page.getByRole('region', { name: /^Deliveries to/ });
      const logRows = log.locator('tbody tr[data-delivery-id]');
      await logRows.first().waitFor();
      expect(new URL(page.url()).searchParams.get('webhook')).toBe(id);
      expect(
        await row.getByRole('button', { name: 'Deliveries' }).getAttribute('aria-expanded'),
      ).toBe('true');
      expect(await logRows.first().getAttribute('data-delivery-id')).toBe(
        test.headers['webhook-id'],
      );
      const [, type, alerts, status, attempts, answer, latency, delivered] = await cells(
        logRows.first(),
      );
      expect({ type, alerts, status, attempts, answer }).toEqual({
        type: 'webhook.test',
        alerts: '0',
        status: 'delivered',
        attempts: '1',
        answer: 'HTTP 204',
      });
      expect(latency).toMatch(/^\d+ ms$/);
      expect(delivered).not.toBe('–');

      // A matching alert the receiver refuses: the subscription pauses, saying why.
      receiver.respond(() => ({ status: 410, body: 'no such hook' }));
      const raised = await t.api.post('/api/events', {
        token: admin.token,
        body: {
          source: 'edr',
          event_type: 'credential_dumping',
          severity: 'critical',
          description: 'LSASS memory read on fin-ws-7',
          src_ip: '10.20.30.40',
        },
      });
      expect(raised.status).toBe(201);
      await waitUntil('the subscription to pause', async () =>
        (await t.api.get(`/api/webhooks/${id}`, { token: admin.token })).body.enabled === false
          ? true
          : undefined,
      );
      await page.getByRole('button', { name: 'Refresh list' }).click();
      const reason = row.getByTestId('paused-reason');
      await reason.waitFor();
      expect(await row.getByTestId('webhook-state').textContent()).toMatch(/^paused/);
      expect(await reason.textContent()).toMatch(
        /^Paused: a delivery failed; the last: HTTP 410: no such hook/,
      );
      await log.getByRole('button', { name: 'Refresh log' }).click();
      const failed = log.locator('tbody tr[data-status=failed]');
      await failed.waitFor();
      const [, failedType, failedAlerts, failedStatus, , failedAnswer] = await cells(failed);
      expect({ failedType, failedAlerts, failedStatus }).toEqual({
        failedType: 'alert.created',
        failedAlerts: '1',
        failedStatus: 'failed',
      });
      expect(failedAnswer).toMatch(/^HTTP 410.*no such hook/);
      await screenshot(page, 'dashboard-21-webhook-paused-and-log');

      // Enabled again (the pause ends), then disabled by hand.
      receiver.respond(null);
      await row.getByRole('button', { name: 'Enable' }).click();
      await row.locator('[data-testid=webhook-state]', { hasText: /^enabled$/ }).waitFor();
      expect((await t.api.get(`/api/webhooks/${id}`, { token: admin.token })).body).toMatchObject({
        enabled: true,
        paused_at: null,
        paused_reason: null,
        consecutive_failures: 0,
      });
      expect(await reason.count()).toBe(0);
      await row.getByRole('button', { name: 'Disable' }).click();
      await row.locator('[data-testid=webhook-state]', { hasText: /^disabled$/ }).waitFor();
      expect((await t.api.get(`/api/webhooks/${id}`, { token: admin.token })).body).toMatchObject({
        enabled: false,
        paused_reason: null,
      });

      // More than a page of log: "Show more" follows the cursor to the rest, in the API's order.
      for (let i = 0; i < 28; i++) {
        expect((await t.api.post(`/api/webhooks/${id}/test`, { token: admin.token })).status).toBe(
          200,
        );
      }
      const all = await t.api.get(`/api/webhooks/${id}/deliveries?limit=200`, {
        token: admin.token,
      });
      expect(all.body.deliveries).toHaveLength(30);
      await log.getByRole('button', { name: 'Refresh log' }).click();
      await countIs(logRows, LOG_PAGE);
      expect(await log.getByTestId('deliveries-total').textContent()).toBe('30');
      await log.getByRole('button', { name: 'Show more' }).click();
      await countIs(logRows, 30);
      expect(
        await logRows.evaluateAll((rows) => rows.map((r) => r.getAttribute('data-delivery-id'))),
      ).toEqual(all.body.deliveries.map((d: { id: string }) => d.id));
      expect(await log.getByRole('button', { name: 'Show more' }).count()).toBe(0);
      await log.getByLabel('Status').selectOption('failed');
      await countIs(logRows, 1);

      // Delete: asked again; Escape takes it back, from the keyboard as well.
      await row.getByRole('button', { name: 'Delete' }).focus();
      await page.keyboard.press('Enter');
      const confirm = row.getByRole('button', { name: 'Delete for good' });
      await confirm.waitFor();
      expect(await confirm.evaluate((el) => el === document.activeElement)).toBe(true);
      await page.keyboard.press('Escape');
      await confirm.waitFor({ state: 'detached' });
      expect(
        await row
          .getByRole('button', { name: 'Delete' })
          .evaluate((el) => el === document.activeElement),
      ).toBe(true);
      expect((await t.api.get('/api/webhooks', { token: admin.token })).body.webhooks).toHaveLength(
        1,
      );
      await row.getByRole('button', { name: 'Delete' }).click();
      await confirm.click();
      await row.waitFor({ state: 'detached' });
      expect(await outcome.textContent()).toMatch(/^Subscription to .*\/services\/… deleted\.$/);
      await log.waitFor({ state: 'detached' });
      expect(new URL(page.url()).searchParams.get('webhook')).toBeNull();
      expect((await t.api.get('/api/webhooks', { token: admin.token })).body.webhooks).toEqual([]);
      expect(problems.errors).toEqual([]);
    });
    it("changes a subscription in the form, never showing its URL, and keeps the list's Disable", async () => {
      const created = await t.api.post('/api/webhooks', {
        token: admin.token,
        body: {
          url: receiver.url + HOOK_PATH,
          events: ['alert.created'],
          filter: { severity: 'critical', source: 'edr' },
        },
      });
      expect(created.status).toBe(201);
      const id: string = created.body.id;
      const current = async () =>
        (await t.api.get(`/api/webhooks/${id}`, { token: admin.token })).body;

      const { page, problems } = await dashboard(admin);
      await sections(page).getByRole('link', { name: 'Webhooks' }).click();
      const row = page.locator(`tr[data-webhook-id="${id}"]`);
      await row.waitFor();
      const edit = row.getByRole('button', { name: 'Edit' });
      const form = page.getByTestId('webhook-form');
      const title = page.locator('#webhook-form-title');
      const focused = (locator: Locator) => locator.evaluate((el) => el === document.activeElement);

      // Opened with the subscription as it is; the URL only as its start, as a placeholder.
      await edit.click();
      await title.filter({ hasText: /^Edit the subscription to / }).waitFor();
      expect(await title.textContent()).toBe(`Edit the subscription to ${receiver.url}/services/…`);
      expect(await focused(title)).toBe(true);
      expect(await edit.getAttribute('aria-expanded')).toBe('true');
      const url = form.getByLabel('Receiver URL');
      expect(await url.inputValue()).toBe('');
      expect(await url.getAttribute('placeholder')).toBe(`unchanged: ${receiver.url}/services/…`);
      expect(await form.getByRole('checkbox', { name: 'alert.created' }).isChecked()).toBe(true);
      expect(await form.getByRole('checkbox', { name: 'alert.changed' }).isChecked()).toBe(false);
      expect(await form.getByRole('checkbox', { name: 'critical', exact: true }).isChecked()).toBe(
        true,
      );
      expect(await form.getByLabel('Source', { exact: true }).inputValue()).toBe('edr');
      expect(await visibleText(page)).not.toContain('T0SECRET');

      // Changed and saved: the URL stays, the outcome says so, the focus goes back to the row.
      await form.getByRole('checkbox', { name: 'alert.changed' }).check();
      await form.getByRole('checkbox', { name: 'critical', exact: true }).uncheck();
      await form.getByRole('checkbox', { name: 'high', exact: true }).check();
      await form.getByLabel('Source', { exact: true }).fill('');
      await form.getByLabel('Status').selectOption('open');
      await form.getByLabel('Format').selectOption('slack');
      await screenshot(page, 'dashboard-27-webhook-edit');
      await form.getByRole('button', { name: 'Save changes' }).click();
      const outcome = page.getByTestId('webhook-outcome');
      await outcome.filter({ hasText: 'saved' }).waitFor();
      expect(await outcome.textContent()).toBe(`Subscription to ${receiver.url}/services/… saved.`);
      await title.filter({ hasText: 'New subscription' }).waitFor();
      expect(await focused(edit)).toBe(true);
      expect(await current()).toMatchObject({
        url: receiver.url + HOOK_PATH,
        events: ['alert.created', 'alert.changed'],
        filter: { severity: ['high'], status: 'open' },
        format: 'slack',
        enabled: true,
      });
      await row
        .getByTestId('webhook-filter')
        .filter({ hasText: /^severity high · status open$/ })
        .waitFor();

      // Disabled from the list while the form is open: saving the form does not enable it again.
      await edit.click();
      await title.filter({ hasText: /^Edit/ }).waitFor();
      await row.getByRole('button', { name: 'Disable' }).click();
      await row.locator('[data-testid=webhook-state]', { hasText: /^disabled$/ }).waitFor();
      await form.getByLabel('Description contains').fill('port scan');
      await form.getByRole('button', { name: 'Save changes' }).click();
      await title.filter({ hasText: 'New subscription' }).waitFor();
      expect(await current()).toMatchObject({
        enabled: false,
        filter: { severity: ['high'], status: 'open', q: 'port scan' },
      });

      // A bad URL: the service's problem, and the form stays open; a good one replaces it.
      await edit.click();
      await title.filter({ hasText: /^Edit/ }).waitFor();
      await url.fill('ftp://files.example.com/drop');
      await form.getByRole('button', { name: 'Save changes' }).click();
      const formError = page.getByTestId('webhook-form-error');
      await formError.waitFor();
      expect(await formError.textContent()).toContain('url must be an http or https URL');
      expect(await title.textContent()).toMatch(/^Edit/);
      await url.fill(`${receiver.url}/v2/hook`);
      await form.getByRole('button', { name: 'Save changes' }).click();
      await title.filter({ hasText: 'New subscription' }).waitFor();
      expect((await current()).url).toBe(`${receiver.url}/v2/hook`);

      // Cancel changes nothing.
      const before = await current();
      await edit.click();
      await title.filter({ hasText: /^Edit/ }).waitFor();
      await form.getByRole('checkbox', { name: 'alert.created' }).uncheck();
      await form.getByRole('button', { name: 'Cancel' }).click();
      await title.filter({ hasText: 'New subscription' }).waitFor();
      expect(await focused(edit)).toBe(true);
      expect(await current()).toEqual(before);
      expect(problems.errors).toEqual([]);
    });
  });

  describe('API keys', () => {
    it('creates a key shown once that works until it is revoked in the page', async () => {
      const { page, problems } = await dashboard(admin);

      await sections(page).getByRole('link', { name: 'API keys' }).click();
      await page.getByRole('heading', { name: 'API keys', exact: true }).waitFor();
      expect(new URL(page.url()).searchParams.get('page')).toBe('api-keys');
      await page.locator('[data-testid=api-keys-table][aria-busy=false]').waitFor();

      const form = page.getByTestId('api-key-form');
      const create = async (name: string, group: string, expires?: string) => {
        await form.getByLabel('Name').fill(name);
        await form.getByRole('checkbox', { name: group, exact: true }).check();
        if (expires) await form.getByLabel('Expires (optional)').fill(expires);
        await form.getByRole('button', { name: 'Create key' }).click();
      };

      await create('tines-triage', 'analyst');
      const shown = page.getByTestId('api-key-secret');
      await shown.waitFor();
      expect(await shown.textContent()).toContain('Copy it now: you will not see it again.');
      const key = await shown.getByLabel('API key').inputValue();
      expect(key).toMatch(/^vgk_[A-Za-z0-9_-]{43}$/);

      const [listed] = (await t.api.get('/api/api-keys', { token: admin.token })).body.api_keys;
      expect(listed).toMatchObject({ name: 'tines-triage', groups: ['analyst'], expires_at: null });
      const row = page.locator(`tr[data-api-key-id="${listed.id}"]`);
      await row.waitFor();
      const [name, groups, prefix, , expires, lastUsed, state] = await cells(row);
      expect({ name, groups, prefix, expires, lastUsed, state }).toEqual({
        name: 'tines-triage',
        groups: 'analyst',
        prefix: `${key.slice(0, 12)}…`,
        expires: 'never',
        lastUsed: 'never',
        state: 'active',
      });

      // Used by a machine: the list shows its last use.
      expect((await t.api.get('/api/alerts', { token: key })).status).toBe(200);
      await waitUntil('the last use to be listed', async () => {
        await page.getByRole('button', { name: 'Refresh list' }).click();
        await page.locator('[data-testid=api-keys-table][aria-busy=false]').waitFor();
        const text = await row.getByTestId('api-key-last-used').textContent();
        return text !== 'never' ? text : undefined;
      });
      await screenshot(page, 'dashboard-22-api-key-shown-once');
      await shown.getByRole('button', { name: /^Done/ }).click();
      await shown.waitFor({ state: 'detached' });
      expect(await visibleText(page)).not.toContain(key);

      // A least-privilege ingest key that expires.
      await create('splunk-push', 'ingest', '2099-01-01T00:00');
      await shown.waitFor();
      const ingestKey = await shown.getByLabel('API key').inputValue();
      expect(ingestKey).not.toBe(key);
      const keys = (await t.api.get('/api/api-keys', { token: admin.token })).body.api_keys;
      const ingest = keys.find((k: { name: string }) => k.name === 'splunk-push');
      expect(ingest).toMatchObject({ groups: ['ingest'], expires_at: '2099-01-01T00:00:00.000Z' });
      const ingestRow = page.locator(`tr[data-api-key-id="${ingest.id}"]`);
      await ingestRow.waitFor();
      expect(await ingestRow.getByTestId('api-key-expires').textContent()).toContain('2099');
      expect((await t.api.get('/api/alerts', { token: ingestKey })).status).toBe(403);

      // A live key's name again: the service's 409, shown in the form.
      await create('tines-triage', 'analyst');
      const formError = page.getByTestId('api-key-form-error');
      await formError.waitFor();
      expect(await formError.getAttribute('role')).toBe('alert');
      expect(await formError.textContent()).toContain('tines-triage');

      // Revoked in two steps: refused from the next request on.
      await row.getByRole('button', { name: 'Revoke' }).click();
      await row.getByRole('button', { name: 'Revoke now' }).click();
      await row.locator('[data-testid=api-key-state]', { hasText: /^revoked/ }).waitFor();
      expect(await page.getByTestId('api-key-outcome').textContent()).toContain('revoked');
      expect(await row.getByRole('button', { name: 'Revoke' }).count()).toBe(0);
      expect((await t.api.get('/api/alerts', { token: key })).status).toBe(401);
      expect(
        (await t.api.get('/api/api-keys', { token: admin.token })).body.api_keys.find(
          (k: { id: string }) => k.id === listed.id,
        ).revoked_at,
      ).not.toBeNull();
      await screenshot(page, 'dashboard-23-api-key-revoked');
      expect(problems.errors).toEqual([]);
    });
  });

  describe('who sees them', () => {
    it('shows an analyst neither page, and loads nothing of theirs', async () => {
      const { page, problems } = await dashboard(analyst);
      const asked: string[] = [];
      page.on('request', (req) => {
        if (/\/api\/(webhooks|api-keys)/.test(req.url())) asked.push(req.url());
      });

      expect(await sections(page).getByRole('link', { name: 'Webhooks' }).count()).toBe(0);
      expect(await sections(page).getByRole('link', { name: 'API keys' }).count()).toBe(0);
      for (const name of ['webhooks', 'api-keys']) {
        await page.goto(`${t.url}/dashboard?page=${name}`);
        const notice = page.getByTestId('admins-only');
        await notice.waitFor();
        expect(await notice.textContent()).toContain('This page is for admins');
        expect(await page.locator('form, table').count()).toBe(0);
      }
      await screenshot(page, 'dashboard-24-analyst-admin-page');
      await page.getByRole('link', { name: 'Back to the alerts' }).click();
      await page.locator('[data-testid=alerts-table][aria-busy=false]').waitFor();
      expect(new URL(page.url()).searchParams.get('page')).toBeNull();

      expect(asked).toEqual([]);
      expect((await t.api.get('/api/webhooks', { token: analyst.token })).status).toBe(403);
      expect((await t.api.get('/api/api-keys', { token: analyst.token })).status).toBe(403);
      expect(problems.errors).toEqual([]);
    });

    it('labels every control of both pages, keeps the filters across them, and fits a phone', async () => {
      const { page, problems } = await dashboard(admin, { width: 390, height: 844, mobile: true });
      await page.goto(`${t.url}/dashboard?severity=critical`);
      await page.locator('[data-testid=alerts-table][aria-busy=false]').waitFor();

      await sections(page).getByRole('link', { name: 'Webhooks' }).click();
      await page.locator('[data-testid=webhooks-table][aria-busy=false]').waitFor();
      const form = page.getByTestId('webhook-form');
      await form.getByLabel('Receiver URL').fill(`${receiver.url}/phone`);
      await form.getByRole('button', { name: 'Create subscription' }).click();
      await page.getByTestId('webhook-secret').waitFor();
      await page.locator('tr[data-webhook-id]').getByRole('button', { name: 'Deliveries' }).click();
      await page.getByTestId('deliveries-table').waitFor();
      await page.locator('tr[data-webhook-id]').getByRole('button', { name: 'Delete' }).click();
      expect(await unlabelledControls(page)).toEqual([]);
      const overflow = () =>
        page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      expect(await overflow()).toBeLessThanOrEqual(0);
      await screenshot(page, 'dashboard-25-webhooks-phone');

      await sections(page).getByRole('link', { name: 'API keys' }).click();
      await page.locator('[data-testid=api-keys-table][aria-busy=false]').waitFor();
      await page.getByTestId('api-key-form').getByLabel('Name').fill('phone-key');
      await page
        .getByTestId('api-key-form')
        .getByRole('checkbox', { name: 'analyst', exact: true })
        .check();
      await page.getByRole('button', { name: 'Create key' }).click();
      await page.getByTestId('api-key-secret').waitFor();
      expect(await unlabelledControls(page)).toEqual([]);
      expect(await overflow()).toBeLessThanOrEqual(0);
      await screenshot(page, 'dashboard-26-api-keys-phone');

      // Back to the alerts as they were left.
      await sections(page).getByRole('link', { name: 'Alerts' }).click();
      await page.locator('[data-testid=alerts-table][aria-busy=false]').waitFor();
      const url = new URL(page.url());
      expect(Object.fromEntries(url.searchParams)).toEqual({ severity: 'critical' });
      expect(url.hash).toBe('#alerts');
      expect(problems.errors).toEqual([]);
    });
  });
});
