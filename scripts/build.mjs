// `npm run build`: compile with tsc, copy the non-TypeScript files the code reads at run time (the
// Tor exit snapshot) beside their compiled modules, generate the dashboard's wire types from the
// OpenAPI document, build the dashboard with Vite into dist/dashboard/ (plus .br/.gz copies of its
// assets, which the service sends to browsers that accept them), and stamp dist/ as fresh.
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';

const root = new URL('..', import.meta.url).pathname;
const ASSETS = /\.(txt)$/;
const COMPRESSIBLE = /\.(js|css|svg|json|html)$/;

function* files(dir) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* files(path);
    else yield path;
  }
}

function buildDashboard() {
  // The wire types the dashboard's sources import (git-ignored, generated from the OpenAPI
  // document). Vite drops type-only imports, so this is for the sources' sake: after a build the
  // dashboard type-checks and an editor finds them.
  execFileSync(process.execPath, [join(root, 'scripts/dashboard-types.mjs')], {
    stdio: 'inherit',
    cwd: root,
  });
  execFileSync(
    process.execPath,
    [
      join(root, 'node_modules/vite/bin/vite.js'),
      'build',
      '--config',
      join(root, 'dashboard/vite.config.mjs'),
    ],
    // NODE_ENV decides Vite's mode: under Jest (test) it would bundle Preact's debug JSX.
    { stdio: 'inherit', cwd: root, env: { ...process.env, NODE_ENV: 'production' } },
  );
  const assets = join(root, 'dist/dashboard/assets');
  for (const file of files(assets)) {
    if (!COMPRESSIBLE.test(file)) continue;
    const content = readFileSync(file);
    writeFileSync(`${file}.gz`, gzipSync(content, { level: 9 }));
    writeFileSync(
      `${file}.br`,
      brotliCompressSync(content, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }),
    );
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
  buildDashboard();
  writeFileSync(join(root, 'dist', '.build-stamp'), '');
}

if (import.meta.url === `file://${process.argv[1]}`) build();
