import pg from 'pg';
import { QueryError } from '../../database/database.js';
import { loggableError } from './loggable-error.js';

describe(loggableError.name, () => {
  const submitted = '100000000000000000000-MARKER';

  it("keeps a failed query's SQL, SQLSTATE and routine, never its parameters or messages", () => {
    const refusal = Object.assign(
      new pg.DatabaseError(`value "${submitted}" is out of range for type integer`, 0, 'error'),
      { code: '22003', routine: 'pg_strtoint32_safe', detail: `Key (x)=(${submitted})` },
    );
    const error = new QueryError('SELECT * FROM t OFFSET $1', refusal);

    const logged = loggableError(error);

    expect(logged).toMatchObject({
      type: 'QueryError',
      code: '22003',
      routine: 'pg_strtoint32_safe',
      query: 'SELECT * FROM t OFFSET $1',
    });
    expect(JSON.stringify(logged)).not.toContain('MARKER');
  });

  it('keeps any other error whole (its stack is what a developer needs)', () => {
    const error = new TypeError('x is undefined');
    expect(loggableError(error)).toBe(error);
  });
});
