// A schema-driven fuzz over every operation the served OpenAPI document lists (see
// support/fuzz-openapi.ts for what is generated): each hostile value alone, then seeded random
// mixes, against the real service. Every answer must be below 500, every 4xx a problem+json body,
// and every response allowed by the document (ApiClient checks it against /docs-json), so a
// status or body the document does not promise fails here too.
//
// Bounded and repeatable: FUZZ_SEED (default below) fixes the random part, FUZZ_RUNS random
// requests per operation (50), FUZZ_BUDGET_MS the random part's total time (120 s), and
// FUZZ_ONLY a regular expression on operationIds, to replay one: a failure prints all four.
import fc from 'fast-check';
import { startMockUpstream, type MockUpstream } from './support/mock-upstream.js';
import { ContractViolation } from './support/openapi-contract.js';
import {
  type AcceptedBodies,
  type Caller,
  type FuzzOperation,
  type FuzzRequest,
  OpenApiFuzzer,
} from './support/fuzz-openapi.js';
import { startTestApp, type TestApp, type TestUser } from './support/test-app.js';

const SEED = Number(process.env.FUZZ_SEED ?? 20261206);
const RUNS = Number(process.env.FUZZ_RUNS ?? 50);
const BUDGET_MS = Number(process.env.FUZZ_BUDGET_MS ?? 120_000);
const ONLY = new RegExp(process.env.FUZZ_ONLY ?? '.');

/** What is wrong with the answer to `request`, or null when nothing is. */
type Verdict = string | null;

describe('schema-driven fuzz over every operation in /docs-json', () => {
  let t: TestApp;
  let mock: MockUpstream;
  let callers: Record<Caller, string | undefined>;
  let operations: FuzzOperation[];

  beforeAll(async () => {
    mock = await startMockUpstream();
    t = await startTestApp({ UPSTREAM_URL: mock.url, UPSTREAM_RETRIES: '0' });
    // The suite's database holds what the spec before left (specs run in any order).
    await t.reset();
    const admin: TestUser = await t.user('fuzz-admin', ['admin']);
    const analyst = await t.user('fuzz-analyst', ['analyst']);
    const victim = await t.user('fuzz-victim', ['analyst']);
    callers = {
      admin: admin.token,
      analyst: analyst.token,
      anonymous: undefined,
      // A well-formed HS256 token signed with another key.
      forged:
        'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIwMDAwMDAwMC0wMDAwLTAwMDAtMDAwMC0wMDAwMDAwMDAwMDAiLCJncm91cHMiOlsiYWRtaW4iXX0.' +
        'c2lnbmF0dXJlLW9mLWFub3RoZXIta2V5LXh4eHh4eHh4eHh4eA',
    };

    // Real rows, so that some requests get past "not found" into the handlers.
    const alert = await t.db.query<{ id: string }>(
      `INSERT INTO alerts (source, external_id, fingerprint, severity, description, created_at)
       VALUES ('edr', 'fuzz-1', decode(md5('fuzz-1'), 'hex'), 'high', 'fuzz target', now())
       RETURNING id`,
    );
    const event = await t.api.post('/api/events', {
      token: admin.token,
      body: { source: 'edr', event_type: 'probe', severity: 'low', description: 'fuzz target' },
    });
    const ipUser = await t.api.post('/api/context/ip-users', {
      token: admin.token,
      body: { network: '10.9.9.0/24', user_name: 'fuzz' },
    });
    const asset = await t.api.post('/api/context/assets', {
      token: admin.token,
      body: { source: 'fuzz-fw', owner_team: 'fuzz' },
    });
    expect([event.status, ipUser.status, asset.status]).toEqual([201, 201, 201]);
    const fixtures: Record<string, string> = {
      '/api/alerts/{id}': alert.rows[0].id,
      '/api/events/{id}': event.body.id,
      '/api/users/{id}': victim.id,
      '/api/context/ip-users/{id}': ipUser.body.id,
      '/api/context/assets/{source}': 'fuzz-fw',
    };

    const document = await (await fetch(`${t.url}/docs-json`)).json();
    const alertId = alert.rows[0].id;
    const accepted: AcceptedBodies = {
      updateAlert: [{ status: 'acknowledged' }, { assignee: 'fuzz-admin', note: 'n' }],
      bulkUpdateAlerts: [
        { ids: [alertId], set: { status: 'acknowledged' } },
        { filter: { source: 'edr' }, set: { assignee: 'fuzz-admin' }, note: 'n' },
      ],
      updateUser: [{ is_active: true }, { groups: ['analyst'] }],
    };
    operations = new OpenApiFuzzer(
      document,
      (template) => {
        const owner = Object.keys(fixtures).find((prefix) => template.startsWith(prefix));
        return owner && fixtures[owner];
      },
      accepted,
    ).operations();
  });
  afterAll(async () => {
    await t?.close();
    await mock?.close();
  });

  /** Sends one request through ApiClient (which checks the document) and judges the answer. */
  async function judge(request: FuzzRequest): Promise<Verdict> {
    let res;
    try {
      res = await t.api.call(request.method, request.path, {
        token: callers[request.caller],
        headers: request.headers,
        raw: request.body,
      });
    } catch (error) {
      if (error instanceof ContractViolation) return `breaks the document: ${error.message}`;
      return `no answer: ${(error as Error).message}`;
    }
    if (res.status >= 500) return `answered ${res.status}: ${JSON.stringify(res.body)}`;
    if (res.status >= 400) {
      const type = res.headers.get('content-type') ?? '';
      if (!type.startsWith('application/problem+json'))
        return `answered ${res.status} as ${type || 'no content type'}, not problem+json`;
      const body = res.body as Record<string, unknown>;
      if (
        body?.status !== res.status ||
        typeof body.title !== 'string' ||
        typeof body.type !== 'string'
      )
        return `answered ${res.status} with a problem body that says ${JSON.stringify(body).slice(0, 200)}`;
    }
    return null;
  }

  const describeRequest = (r: FuzzRequest) =>
    `${r.method} ${r.path.length > 160 ? `${r.path.slice(0, 160)}…` : r.path} as ${r.caller}` +
    (r.body === undefined
      ? ''
      : ` body ${typeof r.body === 'string' ? r.body.slice(0, 160) : `<${r.body.length} bytes>`}`);

  it('lists every operation, each with cases for its parameters and body', () => {
    expect(operations.length).toBeGreaterThanOrEqual(30);
    for (const operation of operations) {
      const min = operation.template.includes('{') || operation.method !== 'GET' ? 20 : 1;
      expect({ id: operation.operationId, enough: operation.cases.length >= min }).toEqual({
        id: operation.operationId,
        enough: true,
      });
    }
  });

  it('answers every hostile value, alone, below 500 and as the document says', async () => {
    const failures: string[] = [];
    let sent = 0;
    for (const operation of operations.filter((o) => ONLY.test(o.operationId))) {
      for (const request of operation.cases) {
        sent++;
        const verdict = await judge(request);
        if (verdict)
          failures.push(
            `${operation.operationId} [${request.label}] ${describeRequest(request)}: ${verdict}`,
          );
      }
    }
    expect(sent).toBeGreaterThan(0);
    expect(failures).toEqual([]);
    expect((await t.api.get('/health/live')).status).toBe(200);
  });

  it(`answers seeded random mixes below 500 and as the document says (seed ${SEED})`, async () => {
    const selected = operations.filter((o) => ONLY.test(o.operationId));
    const failures: string[] = [];
    const deadline = Date.now() + BUDGET_MS;
    let sent = 0;
    for (const [index, operation] of selected.entries()) {
      // An even share of what is left of the budget, so a slow operation cannot starve the rest.
      const share = Math.max((deadline - Date.now()) / (selected.length - index), 1);
      const result = await fc.check(
        fc.asyncProperty(operation.arbitrary, async (request) => {
          sent++;
          const verdict = await judge(request);
          if (verdict) throw new Error(`${describeRequest(request)}: ${verdict}`);
        }),
        {
          seed: SEED,
          numRuns: RUNS,
          interruptAfterTimeLimit: share,
          markInterruptAsFailure: false,
        },
      );
      if (result.failed)
        failures.push(
          `${operation.operationId}: ${String(result.errorInstance instanceof Error ? result.errorInstance.message : result.errorInstance)}` +
            ` (replay: FUZZ_SEED=${SEED} FUZZ_RUNS=${RUNS} FUZZ_BUDGET_MS=${BUDGET_MS} FUZZ_ONLY='^${operation.operationId}$')`,
        );
    }
    expect(sent).toBeGreaterThanOrEqual(selected.length);
    expect(failures).toEqual([]);
    expect((await t.api.get('/health/live')).status).toBe(200);
  });

  it("logged no error for any of it: nothing a client sends is the service's fault", () => {
    const errors = t
      .output()
      .split('\n')
      .filter((line) => /"level":(50|60)/.test(line))
      .map((line) => line.slice(0, 400));
    expect(errors).toEqual([]);
  });
});
