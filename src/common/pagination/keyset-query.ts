// SQL for one page of a list ordered by (timestamp, id): keyset (`cursor`) or OFFSET addressing,
// one extra row to learn whether more follow, and a count that stops at a cap. The ORDER BY
// matches the `(…, created_at DESC, id DESC)` indexes in either direction, so a filtered first
// page reads only the rows it returns.
import type { KeysetPosition } from './cursor.js';
import { type SqlQuery, SqlConditions } from './sql-conditions.js';

export type SortDirection = 'asc' | 'desc';

export interface KeysetOrder {
  /** The timestamptz column pages are ordered by, with its table alias (`a.created_at`). */
  column: string;
  /** The unique uuid column breaking ties between equal timestamps (`a.id`). */
  id: string;
  direction: SortDirection;
}

/** Which rows of the ordered result a request wants. */
export interface PageWindow {
  limit: number;
  offset: number;
  /** Start after this position (keyset paging); null for the first page or OFFSET paging. */
  after: KeysetPosition | null;
}

export interface KeysetPageSpec {
  /** The select list; must include the tie-breaker as `id`. */
  select: string;
  /** The FROM clause, e.g. `alerts a`. */
  from: string;
  where: SqlConditions;
  order: KeysetOrder;
  window: PageWindow;
}

/** The sort value of each row, exact to the microsecond, as the next cursor carries it. */
export const KEYSET_AT_FORMAT = `'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'`;

/** `ORDER BY <column> <dir>, <id> <dir>`, optionally re-qualified with another table alias. */
export function orderByClause(order: KeysetOrder, alias?: string): string {
  const qualify = (name: string) => (alias ? `${alias}.${name.split('.').pop()}` : name);
  const dir = order.direction === 'desc' ? 'DESC' : 'ASC';
  return `ORDER BY ${qualify(order.column)} ${dir}, ${qualify(order.id)} ${dir}`;
}

/** limit + 1 rows of the page, each with `keyset_at` (the text of its sort value). */
export function keysetPageQuery(spec: KeysetPageSpec): SqlQuery {
  const { column, id, direction } = spec.order;
  const where = spec.where.clone();
  const { after, limit, offset } = spec.window;
  if (after) {
    // A row comparison is one index condition on (column, id): the scan starts right after the
    // position instead of filtering everything before it.
    where.add(
      `(${column}, ${id}) ${direction === 'desc' ? '<' : '>'} ` +
        `(${where.param(after.at)}::timestamptz, ${where.param(after.id)}::uuid)`,
    );
  }
  const limitParam = where.param(limit + 1);
  const offsetClause = offset > 0 ? ` OFFSET ${where.param(offset)}` : '';
  const sql =
    `SELECT ${spec.select}, to_char(${column} AT TIME ZONE 'UTC', ${KEYSET_AT_FORMAT}) AS keyset_at` +
    ` FROM ${spec.from}${where.isEmpty ? '' : ` ${where.toSql()}`}` +
    ` ${orderByClause(spec.order)} LIMIT ${limitParam}${offsetClause}`;
  return { sql, params: where.params };
}

/** How many rows match, counting no further than `cap + 1`. */
export function cappedCountQuery(from: string, where: SqlConditions, cap: number): SqlQuery {
  const bound = where.clone();
  const limitParam = bound.param(cap + 1);
  const sql =
    `SELECT count(*)::int AS n FROM (SELECT 1 FROM ${from}` +
    `${bound.isEmpty ? '' : ` ${bound.toSql()}`} LIMIT ${limitParam}) capped`;
  return { sql, params: bound.params };
}
