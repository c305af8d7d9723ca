import {
  cappedCountQuery,
  type KeysetPageSpec,
  keysetPageQuery,
  orderByClause,
} from './keyset-query.js';
import { SqlConditions } from './sql-conditions.js';

const AT = '2024-05-01T12:00:00.123456Z';
const ID = '0b7e7c1e-6a4f-4e8e-9a53-0f8a3f0e2b11';

function spec(overrides: Partial<KeysetPageSpec> = {}): KeysetPageSpec {
  return {
    select: 'a.id, a.severity',
    from: 'alerts a',
    where: new SqlConditions().equals('a.severity', 'high'),
    order: { column: 'a.created_at', id: 'a.id', direction: 'desc' },
    window: { limit: 100, offset: 0, after: null },
    ...overrides,
  };
}

const KEY = `to_char(a.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS keyset_at`;

describe(keysetPageQuery.name, () => {
  it('reads limit + 1 rows newest first, in the order of the (…, created_at DESC, id DESC) indexes', () => {
    expect(keysetPageQuery(spec())).toEqual({
      sql:
        `SELECT a.id, a.severity, ${KEY} FROM alerts a WHERE a.severity = $1` +
        ' ORDER BY a.created_at DESC, a.id DESC LIMIT $2',
      params: ['high', 101],
    });
  });

  it('starts after the cursor position with one row comparison, below it when descending', () => {
    const { sql, params } = keysetPageQuery(
      spec({ window: { limit: 10, offset: 0, after: { at: AT, id: ID } } }),
    );
    expect(sql).toContain(
      'WHERE a.severity = $1 AND (a.created_at, a.id) < ($2::timestamptz, $3::uuid)',
    );
    expect(sql).toMatch(/ORDER BY a\.created_at DESC, a\.id DESC LIMIT \$4$/);
    expect(params).toEqual(['high', AT, ID, 11]);
  });

  it('walks upwards when ascending', () => {
    const { sql } = keysetPageQuery(
      spec({
        order: { column: 'a.created_at', id: 'a.id', direction: 'asc' },
        window: { limit: 10, offset: 0, after: { at: AT, id: ID } },
      }),
    );
    expect(sql).toContain('(a.created_at, a.id) > ($2::timestamptz, $3::uuid)');
    expect(sql).toContain('ORDER BY a.created_at ASC, a.id ASC');
  });

  it('skips rows with OFFSET when asked', () => {
    const { sql, params } = keysetPageQuery(
      spec({ window: { limit: 5, offset: 40, after: null } }),
    );
    expect(sql).toMatch(/LIMIT \$2 OFFSET \$3$/);
    expect(params).toEqual(['high', 6, 40]);
  });

  it('has no WHERE without conditions', () => {
    const { sql, params } = keysetPageQuery(spec({ where: new SqlConditions() }));
    expect(sql).toBe(
      `SELECT a.id, a.severity, ${KEY} FROM alerts a ORDER BY a.created_at DESC, a.id DESC LIMIT $1`,
    );
    expect(params).toEqual([101]);
  });

  it('leaves the caller’s conditions untouched', () => {
    const where = new SqlConditions().equals('a.severity', 'high');
    keysetPageQuery(spec({ where, window: { limit: 1, offset: 0, after: { at: AT, id: ID } } }));
    expect(where.toSql()).toBe('WHERE a.severity = $1');
    expect(where.params).toEqual(['high']);
  });
});

describe(cappedCountQuery.name, () => {
  it('counts no further than cap + 1 rows', () => {
    expect(
      cappedCountQuery('alerts a', new SqlConditions().equals('a.status', 'open'), 10_000),
    ).toEqual({
      sql: 'SELECT count(*)::int AS n FROM (SELECT 1 FROM alerts a WHERE a.status = $1 LIMIT $2) capped',
      params: ['open', 10_001],
    });
  });

  it('counts without a WHERE when nothing filters', () => {
    expect(cappedCountQuery('alerts a', new SqlConditions(), 5).sql).toBe(
      'SELECT count(*)::int AS n FROM (SELECT 1 FROM alerts a LIMIT $1) capped',
    );
  });
});

describe(orderByClause.name, () => {
  it('re-qualifies the columns for an outer query', () => {
    expect(orderByClause({ column: 'a.created_at', id: 'a.id', direction: 'asc' }, 'p')).toBe(
      'ORDER BY p.created_at ASC, p.id ASC',
    );
  });
});
