// The dashboard's build: Preact through Vite's own JSX transform (no Babel), served by the
// service under /dashboard/, written to dist/dashboard/ beside the compiled service.
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const here = (path) => fileURLToPath(new URL(path, import.meta.url));

export default defineConfig({
  root: here('.'),
  base: '/dashboard/',
  logLevel: 'warn',
  publicDir: false,
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact', development: false } },
  build: {
    outDir: here('../dist/dashboard'),
    emptyOutDir: true,
    assetsDir: 'assets',
    target: 'es2022',
    sourcemap: false,
    // One small app: a single script and a single stylesheet.
    modulePreload: { polyfill: false },
  },
});
