// The dashboard's wire types come from the OpenAPI document as scripts/openapi-document.mjs builds
// it offline (no database, no network: `npm run lint` runs it on a fresh clone). That shortcut is
// only sound while it yields the very document the running service serves at /docs-json; this spec
// holds the two equal, and the generated types file equal to what the served document generates.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { startTestApp, TestApp } from './support/test-app.js';

const ROOT = resolve(import.meta.dirname, '..');
const TYPES_FILE = join(ROOT, 'dashboard/src/generated/openapi.ts');

/** Runs one of the project's scripts on this Node (the one npm scripts run on) and returns stdout. */
async function runScript(script: string, args: string[] = []): Promise<string> {
  const { stdout } = await promisify(execFile)(
    process.execPath,
    [join(ROOT, 'scripts', script), ...args],
    // Nothing from the suite's environment (DATABASE_URL and the like): the document needs none.
    { cwd: ROOT, env: { PATH: process.env.PATH }, maxBuffer: 64 * 1024 * 1024, timeout: 60_000 },
  );
  return stdout;
}

describe("the dashboard's generated wire types", () => {
  let t: TestApp;
  let served: unknown;

  beforeAll(async () => {
    t = await startTestApp();
    served = await (await fetch(`${t.url}/docs-json`)).json();
  });
  afterAll(() => t?.close());

  it('are generated from the document the service serves, built without starting it', async () => {
    const offline: unknown = JSON.parse(await runScript('openapi-document.mjs'));
    // A readable difference first; then byte for byte (key order shapes the generated file).
    expect(offline).toEqual(served);
    expect(JSON.stringify(offline)).toBe(JSON.stringify(served));
  });

  it('match, in the built tree, what the served document generates', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vigil-dashboard-types-'));
    try {
      const document = join(dir, 'openapi.json');
      writeFileSync(document, JSON.stringify(served));
      const generated = await runScript('dashboard-types.mjs', ['--document', document]);
      // `npm run build` (the suite's global setup) wrote the file from the sources.
      expect(readFileSync(TYPES_FILE, 'utf8')).toBe(generated);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
