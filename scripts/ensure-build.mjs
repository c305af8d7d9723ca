// Compiles the TypeScript sources when dist/ is missing or older than any source file, so
// `npm start` and the CLI work straight after `npm ci` without a separate build step.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { build } from './build.mjs';

const root = new URL('..', import.meta.url).pathname;
const stamp = join(root, 'dist', '.build-stamp');

function newestMtime(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs);
  }
  return newest;
}

const sources = ['src', 'bench', 'test', 'mock-api', 'dashboard'].filter((d) =>
  existsSync(join(root, d)),
);
const newestSource = Math.max(
  ...sources.map((d) => newestMtime(join(root, d))),
  statSync(join(root, 'package-lock.json')).mtimeMs,
);
if (!existsSync(stamp) || statSync(stamp).mtimeMs < newestSource) {
  process.stderr.write('Building Vigil (tsc)...\n');
  build();
}
