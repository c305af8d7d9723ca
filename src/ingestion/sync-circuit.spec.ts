import { circuitOf, MAX_COOLDOWN_SECONDS } from './sync-circuit.js';

const policy = { failures: 3, cooldownSeconds: 60 };
const now = new Date('2026-11-21T12:00:00Z');
const ago = (seconds: number) => new Date(now.getTime() - seconds * 1000);

describe(circuitOf.name, () => {
  it('stays closed below the threshold', () => {
    expect(circuitOf({ failures: 2, lastFailureAt: ago(1) }, policy, now)).toEqual({
      state: 'closed',
      consecutiveFailures: 2,
      retryAt: null,
    });
    expect(circuitOf({ failures: 0, lastFailureAt: null }, policy, now).state).toBe('closed');
  });

  it('opens at the threshold for the cooldown, then half-opens', () => {
    expect(circuitOf({ failures: 3, lastFailureAt: ago(10) }, policy, now)).toEqual({
      state: 'open',
      consecutiveFailures: 3,
      retryAt: new Date(ago(10).getTime() + 60_000),
    });
    expect(circuitOf({ failures: 3, lastFailureAt: ago(60) }, policy, now).state).toBe('half_open');
  });

  it('doubles the cooldown with each failed trial, up to an hour', () => {
    expect(circuitOf({ failures: 4, lastFailureAt: ago(100) }, policy, now).state).toBe('open');
    expect(circuitOf({ failures: 4, lastFailureAt: ago(120) }, policy, now).state).toBe(
      'half_open',
    );
    const many = circuitOf({ failures: 40, lastFailureAt: ago(0) }, policy, now);
    expect(many.retryAt!.getTime() - now.getTime()).toBe(MAX_COOLDOWN_SECONDS * 1000);
  });
});
