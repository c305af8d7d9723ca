import { raisesAlert } from './event-sql.js';

describe(raisesAlert.name, () => {
  it('raises alerts for high and critical events only', () => {
    expect(['low', 'medium', 'high', 'critical'].filter((s) => raisesAlert(s as never))).toEqual([
      'high',
      'critical',
    ]);
  });
});
