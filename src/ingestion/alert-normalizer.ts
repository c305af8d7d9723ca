// Turns one upstream record (standard or legacy shape) into a NormalizedAlert, or says exactly
// why it cannot: the reason goes to the quarantine with the raw record. The upstream is another
// team's software, so everything PostgreSQL would refuse in the commit statement (a NUL or an
// unpaired surrogate in a string, a value longer than its column, an address with a zone id, a
// date outside timestamptz's calendar) is refused here, for this record alone: one bad record
// must never fail the statement that stores its page.
import { hash } from 'node:crypto';
import { isIP } from 'node:net';
import { SEVERITIES, type Severity } from '../common/severity.js';
import { jsonDepth, MAX_BODY_DEPTH } from '../common/validation/validation.pipe.js';

export interface NormalizedAlert {
  source: string;
  /** The upstream's id; null when it gave none (then the fingerprint is the dedup key). */
  externalId: string | null;
  /**
   * The dedup key of an alert without an upstream id: SHA-256 of the normalised content, as 64
   * hex digits (stored as bytea). Null when there is an id, which is the key then.
   */
  fingerprint: string | null;
  severity: Severity;
  description: string;
  createdAt: Date;
  srcIp: string | null;
  dstIp: string | null;
}

export type NormalizeResult = { ok: true; alert: NormalizedAlert } | { ok: false; reason: string };

const LEGACY_CRITICALITY: Record<number, Severity> = {
  1: 'low',
  2: 'medium',
  3: 'high',
  4: 'critical',
};
const MAX_DESCRIPTION = 5000;
const MAX_SOURCE = 64;
const MAX_EXTERNAL_ID = 256;
/** A date-time with a zone (±hh:mm or ISO 8601's basic ±hhmm); the calendar is checked apart. */
const ISO_DATE_TIME =
  /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?(?:Z|([+-])(\d{2}):?(\d{2}))$/;
const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
/**
 * The instants an alert may carry. Outside them PostgreSQL refuses some (year 0, years past 9999
 * as toISOString writes them) and the rest are no sensor's clock. Dates in the future are kept:
 * the alert is real even when its sensor's clock is wrong (the sync keeps such dates from moving
 * the bookmark).
 */
const EARLIEST_MS = Date.UTC(1970, 0, 1);
const LATEST_MS = Date.UTC(9999, 11, 31, 23, 59, 59, 999);

class Rejection extends Error {}

function fail(reason: string): never {
  throw new Rejection(reason);
}

/** PostgreSQL text holds neither NUL nor (as UTF-8) half of a surrogate pair. */
/** Anything storable() has to look at twice: a NUL or a surrogate, paired or not. */
// eslint-disable-next-line no-control-regex -- NUL is exactly what it looks for
const SUSPECT = /[\u0000\ud800-\udfff]/;

function storable(field: string, value: string): string {
  if (!SUSPECT.test(value)) return value; // every real field: one scan
  if (value.includes('\u0000')) fail(`${field} contains a NUL character`);
  if (!value.isWellFormed()) fail(`${field} contains an unpaired UTF-16 surrogate`);
  return value;
}

/**
 * A required string field, trimmed and at most `max` UTF-16 units long after
 * `transform` (lower-casing can lengthen a string: 'İ' becomes two characters). A varchar(n)
 * counts characters, never more than units, so this bound is PostgreSQL's too.
 */
function text(
  record: Record<string, unknown>,
  field: string,
  max: number,
  transform: (s: string) => string = (s) => s,
): string {
  const value = record[field];
  if (value === undefined || value === null || value === '') fail(`${field} is missing`);
  if (typeof value !== 'string') fail(`${field} must be a string`);
  const trimmed = transform(storable(field, value).trim());
  if (!trimmed) fail(`${field} is blank`);
  if (trimmed.length > max) fail(`${field} is longer than ${max} characters`);
  return trimmed;
}

const lowerCase = (s: string) => s.toLowerCase();

function identifier(record: Record<string, unknown>, field: string): string | null {
  const value = record[field];
  if (value === undefined || value === null || value === '') return null;
  if (typeof value === 'number' && Number.isSafeInteger(value)) return String(value);
  if (typeof value !== 'string') fail(`${field} must be a string or an integer`);
  if (value.length > MAX_EXTERNAL_ID) fail(`${field} is longer than ${MAX_EXTERNAL_ID} characters`);
  return storable(field, value);
}

function ip(record: Record<string, unknown>, field: string): string | null {
  const value = record[field];
  if (value === undefined || value === null || value === '') return null;
  // isIP accepts IPv6 zone ids (fe80::1%eth0), which inet refuses; they mean nothing off-host.
  if (typeof value !== 'string' || isIP(value) === 0 || value.includes('%'))
    fail(`${field} is not a valid IPv4 or IPv6 address`);
  return value.toLowerCase();
}

function timestamp(record: Record<string, unknown>, field: string): Date {
  const value = record[field];
  if (value === undefined || value === null || value === '') fail(`${field} is missing`);
  const m = typeof value === 'string' ? ISO_DATE_TIME.exec(value) : null;
  if (!m) fail(`${field} is not an ISO 8601 timestamp`);
  const epochMs = calendarInstant(m);
  if (Number.isNaN(epochMs)) fail(`${field} is not a valid date`);
  if (epochMs < EARLIEST_MS || epochMs > LATEST_MS)
    fail(`${field} is outside the years 1970 to 9999`);
  return new Date(epochMs);
}

/**
 * Epoch ms of a matched ISO_DATE_TIME, or NaN for a day, hour, minute or second the calendar does
 * not have (Date.UTC would roll 30 February over to 2 March) or an offset past ±14:59. The same
 * rules as the API's parseInstant, without its Date round trip: this runs once per alert synced.
 */
function calendarInstant(m: RegExpExecArray): number {
  const year = +m[1];
  // Date.UTC reads years 0–99 as 1900–1999; no alert is that old anyway.
  if (year < 1970) return -Infinity;
  const month = +m[2];
  const day = +m[3];
  const hour = +m[4];
  const minute = +m[5];
  const second = m[6] === undefined ? 0 : +m[6];
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  const days = month === 2 && leap ? 29 : DAYS_IN_MONTH[month - 1];
  if (month < 1 || month > 12 || day < 1 || day > days) return NaN;
  if (hour > 23 || minute > 59 || second > 59) return NaN;
  let offset = 0;
  if (m[8] !== undefined) {
    const hours = +m[9];
    const minutes = +m[10];
    if (hours > 14 || minutes > 59) return NaN;
    offset = (m[8] === '-' ? -1 : 1) * (hours * 60 + minutes) * 60_000;
  }
  // Digits past the millisecond are dropped, as Date.parse drops them.
  const ms = m[7] === undefined ? 0 : +`${m[7]}00`.slice(0, 3);
  return Date.UTC(year, month - 1, day, hour, minute, second, ms) - offset;
}

function severity(value: unknown): Severity {
  if (typeof value !== 'string') fail('severity must be a string');
  const lower = value.trim().toLowerCase() as Severity;
  if (!SEVERITIES.includes(lower)) fail(`severity must be one of ${SEVERITIES.join(', ')}`);
  return lower;
}

function criticality(value: unknown): Severity {
  const mapped = typeof value === 'number' ? LEGACY_CRITICALITY[value] : undefined;
  if (!mapped) fail('criticality must be an integer from 1 to 4');
  return mapped;
}

/**
 * SHA-256 over the normalised content, so the same alert always gets the same key. Hex from the
 * one-shot hash: no Hash object and no Buffer per alert (the commit sends hex anyway).
 */
function fingerprintOf(alert: NormalizedAlert): string {
  const canonical = JSON.stringify([
    alert.source,
    alert.severity,
    alert.description,
    alert.createdAt.toISOString(),
    alert.srcIp,
    alert.dstIp,
  ]);
  return hash('sha256', canonical, 'hex');
}

/**
 * The bound the API puts on request bodies. Fields Vigil does not read are not stored, but a
 * record built 10,000 levels deep is no sensor's alert. Only values that are objects are walked, so
 * a flat record (every real one) costs one pass over its fields.
 */
function nestsTooDeep(record: Record<string, unknown>): boolean {
  for (const key in record) {
    const value = record[key];
    if (typeof value === 'object' && value !== null && jsonDepth(value) >= MAX_BODY_DEPTH) {
      return true;
    }
  }
  return false;
}

export function normalizeAlert(raw: unknown): NormalizeResult {
  try {
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
      fail('record is not a JSON object');
    const record = raw as Record<string, unknown>;
    if (nestsTooDeep(record)) fail(`record nests deeper than ${MAX_BODY_DEPTH} levels`);
    const legacy = 'alertId' in record || 'criticality' in record || 'summary' in record;
    const alert: NormalizedAlert = legacy
      ? {
          source: text(record, 'source', MAX_SOURCE, lowerCase),
          externalId: identifier(record, 'alertId'),
          severity: criticality(record.criticality),
          description: text(record, 'summary', MAX_DESCRIPTION),
          createdAt: timestamp(record, 'timestamp'),
          srcIp: ip(record, 'sourceAddress'),
          dstIp: ip(record, 'destinationAddress'),
          fingerprint: null,
        }
      : {
          source: text(record, 'source', MAX_SOURCE, lowerCase),
          externalId: identifier(record, 'id'),
          severity: severity(record.severity),
          description: text(record, 'description', MAX_DESCRIPTION),
          createdAt: timestamp(record, 'created_at'),
          srcIp: ip(record, 'src_ip'),
          dstIp: ip(record, 'dst_ip'),
          fingerprint: null,
        };
    if (alert.externalId === null) alert.fingerprint = fingerprintOf(alert);
    return { ok: true, alert };
  } catch (error) {
    if (error instanceof Rejection) return { ok: false, reason: error.message };
    throw error;
  }
}
