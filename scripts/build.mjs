// `npm run build`: compile with tsc, then copy the non-TypeScript files the code reads at run
// time (the Tor exit snapshot) beside their compiled modules, and stamp dist/ as fresh.
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const ASSETS = /\.(txt)$/;

function* files(dir) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* files(path);
    else yield path;
  }
}

export function build() {
  execFileSync(
    process.execPath,
    [join(root, 'node_modules/typescript/bin/tsc'), '-p', join(root, 'tsconfig.build.json')],
    {
      stdio: 'inherit',
    },
  );
  for (const source of files(join(root, 'src'))) {
    if (!ASSETS.test(source)) continue;
    const target = join(root, 'dist', relative(root, source));
    mkdirSync(dirname(target), { recursive: true });
    copyFileSync(source, target);
  }
  writeFileSync(join(root, 'dist', '.build-stamp'), '');
}

if (import.meta.url === `file://${process.argv[1]}`) build();
