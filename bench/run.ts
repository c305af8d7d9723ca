// `npm run bench -- [name ...]`: runs the named benchmarks (all when none is named).
import { benchAuth } from './auth.bench.js';
import { benchStartup } from './startup.bench.js';

const BENCHMARKS: Record<string, () => Promise<void>> = {
  startup: benchStartup,
  auth: benchAuth,
};

const requested = process.argv.slice(2);
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
