import pg from 'pg';
import { QueryError } from './database.js';
import { isDatabaseUnavailable } from './database-unavailable.js';

function withCode(message: string, code: string): Error {
  return Object.assign(new Error(message), { code });
}

/** What Database throws for a statement PostgreSQL refused with `code`. */
function refused(query: string, message: string, code: string): QueryError {
  return new QueryError(query, Object.assign(new pg.DatabaseError(message, 0, 'error'), { code }));
}

describe(isDatabaseUnavailable.name, () => {
  it.each([
    ['a refused connection', withCode('connect ECONNREFUSED 10.0.0.5:5432', 'ECONNREFUSED')],
    ['a reset connection', withCode('read ECONNRESET', 'ECONNRESET')],
    ['a server shutting down', withCode('terminating connection', '57P01')],
    ['a connection exception (class 08)', withCode('connection failure', '08006')],
    ['a connection lost mid-query', new Error('Connection terminated unexpectedly')],
    ['a pool that could not connect in time', new Error('timeout exceeded when trying to connect')],
    [
      'a server shutting down under a statement',
      refused('SELECT 1', 'terminating connection due to administrator command', '57P01'),
    ],
    [
      'every address of the host refusing',
      new AggregateError([withCode('connect ECONNREFUSED ::1:5432', 'ECONNREFUSED')], ''),
    ],
    ['a cause', new Error('query failed', { cause: withCode('connect ETIMEDOUT', 'ETIMEDOUT') })],
  ])('recognises %s', (_, error) => {
    expect(isDatabaseUnavailable(error)).toBe(true);
  });

  it.each([
    ['a unique violation', refused('INSERT', 'duplicate key', '23505')],
    ['a syntax error', refused('SELEC', 'syntax error', '42601')],
    ['a bad uuid', refused('SELECT', 'invalid input syntax', '22P02')],
    ['a plain bug', new TypeError("Cannot read properties of undefined (reading 'id')")],
    ['not an error', { code: 'ECONNREFUSED' }],
  ])('does not take %s for an outage', (_, error) => {
    expect(isDatabaseUnavailable(error)).toBe(false);
  });
});
