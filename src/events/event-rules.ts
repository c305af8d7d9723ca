// What a new event must satisfy, one rule per field, each returning the message that names the
// field (or null). Pure, so they are unit-tested without Nest; CreateEventDto applies them.
// Lengths count characters (code points), as PostgreSQL's varchar(n) does.
import { SEVERITIES } from '../common/severity.js';
import { parseInstant } from '../common/pagination/timestamp.js';
import { parseIp } from '../enrichment/ip-address.js';

export const NAME_MAX = 64;
export const DESCRIPTION_MAX = 5000;
export const CRITICAL_DESCRIPTION_MIN = 20;
export const ATTRIBUTES_MAX_BYTES = 16 * 1024;
/**
 * How deeply attributes may nest objects and arrays. 16 KiB of JSON can nest 8,000 levels, deeper
 * than JSON.stringify can serialise without overflowing the stack.
 */
export const ATTRIBUTES_MAX_DEPTH = 32;
/** How far in the future occurred_at may lie: clocks of the systems reporting events drift. */
export const FUTURE_SKEW_MS = 5 * 60_000;

type Message = string | null;

const characters = (text: string) => [...text].length;
// eslint-disable-next-line no-control-regex
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f]/;
// PostgreSQL text cannot hold NUL, and UTF-8 cannot encode half a surrogate pair (the driver
// would silently store U+FFFD instead); every other character is kept in a description.
const NUL = '\u0000';
const LONE_SURROGATE = /\p{Cs}/u;
const UNPAIRED = 'must not contain unpaired UTF-16 surrogates';

// What a reader cannot see: whitespace and separators (Zs, Zl, Zp), control and format characters
// (Cc, Cf: zero-width spaces and joiners, bidi marks, the BOM), other default-ignorable code points
// (variation selectors, the Hangul fillers) and combining marks (Mn, Me), which add nothing
// visible without a base character.
const INVISIBLE =
  /[\p{White_Space}\p{Zs}\p{Zl}\p{Zp}\p{Cc}\p{Cf}\p{Default_Ignorable_Code_Point}\p{Mn}\p{Me}]/gu;

/** How many characters of `text` can be seen: everything but whitespace and invisible characters. */
export const visibleCharacters = (text: string): number => characters(text.replace(INVISIBLE, ''));

/** Trims strings; anything else is left for the rule to refuse. */
export const trimmed = (value: unknown): unknown =>
  typeof value === 'string' ? value.trim() : value;

/** Lower-cases (and trims) strings: severities are case-insensitive on input. */
export const lowerCased = (value: unknown): unknown =>
  typeof value === 'string' ? value.trim().toLowerCase() : value;

/** An instant as PostgreSQL must read it: a bare date becomes midnight UTC, not session time. */
export const normalisedInstant = (value: unknown): unknown =>
  typeof value === 'string' ? (parseInstant(value)?.iso ?? value) : value;

/** A short name (source, event_type): 1..64 characters once trimmed, no control characters. */
export function nameRule(value: unknown, field: string): Message {
  if (typeof value !== 'string') return `${field} must be a string`;
  if (value === '') return `${field} must not be blank`;
  if (characters(value) > NAME_MAX) return `${field} must be at most ${NAME_MAX} characters long`;
  if (CONTROL_CHARACTERS.test(value)) return `${field} must not contain control characters`;
  if (LONE_SURROGATE.test(value)) return `${field} ${UNPAIRED}`;
  return null;
}

export function severityRule(value: unknown, field: string): Message {
  return typeof value === 'string' && (SEVERITIES as readonly string[]).includes(value)
    ? null
    : `${field} must be one of: ${SEVERITIES.join(', ')} (any case)`;
}

/** 1..5000 characters once trimmed, some visible; a critical event needs 20 visible ones. */
export function descriptionRule(value: unknown, field: string, severity: unknown): Message {
  if (typeof value !== 'string') return `${field} must be a string`;
  if (value === '') return `${field} must not be blank`;
  const length = characters(value);
  if (length > DESCRIPTION_MAX) {
    return `${field} must be at most ${DESCRIPTION_MAX} characters long (got ${length})`;
  }
  if (value.includes(NUL)) return `${field} must not contain NUL characters`;
  if (LONE_SURROGATE.test(value)) return `${field} ${UNPAIRED}`;
  const visible = visibleCharacters(value);
  if (visible === 0) return `${field} must not be blank (it has no visible characters)`;
  if (severity === 'critical' && visible < CRITICAL_DESCRIPTION_MIN) {
    return (
      `${field} of a critical event must have at least ${CRITICAL_DESCRIPTION_MIN} ` +
      `non-whitespace, visible characters (got ${visible})`
    );
  }
  return null;
}

/** An ISO 8601 instant with a zone (or a bare date, midnight UTC), at most 5 minutes ahead. */
export function occurredAtRule(value: unknown, field: string, now = Date.now()): Message {
  const instant = typeof value === 'string' ? parseInstant(value) : null;
  if (!instant) {
    return `${field} must be an ISO 8601 date-time with Z or an offset, e.g. 2024-05-01T12:00:00Z`;
  }
  if (instant.epochMs > now + FUTURE_SKEW_MS) {
    return `${field} must not be more than ${FUTURE_SKEW_MS / 60_000} minutes in the future`;
  }
  return null;
}

/** A plain IPv4 or IPv6 address: no prefix length, zone index or surrounding spaces. */
export function ipRule(value: unknown, field: string): Message {
  return typeof value === 'string' && !/[\s%/]/.test(value) && parseIp(value) !== null
    ? null
    : `${field} must be an IPv4 or IPv6 address`;
}

/** Whether `value` nests objects and arrays at most `limit` levels deep (walked without recursion). */
export function nestsWithin(value: unknown, limit: number): boolean {
  const stack: Array<[unknown, number]> = [[value, 1]];
  while (stack.length > 0) {
    const [current, depth] = stack.pop()!;
    if (typeof current !== 'object' || current === null) continue;
    if (depth > limit) return false;
    for (const child of Object.values(current)) stack.push([child, depth + 1]);
  }
  return true;
}

// JSON.stringify writes NUL and unpaired surrogates as escapes (\u0000, \ud800): a run of
// backslashes of odd length, then u and four digits. After an even run (escaped backslashes) the
// digits are plain text. jsonb refuses both escapes.
const ESCAPED_NUL = /(?:^|[^\\])(?:\\\\)*\\u0000/;
const ESCAPED_SURROGATE = /(?:^|[^\\])(?:\\\\)*\\ud[89a-f][0-9a-f]{2}/;

/** A JSON object (not an array, null or a scalar) of at most 16 KiB serialised as UTF-8. */
export function attributesRule(value: unknown, field: string): Message {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return `${field} must be a JSON object`;
  }
  if (!nestsWithin(value, ATTRIBUTES_MAX_DEPTH)) {
    return `${field} must not nest objects and arrays more than ${ATTRIBUTES_MAX_DEPTH} levels deep`;
  }
  const json = JSON.stringify(value);
  const bytes = Buffer.byteLength(json, 'utf8');
  if (bytes > ATTRIBUTES_MAX_BYTES) {
    return `${field} must be at most ${ATTRIBUTES_MAX_BYTES} bytes as JSON (got ${bytes})`;
  }
  if (ESCAPED_NUL.test(json)) return `${field} must not contain NUL characters`;
  if (ESCAPED_SURROGATE.test(json)) return `${field} ${UNPAIRED}`;
  return null;
}
