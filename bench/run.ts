// `npm run bench -- [name ...] [options]`: runs the named benchmarks (all when none is named).
// Options: --backlog N (ingest, default 200000), --rounds N (ingest and api, default 2),
// --same-rows (ingest: also a raw baseline storing the enrichment columns the service stores; a
// diagnostic), --alerts N (api, default 100000: issue 14's absolute list target is set there; scale, default 10000000), --profile DIR (api and ingest: a V8 CPU profile
// of the service).
import { parseArgs } from 'node:util';
import { benchApi } from './api.bench.js';
import { benchAuth } from './auth.bench.js';
import { benchIngest } from './ingest.bench.js';
import { benchStartup } from './startup.bench.js';

const { values, positionals: requested } = parseArgs({
  allowPositionals: true,
  options: {
    backlog: { type: 'string', default: '200000' },
    rounds: { type: 'string', default: '2' },
    alerts: { type: 'string', default: '100000' },
    profile: { type: 'string' },
    'same-rows': { type: 'boolean', default: false },
  },
});

const BENCHMARKS: Record<string, () => Promise<void>> = {
  startup: benchStartup,
  auth: benchAuth,
  ingest: () =>
    benchIngest({
      backlog: Number(values.backlog),
      rounds: Number(values.rounds),
      sameRows: values['same-rows'],
      profileDir: values.profile,
    }),
  api: () =>
    benchApi({
      alerts: Number(values.alerts),
      rounds: Number(values.rounds),
      profileDir: values.profile,
    }),
};

const unknown = requested.filter((name) => !(name in BENCHMARKS));
if (unknown.length) {
  process.stderr.write(
    `Unknown benchmark ${unknown.join(', ')}; choose from ${Object.keys(BENCHMARKS).join(', ')}\n`,
  );
  process.exit(2);
}
for (const name of requested.length ? requested : Object.keys(BENCHMARKS)) {
  await BENCHMARKS[name]();
}
