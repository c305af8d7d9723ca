import { readEnvironment } from './environment.js';
import { parseRetrySchedule } from './webhook.config.js';

describe(parseRetrySchedule.name, () => {
  it('reads the default as six growing delays', () => {
    const env = readEnvironment({});
    expect(parseRetrySchedule(env.WEBHOOK_RETRY_SCHEDULE_SECONDS)).toEqual([
      5, 30, 120, 600, 3600, 21600,
    ]);
  });

  it('reads a list with spaces, as the environment accepts it', () => {
    const env = readEnvironment({ WEBHOOK_RETRY_SCHEDULE_SECONDS: ' 1, 2 ,3' });
    expect(parseRetrySchedule(env.WEBHOOK_RETRY_SCHEDULE_SECONDS)).toEqual([1, 2, 3]);
  });
});
