// The mock's environment, validated like the service's: a bad value stops start-up with one line
// naming the variable. Empty strings count as unset.
import { MAX_BACKLOG, MAX_RATE } from './alert-timeline.js';

export interface MockEnvironment {
  MOCK_PORT: number;
  MOCK_HOST: string;
  MOCK_FAILURE_RATE: number;
  MOCK_SEED: number;
  MOCK_RATE_PER_MINUTE: number;
  MOCK_BACKLOG: number;
}

export class MockConfigurationError extends Error {
  override readonly name = 'MockConfigurationError';
}

const MAX_SEED = 0xffff_ffff;

interface Rule {
  fallback: number | string;
  read(value: string): number | string | undefined;
  expected: string;
}

function integer(min: number, max: number): Rule['read'] {
  return (value) => {
    if (!/^\d+$/.test(value)) return undefined;
    const n = Number(value);
    return n >= min && n <= max ? n : undefined;
  };
}

function decimal(min: number, max: number): Rule['read'] {
  return (value) => {
    if (!/^(\d+(\.\d*)?|\.\d+)$/.test(value)) return undefined;
    const n = Number(value);
    return n >= min && n <= max ? n : undefined;
  };
}

const RULES: Record<keyof MockEnvironment, Rule> = {
  MOCK_PORT: { fallback: 9000, read: integer(0, 65535), expected: 'an integer from 0 to 65535' },
  MOCK_HOST: { fallback: '0.0.0.0', read: (v) => v, expected: 'a host name or address' },
  MOCK_FAILURE_RATE: { fallback: 0.2, read: decimal(0, 1), expected: 'a number from 0 to 1' },
  MOCK_SEED: {
    fallback: 1,
    read: integer(0, MAX_SEED),
    expected: `an integer from 0 to ${MAX_SEED}`,
  },
  MOCK_RATE_PER_MINUTE: {
    fallback: 60,
    read: decimal(0, MAX_RATE),
    expected: `a number of alerts per minute from 0 to ${MAX_RATE} (0 turns arrivals off)`,
  },
  MOCK_BACKLOG: {
    fallback: 0,
    read: integer(0, MAX_BACKLOG),
    expected: `an integer from 0 to ${MAX_BACKLOG}`,
  },
};

/** Validates `source` (process.env in main.ts); throws MockConfigurationError naming each bad variable. */
export function readMockEnvironment(source: NodeJS.ProcessEnv): MockEnvironment {
  const env: Record<string, number | string> = {};
  const problems: string[] = [];
  for (const [name, rule] of Object.entries(RULES)) {
    const raw = source[name]?.trim();
    if (raw === undefined || raw === '') {
      env[name] = rule.fallback;
      continue;
    }
    const value = rule.read(raw);
    if (value === undefined)
      problems.push(`${name} must be ${rule.expected} (got ${JSON.stringify(raw)})`);
    else env[name] = value;
  }
  if (problems.length)
    throw new MockConfigurationError(`Invalid configuration: ${problems.join('; ')}`);
  return env as unknown as MockEnvironment;
}
