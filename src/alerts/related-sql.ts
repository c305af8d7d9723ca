// The SQL of `GET /api/alerts/{id}/related`: the alert's keys, and for each key the alerts within
// the window that share it. An address group selects exactly what the list's `ip=<address>`
// selects (the same condition), narrowed to the window, so the dashboard's pivot link and the
// group agree. Pure (no database); the alert store runs them.
import type { KeysetPageSpec } from '../common/pagination/keyset-query.js';
import { SqlConditions, type SqlQuery } from '../common/pagination/sql-conditions.js';

/** Alerts listed per group at most (the group's `total` counts them all, up to TOTAL_CAP). */
export const RELATED_CAP = 50;
/** Related alerts were created at most this long before or after the alert. */
export const RELATED_WINDOW_HOURS = 24;

export const RELATED_KEYS = ['src_ip', 'dst_ip', 'user'] as const;
export type RelatedKey = (typeof RELATED_KEYS)[number];

/** The alert that related alerts are related to: its keys and the window around it. */
export interface RelatedAnchor {
  id: string;
  src_ip: string | null;
  dst_ip: string | null;
  user_name: string | null;
  /** The window's ends, exact to the microsecond (what the conditions compare). */
  since_at: string;
  until_at: string;
  /** …and as served (milliseconds). */
  since: string;
  until: string;
}

const WINDOW = `interval '${RELATED_WINDOW_HOURS} hours'`;
const text = (instant: string, format: string) =>
  `to_char((${instant}) AT TIME ZONE 'UTC', '${format}')`;
const MICROS = 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"';
const MILLIS = 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"';

export function relatedAnchorQuery(id: string): SqlQuery {
  return {
    sql:
      `SELECT a.id, host(a.src_ip) AS src_ip, host(a.dst_ip) AS dst_ip, a.user_name,` +
      ` ${text(`a.created_at - ${WINDOW}`, MICROS)} AS since_at,` +
      ` ${text(`a.created_at + ${WINDOW}`, MICROS)} AS until_at,` +
      ` ${text(`a.created_at - ${WINDOW}`, MILLIS)} AS since,` +
      ` ${text(`a.created_at + ${WINDOW}`, MILLIS)} AS until` +
      ` FROM alerts a WHERE a.id = $1`,
    params: [id],
  };
}

/** The network of one address, as the `ip` filter writes it (`a.b.c.d/32`, `…/128`). */
const hostNetwork = (address: string) => `${address}/${address.includes(':') ? 128 : 32}`;

/** The groups an alert has, in order: one per key it has a value for (an address once). */
export function relatedKeys(anchor: RelatedAnchor): Array<{ shared: RelatedKey; value: string }> {
  const keys: Array<{ shared: RelatedKey; value: string }> = [];
  if (anchor.src_ip !== null) keys.push({ shared: 'src_ip', value: anchor.src_ip });
  if (anchor.dst_ip !== null && anchor.dst_ip !== anchor.src_ip)
    keys.push({ shared: 'dst_ip', value: anchor.dst_ip });
  if (anchor.user_name !== null) keys.push({ shared: 'user', value: anchor.user_name });
  return keys;
}

/**
 * The alerts other than the anchor, created within its window, that share `value`: an address on
 * either side (either address of the anchor may appear as the other alert's source or
 * destination), or the user. Newest first, RELATED_CAP of them (paged like the list).
 */
export function relatedPageSpec(
  anchor: RelatedAnchor,
  key: { shared: RelatedKey; value: string },
): KeysetPageSpec {
  const where = new SqlConditions();
  if (key.shared === 'user') where.equals('a.user_name', key.value);
  else where.anyWithin(['a.src_ip', 'a.dst_ip'], hostNetwork(key.value));
  where.since('a.created_at', anchor.since_at).until('a.created_at', anchor.until_at);
  where.add(`a.id <> ${where.param(anchor.id)}::uuid`);
  return {
    select: 'a.*',
    from: 'alerts a',
    where,
    order: { column: 'a.created_at', id: 'a.id', direction: 'desc' },
    window: { limit: RELATED_CAP, offset: 0, after: null },
  };
}
