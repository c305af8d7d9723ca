// The dependency rules of .dependency-cruiser.mjs, run by dependency-cruiser itself (its CLI, as
// `npm run lint:deps` runs it) on a small tree shaped like this repository: every rule is broken
// exactly where the tree says, and every exception the rules allow is present and must pass. A rule
// deleted, mistyped or widened changes the list of violations and fails here.
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { promisify } from 'node:util';

const ROOT = resolve(import.meta.dirname, '..');
const CLI = join(ROOT, 'node_modules/dependency-cruiser/bin/dependency-cruiser.mjs');
const CONFIG = join(ROOT, '.dependency-cruiser.mjs');

/** The tree: what each file imports. Files named bad-* or with a BREAKS note break one rule. */
const TREE: Record<string, string> = {
  'package.json': JSON.stringify({
    name: 'fixture',
    type: 'module',
    dependencies: { pino: '*' },
    devDependencies: { 'pino-pretty': '*' },
  }),
  'tsconfig.json': JSON.stringify({
    compilerOptions: { module: 'nodenext', moduleResolution: 'nodenext', strict: true },
  }),

  // Entry points (no importer, allowed): the service, the demo, the CLI, the mock, the dashboard.
  'src/main.ts': `import './app.module.js';\nimport './server.js';`,
  'src/demo.ts': `import { serve } from '../mock-api/mock-server.js';\nimport './app.module.js';\nserve();`,
  'src/cli/main.ts': `import '../config/environment.js';`,
  'mock-api/main.ts': `import { serve } from './mock-server.js';\nserve();`,
  'dashboard/src/main.tsx': `import type { Alert } from './api-types.js';\nimport './types.js';\nexport const a: Alert[] = [];`,

  'src/app.module.ts': [
    'src/alerts/alerts.service.ts',
    'src/ingestion/sync.service.ts',
    'src/events/events.service.ts',
    'src/retention/retention.service.ts',
    'src/enrichment/enrichment.service.ts',
    'src/common/bad-common.ts',
    'src/common/problem.ts',
    'src/common/pretty-log.ts',
    'src/users/cycle-a.ts',
    'src/health/health.service.ts',
    'src/metrics/pretty.ts',
  ]
    .map((file) => `import '${file.replace(/^src\//, './').replace(/\.ts$/, '.js')}';`)
    .join('\n'),

  // Allowed: the feeders call the store; the store uses shared vocabulary and enrichment's output.
  'src/alerts/alert.store.ts': `import type { Severity } from '../common/severity.js';\nimport type { Enrichment } from '../enrichment/enrichment.types.js';\nexport type Row = [Severity, Enrichment];`,
  'src/alerts/alert.types.ts': `export type AlertStatus = 'open';`,
  'src/ingestion/sync.service.ts': `import type { Row } from '../alerts/alert.store.js';\nimport type { Chaos } from './chaos.dto.js';\nexport type R = [Row, Chaos];`,
  'src/ingestion/chaos.dto.ts': `export type Chaos = number;`,
  'src/events/events.service.ts': `import type { Row } from '../alerts/alert.store.js';\nimport type { EventDto } from './event.dto.js';\nexport type R = [Row, EventDto];`,
  'src/events/event.dto.ts': `export type EventDto = string;`,
  'src/retention/retention.service.ts': `import type { Row } from '../alerts/alert.store.js';\nexport type R = Row;`,
  'src/enrichment/enrichment.types.ts': `export type Enrichment = object;`,
  'src/enrichment/enrichment.service.ts': `import type { Severity } from '../common/severity.js';\nimport './geoip.plugin.js';\nexport type S = Severity;`,
  'src/common/severity.ts': `export type Severity = 'low';`,
  // Allowed: common may use configuration and the database layer (they are not features).
  'src/common/problem.ts': `import '../config/environment.js';\nimport '../database/unavailable.js';`,
  'src/config/environment.ts': `export const env = {};`,
  'src/database/unavailable.ts': `export const unavailable = true;`,
  // Allowed: an optional dev tool, typed and loaded with await import().
  'src/common/pretty-log.ts': `import type { PrettyOptions } from 'pino-pretty';\nexport const load = async (o: PrettyOptions) => [o, await import('pino-pretty')];`,
  // Allowed: specs may import both sides of the upstream contract, and dev dependencies.
  'src/ingestion/chaos.contract.spec.ts': `import '../../mock-api/chaos-config.js';\nimport './chaos.dto.js';\nimport 'pino-pretty';`,
  'mock-api/chaos.spec.ts': `import '../src/ingestion/chaos.dto.js';\nimport './chaos-config.js';`,
  'mock-api/chaos-config.ts': `export const bounds = {};`,
  // Allowed: the dashboard's generated API types live inside dashboard/.
  'dashboard/src/api-types.ts': `export interface Alert { id: string }`,

  // BREAKS common-knows-no-feature.
  'src/common/bad-common.ts': `import '../alerts/alert.store.js';`,
  // BREAKS enrichment-plugins-are-leaves (twice: the store and a feeder).
  'src/enrichment/geoip.plugin.ts': `import type { AlertStatus } from '../alerts/alert.types.js';\nimport type { Chaos } from '../ingestion/chaos.dto.js';\nexport type G = [AlertStatus, Chaos];`,
  // BREAKS alert-store-knows-not-its-feeders (events and retention).
  'src/alerts/alerts.service.ts': `import type { EventDto } from '../events/event.dto.js';\nimport '../retention/retention.service.js';\nexport type D = EventDto;`,
  // BREAKS client-does-not-lean-on-the-simulator.
  'src/server.ts': `import '../mock-api/chaos-config.js';`,
  // BREAKS simulator-does-not-lean-on-the-client.
  'mock-api/mock-server.ts': `import './chaos-config.js';\nimport '../src/common/severity.js';\nexport const serve = () => 0;`,
  // BREAKS dashboard-uses-only-the-public-api.
  'dashboard/src/types.ts': `import type { R } from '../../src/events/events.service.js';\nexport type T = R;`,
  // BREAKS no-circular (reported once, on the edge that closes the cycle).
  'src/users/cycle-a.ts': `import './cycle-b.js';`,
  'src/users/cycle-b.ts': `import './cycle-a.js';`,
  // BREAKS no-orphans.
  'src/users/forgotten.ts': `export const nobody = 'imports me';`,
  // BREAKS not-to-dev-dep.
  'src/metrics/pretty.ts': `import pretty from 'pino-pretty';\nexport default pretty;`,
  // BREAKS not-to-test, not-to-spec, not-to-unresolvable, no-non-package-json.
  'src/health/health.service.ts': `import '../../test/support/fixture.js';\nimport './helper.spec.js';\nimport './missing.js';\nimport 'yaml';`,
  'src/health/helper.spec.ts': `export const helper = 1;`,
  'test/support/fixture.ts': `export const fixture = 1;`,
};

const EXPECTED = [
  'common-knows-no-feature: src/common/bad-common.ts → src/alerts/alert.store.ts',
  'enrichment-plugins-are-leaves: src/enrichment/geoip.plugin.ts → src/alerts/alert.types.ts',
  'enrichment-plugins-are-leaves: src/enrichment/geoip.plugin.ts → src/ingestion/chaos.dto.ts',
  'alert-store-knows-not-its-feeders: src/alerts/alerts.service.ts → src/events/event.dto.ts',
  'alert-store-knows-not-its-feeders: src/alerts/alerts.service.ts → src/retention/retention.service.ts',
  'client-does-not-lean-on-the-simulator: src/server.ts → mock-api/chaos-config.ts',
  'simulator-does-not-lean-on-the-client: mock-api/mock-server.ts → src/common/severity.ts',
  'dashboard-uses-only-the-public-api: dashboard/src/types.ts → src/events/events.service.ts',
  'no-circular: src/users/cycle-a.ts → src/users/cycle-b.ts',
  'no-orphans: src/users/forgotten.ts → src/users/forgotten.ts',
  'not-to-dev-dep: src/metrics/pretty.ts → node_modules/pino-pretty/index.js',
  'not-to-test: src/health/health.service.ts → test/support/fixture.ts',
  'not-to-spec: src/health/health.service.ts → src/health/helper.spec.ts',
  'not-to-unresolvable: src/health/health.service.ts → ./missing.js',
  'no-non-package-json: src/health/health.service.ts → node_modules/yaml/dist/index.js',
];

interface Violation {
  rule: { name: string };
  from: string;
  to: string;
}

describe('dependency rules (.dependency-cruiser.mjs)', () => {
  let dir: string;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'vigil-dependency-rules-'));
    for (const [file, text] of Object.entries(TREE)) {
      mkdirSync(dirname(join(dir, file)), { recursive: true });
      writeFileSync(join(dir, file), `${text}\n`);
    }
    // The packages the rules judge (pino-pretty as a devDependency, yaml undeclared) resolve.
    symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'), 'dir');
  });

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('reports each broken rule where it is broken, and nothing the rules allow', async () => {
    // The CLI exits 1 when it finds errors, as it should here: its report is on stdout either way.
    const { stdout, stderr } = await promisify(execFile)(
      process.execPath,
      [CLI, 'src', 'mock-api', 'dashboard/src', '--config', CONFIG, '--output-type', 'json'],
      { cwd: dir, maxBuffer: 16 * 1024 * 1024 },
    ).catch((error: { stdout: string; stderr: string }) => error);
    if (!stdout) throw new Error(`dependency-cruiser reported nothing: ${stderr}`);
    const { summary } = JSON.parse(stdout) as { summary: { violations: Violation[] } };

    // Packages resolve through the node_modules link, to the repository's copy: name them alike.
    const named = (path: string) => path.replace(/^.*?(?=node_modules\/)/, '');
    const found = summary.violations.map((v) => `${v.rule.name}: ${v.from} → ${named(v.to)}`);
    expect(found).toEqual([...EXPECTED].sort());
  });
});
