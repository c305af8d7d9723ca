// The benches' database guard: freshBenchDatabase refuses to wipe a bench database a Vigil service
// is still connected to. A service left running by a killed bench keeps its pool, finds the tables
// again once the next bench has migrated, and syncs and delivers beside that bench's own service.
import pg from 'pg';
import { dropBenchDatabase, freshBenchDatabase } from '../bench/support.js';

// pg_stat_activity of a PostgreSQL server: PGlite serves every connection from one backend.
const onServer = process.env.TEST_DATABASE_EMBEDDED ? describe.skip : describe;

onServer('freshBenchDatabase, on a PostgreSQL server', () => {
  const url = (() => {
    const target = new URL(process.env.TEST_DATABASE_URL!);
    target.pathname = '/vigil_bench_guard_test';
    return target.toString();
  })();
  const tableLeft = async (): Promise<boolean> => {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      const { rows } = await client.query<{ t: string | null }>(
        `SELECT to_regclass('left_behind')::text AS t`,
      );
      return rows[0].t !== null;
    } finally {
      await client.end();
    }
  };
  afterAll(() => dropBenchDatabase(url));

  it('refuses while a Vigil service is connected, and wipes the database once it has gone', async () => {
    await freshBenchDatabase(url);
    const service = new pg.Client({ connectionString: url, application_name: 'vigil-live' });
    await service.connect();
    try {
      await service.query('CREATE TABLE left_behind (id int)');
      await expect(freshBenchDatabase(url)).rejects.toThrow(
        /^A Vigil service is still connected to "vigil_bench_guard_test" \(backends \d+ vigil-live\)/,
      );
      expect(await tableLeft()).toBe(true);
    } finally {
      await service.end();
    }
    // Anything else connected (psql, a dashboard of the database) is no reason to refuse.
    const other = new pg.Client({ connectionString: url, application_name: 'psql' });
    await other.connect();
    try {
      await freshBenchDatabase(url);
    } finally {
      await other.end();
    }
    expect(await tableLeft()).toBe(false);
  });
});
