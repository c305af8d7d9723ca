import { startTestApp, TestApp } from './support/test-app.js';

describe('Request logging (e2e)', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp({ LOG_LEVEL: 'info' });
  });
  afterAll(() => t.close());

  function logLines(): Array<Record<string, any>> {
    return t
      .output()
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line));
  }

  async function waitForLog(predicate: (line: Record<string, any>) => boolean) {
    for (let i = 0; i < 50; i++) {
      const found = logLines().find(predicate);
      if (found) return found;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`no matching log line in:\n${t.output()}`);
  }

  it('writes one JSON line per request with the caller-supplied request id, echoed in the response', async () => {
    const res = await t.api.get('/api/auth/me', { headers: { 'x-request-id': 'trace-42' } });
    expect(res.headers.get('x-request-id')).toBe('trace-42');
    const line = await waitForLog((l) => l.req?.id === 'trace-42');
    expect(line).toMatchObject({
      msg: 'request completed',
      req: { method: 'GET', url: '/api/auth/me' },
      res: { statusCode: 401 },
    });
  });

  it('generates a request id when none (or an unsafe one) is given', async () => {
    const res = await t.api.get('/health', { headers: { 'x-request-id': 'bad id\twith spaces' } });
    const id = res.headers.get('x-request-id');
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    await waitForLog((l) => l.req?.id === id);
  });

  it('never writes the Authorization header', async () => {
    const secret = 'eyJhbGciOiJIUzI1NiJ9.c2VjcmV0LXBheWxvYWQ.c2lnbmF0dXJl';
    await t.api.get('/api/auth/me', {
      token: secret,
      headers: { 'x-request-id': 'redaction-check' },
    });
    const line = await waitForLog((l) => l.req?.id === 'redaction-check');
    expect(line.req.headers.authorization).toBe('[redacted]');
    expect(t.output()).not.toContain(secret);
  });
});
