// Strict ISO 8601 instants for query filters. JavaScript's Date.parse rolls 2024-02-30 over to
// March and reads a zone-less time as local time; PostgreSQL would read it in the session zone.
// Both would make a filter mean something other than what the caller wrote, so only calendar
// dates and date-times with an explicit zone are accepted.

const ISO_INSTANT =
  /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-](\d{2}):(\d{2})))?$/;

/**
 * The instant `text` names, as an ISO string PostgreSQL reads exactly (sub-millisecond digits are
 * kept), or null when `text` is not `YYYY-MM-DD` or `YYYY-MM-DDThh:mm[:ss[.fraction]]` followed
 * by `Z` or `±hh:mm`. A bare date means midnight UTC.
 */
export function parseInstant(text: string): { iso: string; epochMs: number } | null {
  const m = ISO_INSTANT.exec(text);
  if (!m) return null;
  const [, y, mo, d, h = '00', mi = '00', s = '00', fraction, zone, zh, zm] = m;
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  const utc = Date.UTC(year, month - 1, day, Number(h), Number(mi), Number(s));
  const check = new Date(utc);
  if (
    year < 1 ||
    check.getUTCFullYear() !== year ||
    check.getUTCMonth() !== month - 1 ||
    check.getUTCDate() !== day ||
    check.getUTCHours() !== Number(h) ||
    check.getUTCMinutes() !== Number(mi) ||
    check.getUTCSeconds() !== Number(s)
  ) {
    return null;
  }
  if (zh !== undefined && (Number(zh) > 14 || Number(zm) > 59)) return null;
  // Digits past the sixth are below PostgreSQL's microsecond resolution; it rounds them.
  const fractionMs = fraction ? Number(`0.${fraction}`) * 1000 : 0;
  const offsetMs =
    zone && zone !== 'Z'
      ? (zone.startsWith('-') ? -1 : 1) * (Number(zh) * 60 + Number(zm)) * 60_000
      : 0;
  const iso = zone === undefined ? `${y}-${mo}-${d}T00:00:00Z` : text;
  return { iso, epochMs: utc + Math.floor(fractionMs) - offsetMs };
}
