// The OpenAPI document as a contract checked by tools: Redocly's recommended rules pass on the
// served document, and the response validator every e2e spec goes through (ApiClient →
// support/openapi-contract.ts) refuses what the document does not allow. The whole suite's
// responses are validated there; this file checks that the validator can fail, and the document
// details that tools read wrongly before.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ContractViolation, contractOf, OpenApiContract } from './support/openapi-contract.js';
import { expectProblem } from './support/problem.js';
import { startTestApp, TestApp, TestUser } from './support/test-app.js';

interface RedoclyProblem {
  ruleId: string;
  severity: 'error' | 'warn';
  message: string;
  location: Array<{ pointer: string }>;
}

/** Runs the Redocly CLI from node_modules, offline: no telemetry, no update check. */
async function redoclyLint(file: string): Promise<RedoclyProblem[]> {
  const run = promisify(execFile);
  const args = ['node_modules/@redocly/cli/bin/cli.js', 'lint', '--config', 'redocly.yaml'];
  const env = {
    ...process.env,
    REDOCLY_TELEMETRY: 'off',
    REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true',
    NO_COLOR: '1',
  };
  // Exit code 1 when there are errors; the report is on stdout either way.
  const { stdout } = await run(process.execPath, [...args, '--format', 'json', file], {
    env,
    timeout: 60_000,
  }).catch((error: { stdout?: string }) => ({ stdout: error.stdout ?? '' }));
  return (JSON.parse(stdout) as { problems: RedoclyProblem[] }).problems;
}

describe('the OpenAPI document', () => {
  let t: TestApp;
  let admin: TestUser;
  let document: any;
  let contract: OpenApiContract;

  beforeAll(async () => {
    t = await startTestApp();
    // The suite's database holds what the spec before left (specs run in any order).
    await t.reset();
    admin = await t.user('admin', ['admin']);
    const res = await fetch(`${t.url}/docs-json`);
    document = await res.json();
    contract = (await contractOf(t.url))!;
  });
  afterAll(() => t?.close());

  it("passes Redocly's recommended rules with no error", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vigil-openapi-'));
    try {
      const file = join(dir, 'openapi.json');
      writeFileSync(file, JSON.stringify(document));
      const problems = await redoclyLint(file);
      const describe = (p: RedoclyProblem) =>
        `${p.ruleId} at ${p.location[0]?.pointer}: ${p.message}`;
      // Errors fail; warnings (none today) are advice, so a new one does not break the build.
      expect(problems.filter((p) => p.severity === 'error').map(describe)).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('is OpenAPI 3.1 with no reference outside itself', () => {
    expect(document.openapi).toBe('3.1.0');
    const refs = JSON.stringify(document).match(/"\$ref":"[^"]*"/g) ?? [];
    expect(refs.filter((ref) => !ref.startsWith('"$ref":"#/'))).toEqual([]);
  });

  it('gives every operation a summary and a unique operationId', () => {
    const operations = Object.values(document.paths).flatMap((item: any) => Object.values(item));
    const ids = operations.map((o: any) => o.operationId);
    expect(operations.filter((o: any) => !o.summary)).toEqual([]);
    expect(ids.every((id) => typeof id === 'string' && /^[a-z][A-Za-z]+$/.test(id))).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('lists each security requirement once per operation', () => {
    for (const [path, item] of Object.entries<any>(document.paths)) {
      for (const [method, operation] of Object.entries<any>(item)) {
        const requirements = (operation.security ?? []).map((r: unknown) => JSON.stringify(r));
        expect({ operation: `${method} ${path}`, requirements }).toEqual({
          operation: `${method} ${path}`,
          requirements: [...new Set(requirements)],
        });
      }
    }
  });

  it('documents If-Match on PATCH /api/alerts/{id} once, optional, and the PATCH works without it', async () => {
    const headers = document.paths['/api/alerts/{id}'].patch.parameters.filter(
      (p: { in: string }) => p.in === 'header',
    );
    expect(headers).toEqual([expect.objectContaining({ name: 'if-match', required: false })]);
    const { rows } = await t.db.query<{ id: string }>(
      `INSERT INTO alerts (source, external_id, fingerprint, severity, description, created_at)
       VALUES ('edr', 'im-1', decode(md5('im-1'), 'hex'), 'high', 'x', now()) RETURNING id`,
    );
    const res = await t.api.patch(`/api/alerts/${rows[0].id}`, {
      token: admin.token,
      body: { status: 'acknowledged' },
    });
    expect(res.status).toBe(200);
  });

  it('types notes as nullable strings, a quarantined payload as any JSON, a nullable object as "null or the object"', () => {
    const { schemas } = document.components;
    expect(schemas.CreateAssetDto.properties.note).toMatchObject({ type: ['string', 'null'] });
    expect(schemas.CreateIpUserDto.properties.note).toMatchObject({ type: ['string', 'null'] });
    // A quarantined record that was not an object (a string, a number) is shown as it came.
    expect(schemas.QuarantinedRecordDto.properties.payload.anyOf).toContainEqual({
      type: 'string',
    });
    expect(schemas.AlertDto.properties.assignee).toEqual({
      anyOf: [{ $ref: '#/components/schemas/AssigneeDto' }, { type: 'null' }],
    });
  });

  it('documents the 403 a user with no group gets on a route for analysts and admins', async () => {
    // The API refuses an empty group list, but the database admits one (say, set by SQL).
    const nobody = await t.user('nobody', []);
    for (const path of ['/api/alerts', '/api/sync/runs', '/api/config', '/api/context/assets']) {
      expect(document.paths[path].get.responses['403']).toBeDefined();
      // ApiClient validates the 403 against the document: undocumented, it would throw.
      expectProblem(await t.api.get(path, { token: nobody.token }), 403);
    }
  });

  describe('the response validator', () => {
    const ok = {
      method: 'GET',
      path: '/api/users?x=1',
      status: 200,
      headers: new Headers({ 'content-type': 'application/json; charset=utf-8' }),
      body: { users: [] },
    };

    it('accepts a response the document allows', async () => {
      await expect(contract.check(ok)).resolves.toBeUndefined();
    });

    it('refuses a body its schema refuses, naming operation, status and the failing keyword', async () => {
      const check = contract.check({ ...ok, body: { users: [{ id: 'not-a-uuid' }] } });
      await expect(check).rejects.toThrow(ContractViolation);
      await expect(check).rejects.toThrow(/^listUsers \(GET \/api\/users\) answered 200 .*refuses/);
      await expect(check).rejects.toThrow(/#\/users\/0: required/);
    });

    it('refuses a nullable object that is neither null nor the object', async () => {
      const check = contract.check({
        ...ok,
        path: '/api/alerts/6a0e3c1e-4f55-4c36-9a57-2b1e0c9d5e11',
        body: { assignee: 'alice' },
      });
      await expect(check).rejects.toThrow(/#\/assignee: anyOf/);
    });

    it('refuses a status the operation does not document', async () => {
      await expect(contract.check({ ...ok, status: 418 })).rejects.toThrow(
        /listUsers \(GET \/api\/users\) answered 418, a status the document does not list/,
      );
    });

    it('refuses a content type the response does not document', async () => {
      await expect(
        contract.check({ ...ok, headers: new Headers({ 'content-type': 'text/html' }) }),
      ).rejects.toThrow(/as text\/html; the document lists application\/json/);
    });

    it('refuses an error that is not problem+json on a path it does not document', async () => {
      await expect(
        contract.check({ ...ok, path: '/nowhere', status: 404, body: { message: 'nope' } }),
      ).rejects.toThrow(
        /GET \/nowhere \(no documented operation\) answered 404 as application\/json/,
      );
      await expect(
        contract.check({
          ...ok,
          path: '/nowhere',
          status: 404,
          headers: new Headers({ 'content-type': 'application/problem+json' }),
          body: {
            type: 'about:blank',
            title: 'Not Found',
            status: 404,
            detail: 'x',
            instance: '/',
          },
        }),
      ).resolves.toBeUndefined();
    });
  });
});
