// What the log of a failed request may keep of its error: never what the caller submitted.
import { QueryError } from '../../database/database.js';

/**
 * What a log may keep of an error. A failed query keeps its SQL text (placeholders only), the
 * SQLSTATE and PostgreSQL's routine; its parameters, message and detail hold the values.
 */
export function loggableError(exception: unknown): unknown {
  if (!(exception instanceof QueryError)) return exception;
  return {
    type: 'QueryError',
    code: exception.code,
    routine: exception.routine,
    query: exception.query,
    stack: exception.stack?.split('\n').slice(1).join('\n'),
  };
}
