// The circuit breaker of scheduled syncs, as a pure function of the run history: the state is
// derived from the consecutive failed runs since the last success (on any replica), so every
// replica agrees on it and a restart does not forget it.

export type CircuitState = 'closed' | 'open' | 'half_open';

export interface CircuitPolicy {
  /** Consecutive failures that open the circuit. */
  failures: number;
  /** How long it stays open after the failure that opened it; doubles with each further one. */
  cooldownSeconds: number;
}

export interface FailureStreak {
  /** Failed runs since the last successful one. */
  failures: number;
  lastFailureAt: Date | null;
}

export interface Circuit {
  state: CircuitState;
  consecutiveFailures: number;
  /** While open: when the next scheduled tick may try again. */
  retryAt: Date | null;
}

export const MAX_COOLDOWN_SECONDS = 3600;

export function circuitOf(streak: FailureStreak, policy: CircuitPolicy, now: Date): Circuit {
  const { failures, lastFailureAt } = streak;
  if (failures < policy.failures || !lastFailureAt) {
    return { state: 'closed', consecutiveFailures: failures, retryAt: null };
  }
  const cooldown = Math.min(
    policy.cooldownSeconds * 2 ** (failures - policy.failures),
    Math.max(MAX_COOLDOWN_SECONDS, policy.cooldownSeconds),
  );
  const retryAt = new Date(lastFailureAt.getTime() + cooldown * 1000);
  return retryAt > now
    ? { state: 'open', consecutiveFailures: failures, retryAt }
    : { state: 'half_open', consecutiveFailures: failures, retryAt: null };
}
