// Opaque keyset cursors: the position of the last row of a page (its sort timestamp, exact to
// the microsecond, and its id) and the sort it was produced under. The payload is JSON in
// base64url with a short SHA-256 tag, so a corrupted or hand-edited cursor is refused instead of
// silently starting somewhere else. The tag is not a secret: a cursor only positions a read the
// caller is allowed to make anyway, and every filter is applied again on each request.
import { createHash } from 'node:crypto';
import { parseInstant } from './timestamp.js';

/** Where a keyset page ends: the sort column (UTC, microseconds) and the id breaking ties. */
export interface KeysetPosition {
  at: string;
  id: string;
}

export interface DecodedCursor extends KeysetPosition {
  sort: string;
}

export class InvalidCursorError extends Error {}

/** The shape PostgreSQL's `to_char(... 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')` produces. */
const POSITION_AT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const SORT = /^-?[a-z_]{1,64}$/;
const VERSION = 'v1';
const MAX_CURSOR_LENGTH = 256;
const MALFORMED = 'cursor is malformed or was altered; pass next_cursor exactly as given';

function tag(payload: string): string {
  return createHash('sha256')
    .update(`vigil-cursor:${VERSION}:${payload}`)
    .digest()
    .subarray(0, 12)
    .toString('base64url');
}

export function encodeCursor(sort: string, position: KeysetPosition): string {
  const payload = Buffer.from(JSON.stringify([VERSION, sort, position.at, position.id])).toString(
    'base64url',
  );
  return `${payload}.${tag(payload)}`;
}

/** The position in `cursor`; throws InvalidCursorError when it is not one this code produced. */
export function decodeCursor(cursor: string): DecodedCursor {
  const [payload, given, ...rest] = cursor.split('.');
  if (
    cursor.length > MAX_CURSOR_LENGTH ||
    rest.length > 0 ||
    !payload ||
    given === undefined ||
    given !== tag(payload)
  ) {
    throw new InvalidCursorError(MALFORMED);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
  } catch {
    parsed = undefined;
  }
  if (
    !Array.isArray(parsed) ||
    parsed.length !== 4 ||
    parsed[0] !== VERSION ||
    !parsed.every((part) => typeof part === 'string')
  ) {
    throw new InvalidCursorError(MALFORMED);
  }
  const [, sort, at, id] = parsed;
  if (!SORT.test(sort) || !POSITION_AT.test(at) || !parseInstant(at) || !UUID.test(id)) {
    throw new InvalidCursorError(MALFORMED);
  }
  return { sort, at, id };
}

/** decodeCursor, also refusing a cursor produced under another sort than `sort`. */
export function decodeCursorFor(cursor: string, sort: string): KeysetPosition {
  const decoded = decodeCursor(cursor);
  if (decoded.sort !== sort) {
    throw new InvalidCursorError(
      `cursor was produced under sort=${decoded.sort}; repeat that sort or start again without a cursor`,
    );
  }
  return { at: decoded.at, id: decoded.id };
}
