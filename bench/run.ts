// `npm run bench -- [name ...] [options]`: runs the named benchmarks; with no name, all of them but
// `scale` (it loads 10 million alerts by default) and `webhooks` (about 5 minutes): name them to
// run them.
// Options: --backlog N (ingest, default 200000; webhooks' ingest comparison, default 100000),
// --rounds N (ingest, api, webhooks and scale's ingest comparison, default 2), --same-rows
// (ingest: also a raw baseline storing the enrichment columns the service stores; a diagnostic),
// --alerts N (the alerts loaded: api, default 100000, where issue 14's absolute list target is
// set; scale, default 10000000), --keep (scale: leave its bench databases behind), --profile DIR
// (api, ingest and webhooks: a V8 CPU profile of the service).
import { parseArgs } from 'node:util';
import { benchApi } from './api.bench.js';
import { benchAuth } from './auth.bench.js';
import { benchIngest } from './ingest.bench.js';
import { benchScale } from './scale.bench.js';
import { benchStartup } from './startup.bench.js';
import { benchWebhooks } from './webhooks.bench.js';

const { values, positionals: requested } = parseArgs({
  allowPositionals: true,
  options: {
    // Each benchmark has its own default.
    backlog: { type: 'string' },
    rounds: { type: 'string', default: '2' },
    alerts: { type: 'string' },
    keep: { type: 'boolean', default: false },
    profile: { type: 'string' },
    'same-rows': { type: 'boolean', default: false },
  },
});

const BENCHMARKS: Record<string, () => Promise<void>> = {
  startup: benchStartup,
  auth: benchAuth,
  ingest: () =>
    benchIngest({
      backlog: Number(values.backlog ?? 200_000),
      rounds: Number(values.rounds),
      sameRows: values['same-rows'],
      profileDir: values.profile,
    }),
  api: () =>
    benchApi({
      alerts: Number(values.alerts ?? 100_000),
      rounds: Number(values.rounds),
      profileDir: values.profile,
    }),
  scale: () =>
    benchScale({
      alerts: Number(values.alerts ?? 10_000_000),
      rounds: Number(values.rounds),
      keep: values.keep,
    }),
  webhooks: () =>
    benchWebhooks({
      backlog: Number(values.backlog ?? 100_000),
      rounds: Number(values.rounds),
      profileDir: values.profile,
    }),
};
/** Too long to run unasked. */
const NOT_BY_DEFAULT = new Set(['scale', 'webhooks']);

const unknown = requested.filter((name) => !(name in BENCHMARKS));
if (unknown.length) {
  process.stderr.write(
    `Unknown benchmark ${unknown.join(', ')}; choose from ${Object.keys(BENCHMARKS).join(', ')}\n`,
  );
  process.exit(2);
}
const names = requested.length
  ? requested
  : Object.keys(BENCHMARKS).filter((name) => !NOT_BY_DEFAULT.has(name));
for (const name of names) await BENCHMARKS[name]();
