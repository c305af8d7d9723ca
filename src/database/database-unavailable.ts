// Telling "the database could not be reached" apart from "the database refused this query": the
// first is our outage, not the caller's mistake, and is answered 503 with Retry-After (never 401
// or 500), so clients wait and retry instead of signing their user out or reporting a bug.

/** How long a client is asked to wait before retrying during a database outage. */
export const DATABASE_RETRY_AFTER_SECONDS = 5;

// Socket errors from connecting or talking to the server; SQLSTATEs for a server shutting down,
// starting up or out of connections (class 08 is matched as a whole).
const UNAVAILABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  '57P01', // admin_shutdown
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now
  '53300', // too_many_connections
]);

// node-postgres and its pool report these without a code.
const UNAVAILABLE_MESSAGES = [
  /^Connection terminated/,
  /^timeout exceeded when trying to connect$/,
  /^Client has encountered a connection error and is not queryable$/,
  /^Client was closed and is not queryable$/,
];

/** True when `error` (or what it wraps: a cause, a TypeORM driverError from a migration) is a lost database. */
export function isDatabaseUnavailable(error: unknown, depth = 0): boolean {
  if (!(error instanceof Error) || depth > 3) return false;
  const { code, driverError, cause, errors } = error as Error & {
    code?: unknown;
    driverError?: unknown;
    cause?: unknown;
    errors?: unknown;
  };
  if (typeof code === 'string' && (UNAVAILABLE_CODES.has(code) || code.startsWith('08'))) {
    return true;
  }
  if (UNAVAILABLE_MESSAGES.some((pattern) => pattern.test(error.message))) return true;
  // Node reports a connection refused on every address of a host as an AggregateError.
  const nested: unknown[] = [
    driverError,
    cause,
    ...(Array.isArray(errors) ? (errors as unknown[]) : []),
  ];
  return nested.some((inner) => inner !== error && isDatabaseUnavailable(inner, depth + 1));
}
