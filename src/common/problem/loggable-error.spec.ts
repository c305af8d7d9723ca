import { QueryFailedError } from 'typeorm';
import { loggableError } from './loggable-error.js';

describe(loggableError.name, () => {
  const submitted = '100000000000000000000-MARKER';

  it("keeps a failed query's SQL, SQLSTATE and routine, never its parameters or messages", () => {
    const driverError = Object.assign(
      new Error(`value "${submitted}" is out of range for type integer`),
      { code: '22003', routine: 'pg_strtoint32_safe', detail: `Key (x)=(${submitted})` },
    );
    const error = new QueryFailedError('SELECT * FROM t OFFSET $1', [submitted], driverError);

    const logged = loggableError(error);

    expect(logged).toMatchObject({
      type: 'QueryFailedError',
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
