import { parseDurationSeconds } from './duration.js';

describe(parseDurationSeconds.name, () => {
  it.each([
    ['900', 900],
    ['90s', 90],
    ['15m', 900],
    ['12h', 43200],
    ['7d', 604800],
  ])('reads %s as %d seconds', (input, expected) => {
    expect(parseDurationSeconds(input)).toBe(expected);
  });

  it.each(['', '0', '-5m', '1.5h', '15 minutes', '3w'])('rejects %j', (input) => {
    expect(parseDurationSeconds(input)).toBeNull();
  });
});
