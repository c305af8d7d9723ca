// Once per `npm test`: point the e2e suite at a database it may wipe, and build dist/ for the
// specs that start the real entry points as child processes.
//  - TEST_DATABASE_URL set: it must name a database containing "test"; its public schema is
//    dropped so the specs run the real migrations from nothing.
//  - unset: an in-memory PGlite is served over a loopback socket for the run.
import { execFileSync } from 'node:child_process';
import pg from 'pg';

export default async function globalSetup() {
  execFileSync(process.execPath, ['scripts/ensure-build.mjs'], { stdio: 'inherit' });
  const given = process.env.TEST_DATABASE_URL;
  if (given) {
    const name = new URL(given).pathname.replace(/^\//, '');
    if (!name.includes('test')) {
      throw new Error(
        `Refusing to run e2e tests against database "${name}": its name must contain "test"`,
      );
    }
    const client = new pg.Client({ connectionString: given });
    await client.connect();
    await client.query('DROP SCHEMA IF EXISTS public CASCADE');
    await client.query('CREATE SCHEMA public');
    await client.end();
    return;
  }
  // The same wire server the service uses for its embedded database (built into dist/ above).
  const { PGlite } = await import('@electric-sql/pglite');
  const { PGliteWireServer } = await import('../dist/src/database/pglite-wire-server.js');
  const db = await PGlite.create();
  const server = new PGliteWireServer(db);
  const { host, port } = await server.listen(0, '127.0.0.1');
  globalThis.__vigilTestDb = { db, server };
  process.env.TEST_DATABASE_URL = `postgres://postgres@${host}:${port}/postgres`;
  process.env.TEST_DATABASE_EMBEDDED = 'true';
}
