// The dependency rules the code is held to (README "Architecture"), checked by `npm run lint:deps`.
// Each rule says why it exists; src/dependency-rules.spec.ts breaks each one in a small tree and
// expects it to be reported, so a rule deleted or mistyped here fails the tests.

/** Feature folders of the service: what common/ must never know. */
const FEATURES =
  '(alerts|auth|users|events|ingestion|enrichment|health|metrics|retention|dashboard|cli|webhooks|api-keys)';
const SPEC = '\\.spec\\.ts$';

/** @type {import('dependency-cruiser').IConfiguration} */
export default {
  forbidden: [
    {
      name: 'common-knows-no-feature',
      comment:
        'src/common holds what every feature shares (problem+json, validation, pagination, ' +
        'throttling, vocabulary such as Severity). Importing a feature from it would make every ' +
        'feature depend on that one; move the shared thing into common, or the code into the feature.',
      severity: 'error',
      from: { path: '^src/common/' },
      to: { path: [`^src/${FEATURES}/`, '^mock-api/'] },
    },
    {
      name: 'enrichment-plugins-are-leaves',
      comment:
        'Enrichment plugins look things up for an alert and return their findings; they know ' +
        'nothing of who stores the alert (alerts) or who brings it (ingestion, events). Shared ' +
        'vocabulary comes from src/common, the enrichment output types are enrichment/ own.',
      severity: 'error',
      from: { path: '^src/enrichment/' },
      to: { path: '^src/(alerts|ingestion|events|retention)/' },
    },
    {
      name: 'alert-store-knows-not-its-feeders',
      comment:
        'The alert store is fed by ingestion and events and purged by retention: they call it, ' +
        'never the reverse. A store that imports a feeder cannot be changed or tested without it, ' +
        'and the feeders would form a cycle through it.',
      severity: 'error',
      from: { path: '^src/alerts/' },
      to: { path: '^src/(ingestion|events|retention)/' },
    },
    {
      name: 'client-does-not-lean-on-the-simulator',
      comment:
        'mock-api/ is a stand-in for a third-party upstream; the service must work against the real ' +
        'one, so it describes the upstream contract itself (e.g. the chaos bounds in ' +
        'ingestion/dto/upstream-chaos.dto.ts). Allowed: src/demo.ts, the composition root that runs ' +
        'both programs, and specs, where contract tests compare the two sides.',
      severity: 'error',
      from: { path: '^src/', pathNot: ['^src/demo\\.ts$', SPEC] },
      to: { path: '^mock-api/' },
    },
    {
      name: 'simulator-does-not-lean-on-the-client',
      comment:
        'The mock is its own program (its own entry point and README): it must behave like an ' +
        'independent upstream, so it shares no code with the service. Specs may compare the two.',
      severity: 'error',
      from: { path: '^mock-api/', pathNot: SPEC },
      to: { path: '^src/' },
    },
    {
      name: 'dashboard-uses-only-the-public-api',
      comment:
        'The dashboard is a client of the HTTP API like any other: it reaches the service only ' +
        'over the wire, and its wire types are generated from /docs-json into a file inside ' +
        'dashboard/. Importing server or mock code would ship it to the browser and hide API changes.',
      severity: 'error',
      from: { path: '^dashboard/' },
      to: { path: '^(src|mock-api|test|bench|deploy|scripts)/' },
    },
    {
      name: 'no-circular',
      comment:
        'A cycle makes modules that cannot be understood, tested or loaded one without the other ' +
        '(and ESM evaluates one of them half-initialised). Type-only imports count too: they tie ' +
        'the design together the same way.',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    {
      name: 'no-orphans',
      comment:
        'A module nothing imports is dead code, or an entry point. Entry points: main.ts, demo.ts, ' +
        'cli/main.ts, mock-api/main.ts, the dashboard main.tsx; specs are run by Jest.',
      severity: 'error',
      from: {
        orphan: true,
        path: '^(src|mock-api|dashboard/src)/',
        pathNot: [
          SPEC,
          '\\.d\\.ts$',
          '^src/(main|demo)\\.ts$',
          '^src/cli/main\\.ts$',
          '^mock-api/main\\.ts$',
          '^dashboard/src/main\\.tsx$',
        ],
      },
      to: {},
    },
    {
      name: 'not-to-dev-dep',
      comment:
        'The image installs production dependencies only (npm ci --omit=dev): a devDependency ' +
        'imported by production code works in tests and fails in the container. Specs may use them.',
      severity: 'error',
      from: { path: '^(src|mock-api)/', pathNot: SPEC },
      // Types vanish from the build; an optional tool loaded by `await import()` copes with its
      // absence itself (the demo's pino-pretty, absent from the image).
      to: {
        dependencyTypes: ['npm-dev'],
        dependencyTypesNot: ['type-only', 'type-import', 'dynamic-import'],
      },
    },
    {
      name: 'not-to-test',
      comment: 'Production code never imports the e2e suite, its fixtures or the benchmarks.',
      severity: 'error',
      from: { path: '^(src|mock-api|dashboard)/', pathNot: SPEC },
      to: { path: '^(test|bench)/' },
    },
    {
      name: 'not-to-spec',
      comment: 'A spec is run by Jest, not imported: its helpers belong in a module of their own.',
      severity: 'error',
      from: {},
      to: { path: SPEC },
    },
    {
      name: 'not-to-unresolvable',
      comment:
        'An import that resolves to nothing fails at run time; the check catches it first. ' +
        "(Declaration files' type references, e.g. vite/client, are the compiler's to check.)",
      severity: 'error',
      from: { pathNot: '\\.d\\.ts$' },
      to: { couldNotResolve: true },
    },
    {
      name: 'no-non-package-json',
      comment:
        'A package used but not declared in package.json works only while something else pulls ' +
        "it in; declare it. (@jest/globals is Jest's own: ESM specs import the jest object from it.)",
      severity: 'error',
      from: {},
      to: {
        dependencyTypes: ['npm-no-pkg', 'npm-unknown'],
        pathNot: '^node_modules/@jest/globals/',
      },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    // node_modules stays in the graph (the package rules look at it) but is not cruised into.
    exclude: { path: '^(dist|data|coverage)/' },
    // `import type` is a dependency of the design even though it leaves no trace in the output.
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    // ESM sources import './x.js' for './x.ts' (the dashboard './x.js' for './x.tsx'):
    // dependency-cruiser maps those itself. Packages resolve as Node does for an ES module.
    enhancedResolveOptions: {
      extensions: ['.ts', '.tsx', '.js', '.mjs', '.json'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
    },
    skipAnalysisNotInRules: true,
  },
};
