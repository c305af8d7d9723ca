import { fetchKeysetPage, impliedCount, type RunQuery } from './paginate.js';
import type { KeysetPageSpec } from './keyset-query.js';
import { SqlConditions, type SqlQuery } from './sql-conditions.js';

const row = (n: number) => ({ id: `id-${n}`, keyset_at: `at-${n}` });
const rows = (count: number) => Array.from({ length: count }, (_, i) => row(i + 1));

function spec(window: KeysetPageSpec['window']): KeysetPageSpec {
  return {
    select: 'a.id',
    from: 'alerts a',
    where: new SqlConditions(),
    order: { column: 'a.created_at', id: 'a.id', direction: 'desc' },
    window,
  };
}

/** A fake database: the page query answers `page`, the count query answers `count`. */
function database(page: unknown[], count?: number) {
  const queries: SqlQuery[] = [];
  const run = ((query: SqlQuery) => {
    queries.push(query);
    if (query.sql.startsWith('SELECT count(*)')) {
      if (count === undefined) throw new Error('unexpected count');
      return Promise.resolve([{ n: count }]);
    }
    return Promise.resolve(page);
  }) as RunQuery;
  return { run, queries };
}

describe(fetchKeysetPage.name, () => {
  it('returns limit rows, has_more and the position of the last returned row', async () => {
    const db = database(rows(4), 57);
    const page = await fetchKeysetPage(db.run, spec({ limit: 3, offset: 0, after: null }));
    expect(page).toEqual({
      rows: rows(3),
      total: 57,
      totalCapped: false,
      hasMore: true,
      next: { at: 'at-3', id: 'id-3' },
    });
  });

  it('has no next position on the last page, and needs no count on a first one', async () => {
    const db = database(rows(2));
    const page = await fetchKeysetPage(db.run, spec({ limit: 3, offset: 0, after: null }));
    expect(page).toEqual({
      rows: rows(2),
      total: 2,
      totalCapped: false,
      hasMore: false,
      next: null,
    });
    expect(db.queries).toHaveLength(1);
  });

  it('takes an exact count in place of the capped one, never capped, only when the page cannot tell', async () => {
    const exactCount = { sql: 'SELECT sum(n) AS n FROM totals', params: [] };
    const counted = (page: unknown[], n: number) => {
      const queries: SqlQuery[] = [];
      const run = ((query: SqlQuery) => {
        queries.push(query);
        return Promise.resolve(query === exactCount ? [{ n }] : page);
      }) as RunQuery;
      return { run, queries };
    };
    const beyond = counted(rows(4), 250_000);
    const page = await fetchKeysetPage(beyond.run, spec({ limit: 3, offset: 0, after: null }), {
      exactCount,
    });
    expect(page).toMatchObject({ total: 250_000, totalCapped: false, hasMore: true });
    expect(beyond.queries.at(-1)).toBe(exactCount);

    // Past the cap by offset alone: still counted exactly, not reported as the cap.
    const deep = counted(rows(2), 10_002);
    const last = await fetchKeysetPage(deep.run, spec({ limit: 3, offset: 10_000, after: null }), {
      exactCount,
    });
    expect(last).toMatchObject({ total: 10_002, totalCapped: false, hasMore: false });

    const short = counted(rows(2), 99);
    const whole = await fetchKeysetPage(short.run, spec({ limit: 3, offset: 0, after: null }), {
      exactCount,
    });
    expect(whole.total).toBe(2);
    expect(short.queries).toHaveLength(1);
  });

  it('caps the total and says so', async () => {
    const db = database(rows(4), 10_001);
    const page = await fetchKeysetPage(db.run, spec({ limit: 3, offset: 0, after: null }));
    expect(page).toMatchObject({ total: 10_000, totalCapped: true });
    expect(db.queries[1].params).toEqual([10_001]);
  });

  it('counts every match, not only those after the cursor', async () => {
    const db = database(rows(1), 9);
    const page = await fetchKeysetPage(
      db.run,
      spec({ limit: 3, offset: 0, after: { at: 'x', id: 'y' } }),
    );
    expect(page).toMatchObject({ total: 9, hasMore: false, next: null });
    expect(db.queries[1].sql).not.toContain('keyset');
    expect(db.queries[1].params).toEqual([10_001]);
  });

  it('takes a wrapped page query', async () => {
    const db = database(rows(1));
    await fetchKeysetPage(db.run, spec({ limit: 3, offset: 0, after: null }), {
      query: () => ({ sql: 'SELECT wrapped', params: [] }),
    });
    expect(db.queries[0].sql).toBe('SELECT wrapped');
  });
});

describe(impliedCount.name, () => {
  const at = (offset: number, after = false) => ({
    limit: 10,
    offset,
    after: after ? { at: 'x', id: 'y' } : null,
  });

  it.each<[string, ReturnType<typeof at>, number, boolean, number | undefined]>([
    ['a short first page', at(0), 4, false, 4],
    ['an empty first page', at(0), 0, false, 0],
    ['a short page after an offset', at(20), 4, false, 24],
    ['a full page with more', at(0), 11, true, undefined],
    ['an empty page past the end', at(50), 0, false, undefined],
    ['any cursor page', at(0, true), 4, false, undefined],
    ['rows seen beyond the cap', at(9_995), 11, true, 10_006],
  ])('%s', (_, window, fetched, hasMore, expected) => {
    expect(impliedCount(window, fetched, hasMore, 10_000)).toBe(expected);
  });
});
