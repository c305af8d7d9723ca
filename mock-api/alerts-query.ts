// GET /alerts parameters: since (ISO 8601 with a zone), limit (1..1000) and the opaque cursor.
// The cursor is base64url JSON of the next position plus a check value bound to the seed, so a
// corrupted, hand-made or other-seed cursor is a 400 rather than a silently wrong page.
import { hash32 } from './prng.js';

export const DEFAULT_LIMIT = 100;
export const MAX_LIMIT = 1000;

export interface AlertsQuery {
  /** Epoch ms; alerts created at or after it. Null when only a cursor was given. */
  sinceMs: number | null;
  limit: number;
  /** Index of the next alert to serve, from the cursor. */
  cursor: number | null;
}

export type AlertsQueryResult = { ok: true; query: AlertsQuery } | { ok: false; error: string };

const CURSOR_SALT = 0x63757273;
const ISO_DATE_TIME =
  /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?(?:([Zz])|([+-])(\d{2}):?(\d{2}))$/;

function daysInMonth(year: number, month: number): number {
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  return [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1];
}

/**
 * An ISO 8601 date-time with Z or a ±hh:mm offset, as epoch ms; null when it is not one or names
 * an impossible date. Sub-millisecond digits round up, so `created_at >= since` stays exact.
 */
export function parseSince(text: string): number | null {
  const m = ISO_DATE_TIME.exec(text);
  if (!m) return null;
  const [year, month, day, hour, minute] = [m[1], m[2], m[3], m[4], m[5]].map(Number);
  const second = m[6] === undefined ? 0 : Number(m[6]);
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return null;
  if (hour > 23 || minute > 59 || second > 59) return null;
  const fraction = m[7] ?? '';
  let ms = Number(fraction.slice(0, 3).padEnd(3, '0'));
  if (/[1-9]/.test(fraction.slice(3))) ms += 1;
  let offsetMinutes = 0;
  if (m[9] !== undefined) {
    const [oh, om] = [Number(m[10]), Number(m[11])];
    if (oh > 23 || om > 59) return null;
    offsetMinutes = (m[9] === '-' ? -1 : 1) * (oh * 60 + om);
  }
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  date.setUTCHours(hour, minute, second, ms);
  return date.getTime() - offsetMinutes * 60_000;
}

export function encodeCursor(seed: number, index: number): string {
  const check = hash32(seed, index, CURSOR_SALT).toString(36);
  return Buffer.from(JSON.stringify({ v: 1, i: index, c: check })).toString('base64url');
}

/** The position a cursor of this seed points at; null when it is not such a cursor. */
export function decodeCursor(seed: number, text: string): number | null {
  if (!/^[A-Za-z0-9_-]{1,200}$/.test(text)) return null;
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
  } catch {
    return null;
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return null;
  const { v, i, c, ...rest } = parsed as Record<string, unknown>;
  if (v !== 1 || Object.keys(rest).length > 0) return null;
  if (typeof i !== 'number' || !Number.isSafeInteger(i) || i < 0) return null;
  return c === hash32(seed, i, CURSOR_SALT).toString(36) ? i : null;
}

export function parseAlertsQuery(params: URLSearchParams, seed: number): AlertsQueryResult {
  const repeated = ['since', 'limit', 'cursor'].find((name) => params.getAll(name).length > 1);
  if (repeated) return { ok: false, error: `${repeated} may be given only once` };
  const since = params.get('since') ?? undefined;
  const limit = params.get('limit') ?? undefined;
  const cursor = params.get('cursor') ?? undefined;

  let cursorIndex: number | null = null;
  // An empty cursor is what some clients send for "no cursor yet".
  if (cursor) {
    cursorIndex = decodeCursor(seed, cursor);
    if (cursorIndex === null) {
      return { ok: false, error: 'cursor is not a next_cursor issued by this upstream' };
    }
  }

  let sinceMs: number | null = null;
  if (since === undefined) {
    if (cursorIndex === null) return { ok: false, error: 'since is required (ISO 8601 date-time)' };
  } else {
    sinceMs = parseSince(since);
    if (sinceMs === null) {
      return {
        ok: false,
        error:
          'since must be an ISO 8601 date-time with a zone, e.g. 2024-05-01T12:00:00Z ' +
          '(a + in an offset must be sent as %2B)',
      };
    }
  }

  let limitValue = DEFAULT_LIMIT;
  if (limit !== undefined) {
    limitValue = /^\d{1,7}$/.test(limit) ? Number(limit) : NaN;
    if (!(limitValue >= 1 && limitValue <= MAX_LIMIT)) {
      return { ok: false, error: `limit must be an integer from 1 to ${MAX_LIMIT}` };
    }
  }
  return { ok: true, query: { sinceMs, limit: limitValue, cursor: cursorIndex } };
}
