import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { PGliteWireServer } from './pglite-wire-server.js';

describe(PGliteWireServer.name, () => {
  let db: PGlite;
  let sut: PGliteWireServer;
  let url: string;

  beforeAll(async () => {
    db = await PGlite.create();
    await db.exec('CREATE TABLE t (id serial PRIMARY KEY, body text NOT NULL)');
    sut = new PGliteWireServer(db);
    const { host, port } = await sut.listen(0, '127.0.0.1');
    url = `postgres://postgres@${host}:${port}/postgres`;
  }, 60_000);
  afterAll(async () => {
    await sut.close();
    await db.close();
  });

  it('keeps concurrent extended-protocol queries of many connections apart, large parameters included', async () => {
    const pool = new pg.Pool({ connectionString: url, max: 8 });
    try {
      const big = 'x'.repeat(300_000); // several TCP reads per Bind message
      const results = await Promise.all(
        Array.from({ length: 120 }, (_, i) =>
          i % 3 === 0
            ? pool
                .query<{ n: number }>('SELECT length($1::text) + $2::int AS n', [big, i])
                .then((r) => r.rows[0].n === 300_000 + i)
            : i % 3 === 1
              ? pool
                  .query<{ n: number }>('SELECT $1::int * 2 AS n', [i])
                  .then((r) => r.rows[0].n === i * 2)
              : pool
                  .query<{ s: string }>(
                    'SELECT $1::text || $2::text || $3::text || $4::text AS s',
                    ['a', 'b', String(i), 'd'],
                  )
                  .then((r) => r.rows[0].s === `ab${i}d`),
        ),
      );
      expect(results.every(Boolean)).toBe(true);
    } finally {
      await pool.end();
    }
  }, 60_000);

  it("runs no other connection's statement inside an open transaction, and rolls back a vanished client's", async () => {
    const a = new pg.Client({ connectionString: url });
    const b = new pg.Client({ connectionString: url });
    await a.connect();
    await b.connect();
    try {
      await a.query('BEGIN');
      await a.query(`INSERT INTO t (body) VALUES ('uncommitted')`);
      let seenByB: number | undefined;
      const read = b
        .query<{ n: number }>('SELECT count(*)::int AS n FROM t')
        .then((r) => (seenByB = r.rows[0].n));
      await new Promise((r) => setTimeout(r, 100));
      expect(seenByB).toBeUndefined(); // waits for a's transaction rather than running inside it
      await a.query('ROLLBACK');
      await read;
      expect(seenByB).toBe(0);

      const c = new pg.Client({ connectionString: url });
      await c.connect();
      c.on('error', () => undefined);
      await c.query('BEGIN');
      await c.query(`INSERT INTO t (body) VALUES ('abandoned')`);
      (c as unknown as { connection: { stream: { destroy(): void } } }).connection.stream.destroy();
      const after = await b.query<{ n: number }>('SELECT count(*)::int AS n FROM t');
      expect(after.rows[0].n).toBe(0);
    } finally {
      await a.end();
      await b.end();
    }
  }, 60_000);
});
