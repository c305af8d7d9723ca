// Inputs PostgreSQL cannot store or the policy refuses, through the real service (issue 12, rows
// 3, 9 and 10): each answers 400 problem+json naming the field, never repeating the value, and
// nothing reaches the database or an error log.
import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { expectProblem, problemFields } from './support/problem.js';
import { startTestApp, TestApp, TestUser, testDatabaseUrl } from './support/test-app.js';

const ROOT = resolve(import.meta.dirname, '..');
/** Put in every hostile value: the service's output and answers must never contain it. */
const MARKER = 'hardening-marker-7f3a';
const NUL = '\u0000';
const LONE_SURROGATE = '\ud800';

describe('Input hardening (e2e)', () => {
  let t: TestApp;
  let admin: TestUser;
  let analyst: TestUser;

  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());
  beforeEach(async () => {
    await t.reset();
    admin = await t.user('root', ['admin']);
    analyst = await t.user('ana', ['analyst']);
  });

  /** A 400 naming exactly `field`, without the submitted value; returns its message. */
  function expectRefused(res: Awaited<ReturnType<TestApp['api']['get']>>, field: string): string {
    expectProblem(res, 400);
    expect(problemFields(res)).toEqual([field]);
    const text = JSON.stringify(res.body);
    expect(text).not.toContain(MARKER);
    expect(text).not.toContain('\\u0000');
    expect(text).not.toMatch(/\\ud[89ab]/i);
    return res.body.errors[0].message as string;
  }

  async function seedAlert(): Promise<string> {
    const { rows } = await t.db.query<{ id: string }>(
      `INSERT INTO alerts (source, fingerprint, severity, status, description, created_at)
       VALUES ('firewall', convert_to(gen_random_uuid()::text, 'UTF8'), 'high', 'open',
               'Seeded alert', now())
       RETURNING id`,
    );
    return rows[0].id;
  }

  describe('characters PostgreSQL cannot store (row 3)', () => {
    it.each([
      ['a NUL', `${MARKER}${NUL}x`],
      ['an unpaired surrogate', `${MARKER}${LONE_SURROGATE}x`],
    ])('refuses %s in the login username', async (_, username) => {
      const res = await t.api.post('/api/auth/token', {
        body: { username, password: 'whatever-0123456789' },
      });
      expect(expectRefused(res, 'username')).toMatch(/^username must not contain/);
    });

    it.each([
      ['user_name', { network: '10.9.0.0/24', user_name: `${MARKER}${NUL}` }],
      ['note', { network: '10.9.0.0/24', user_name: 'alice', note: `${MARKER}${NUL}` }],
    ])('refuses a NUL in a context ip-user %s and stores nothing', async (field, body) => {
      expectRefused(await t.api.post('/api/context/ip-users', { token: admin.token, body }), field);
      expect((await t.db.query('SELECT 1 FROM context_ip_users')).rowCount).toBe(0);
    });

    it('refuses a NUL in a context asset note', async () => {
      const body = { source: 'waf', owner_team: 'appsec', note: `${MARKER}${NUL}` };
      expectRefused(await t.api.post('/api/context/assets', { token: admin.token, body }), 'note');
    });

    it.each([
      ['a NUL', `${MARKER}${NUL}`],
      ['an unpaired surrogate', `${MARKER}${LONE_SURROGATE}`],
    ])("refuses %s in a note's text and adds no history", async (_, text) => {
      const id = await seedAlert();
      const res = await t.api.post(`/api/alerts/${id}/notes`, {
        token: admin.token,
        body: { text },
      });
      expectRefused(res, 'text');
      const history = await t.db.query('SELECT 1 FROM alert_history WHERE alert_id = $1', [id]);
      expect(history.rowCount).toBe(0);
    });

    it('refuses a NUL in a field name', async () => {
      const res = await t.api.post('/api/context/assets', {
        token: admin.token,
        body: { source: 'waf', owner_team: 'appsec', [`${MARKER}${NUL}`]: 1 },
      });
      expect(expectRefused(res, 'body')).toMatch(/field name/);
    });

    it('refuses a NUL path parameter (DELETE /api/context/assets/%00)', async () => {
      const res = await t.api.call('DELETE', '/api/context/assets/%00', { token: admin.token });
      expectRefused(res, 'source');
    });

    it('refuses a NUL in a query string', async () => {
      const res = await t.api.get(`/api/alerts?source=${MARKER}%00`, { token: analyst.token });
      expectProblem(res, 400);
      expect(JSON.stringify(res.body)).not.toContain(MARKER);
    });

    it.each([
      ['offset', '99999999999999999999'],
      ['offset', '2147483648'],
      ['offset', '-1'],
      ['limit', '99999999999999999999'],
    ])('refuses quarantine %s=%s, beyond what the database takes', async (field, value) => {
      const res = await t.api.get(`/api/sync/quarantine?${field}=${value}`, {
        token: admin.token,
      });
      expect(expectRefused(res, field)).toMatch(new RegExp(`^${field} must be an integer from`));
      expect(JSON.stringify(res.body)).not.toContain(value);
    });

    it('still pages the quarantine at the deepest offset allowed', async () => {
      const res = await t.api.get('/api/sync/quarantine?offset=2147483647', { token: admin.token });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ records: [], offset: 2147483647 });
    });

    it('logs no error and none of the submitted values', async () => {
      await t.api.post('/api/auth/token', {
        body: { username: `${MARKER}${NUL}`, password: `${MARKER}-0123456789` },
      });
      await t.api.post('/api/context/ip-users', {
        token: admin.token,
        body: { network: '10.9.0.0/24', user_name: `${MARKER}${NUL}` },
      });
      const output = t.output();
      expect(output).not.toContain(MARKER);
      expect(output).not.toMatch(/"level":(50|60)/);
    });
  });

  describe('password policy (row 9)', () => {
    const create = (password: string, username = 'newcomer') =>
      t.api.post('/api/users', {
        token: admin.token,
        body: { username, password, groups: ['analyst'] },
      });
    const login = (username: string, password: string) =>
      t.api.post('/api/auth/token', { body: { username, password } });

    it.each([
      ['twelve spaces', ' '.repeat(12), /blank/],
      ['a common password with digits', 'password1234', /commonly used or breached/],
      ['one character repeated', 'aaaaaaaaaaaa', /repetitive/],
      ['a sequence', 'abcdefghijkl', /sequence/],
      ['the username with digits', 'newcomer1234', /username or the service name/],
      ["the service's name", 'vigil-vigil-1', /username or the service name/],
    ])('refuses %s on creation, saying which rule, and creates no user', async (_, pw, rule) => {
      const res = await create(pw);
      expect(expectRefused(res, 'password')).toMatch(rule);
      expect(JSON.stringify(res.body)).not.toContain(pw.trim() || pw);
      const { rowCount } = await t.db.query(`SELECT 1 FROM users WHERE username = 'newcomer'`);
      expect(rowCount).toBe(0);
    });

    it.each([
      ['a passphrase', 'correct horse battery staple'],
      ['random characters', 'k8#Tq2!vLm9z'],
      ['the pattern the test users have', 'pw-newcomer-0123456789'],
    ])('accepts %s, and the user signs in with it', async (_, password) => {
      expect((await create(password)).status).toBe(201);
      expect((await login('newcomer', password)).status).toBe(200);
    });

    it('refuses a weak password on a change and keeps the old one', async () => {
      const res = await t.api.patch(`/api/users/${analyst.id}`, {
        token: admin.token,
        body: { password: 'password1234' },
      });
      expect(expectRefused(res, 'password')).toMatch(/commonly used/);
      expect((await login('ana', analyst.password)).status).toBe(200);
    });

    it('refuses a weak password in the CLI with the same message, and creates no user', async () => {
      const child = spawn(
        process.execPath,
        ['dist/src/cli/main.js', 'create-user', 'zed', '--group', 'analyst', '--password-stdin'],
        { cwd: ROOT, env: { PATH: process.env.PATH, DATABASE_URL: testDatabaseUrl() } },
      );
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (chunk) => (stdout += String(chunk)));
      child.stderr.on('data', (chunk) => (stderr += String(chunk)));
      child.stdin.end('aaaaaaaaaaaa\n');
      const code = await new Promise<number | null>((done) => child.on('close', done));

      expect({ code, stdout }).toEqual({ code: 2, stdout: '' });
      expect(stderr).toMatch(/password must not be repetitive/);
      expect(stderr).not.toContain('aaaaaaaaaaaa');
      expect((await t.db.query(`SELECT 1 FROM users WHERE username = 'zed'`)).rowCount).toBe(0);
    });
  });

  describe('invisible characters in a critical description (row 10)', () => {
    const event = (description: string) =>
      t.api.post('/api/events', {
        token: admin.token,
        body: { source: 'edr', event_type: 'credential_dump', severity: 'critical', description },
      });

    it.each([
      ['20 zero-width spaces', '\u200b'.repeat(20)],
      ['zero-width joiners, BOMs and no-break spaces', '\u200d\ufeff\u00a0'.repeat(10)],
      ['19 letters among zero-width spaces', `${'x\u200b'.repeat(19)}\u200b`],
    ])('refuses %s and raises no alert', async (_, description) => {
      const message = expectRefused(await event(description), 'description');
      expect(message).toMatch(/visible/);
      expect((await t.db.query('SELECT 1 FROM events')).rowCount).toBe(0);
      expect((await t.db.query('SELECT 1 FROM alerts')).rowCount).toBe(0);
    });

    it('accepts 20 visible characters in any script', async () => {
      expect((await event('資格情報の窃取ツールが端末で実行されました')).status).toBe(201);
    });
  });
});
