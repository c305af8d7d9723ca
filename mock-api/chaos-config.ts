// The chaos knobs behind GET/PUT /config. A patch is all-or-nothing: one bad field and nothing
// changes.

export interface ChaosConfig {
  /** Share of /alerts requests answered 500. */
  failure_rate: number;
  /** Delay before every /alerts response. */
  latency_ms: number;
  /** Share of /alerts requests answered 429 with Retry-After. */
  rate_limit_rate: number;
  /** Share of alerts served malformed (the same alerts on every fetch). */
  malformed_rate: number;
  /**
   * Share of alerts that arrive late, as from an agent that was offline: such an alert keeps its
   * true created_at but /alerts serves it only late_seconds after that. Which alerts are late is
   * fixed by (seed, index, late_rate), see isLate in late-arrivals.ts; raising it only adds some.
   */
  late_rate: number;
  /**
   * How long after its created_at a late alert becomes visible, in seconds (up to 7 days). 0 makes
   * late_rate moot. A client that only follows next_cursor steps past a hidden alert and never
   * sees it; re-reading with an overlapping `since` picks it up once it is visible.
   */
  late_seconds: number;
}

interface Bound {
  min: number;
  max: number;
  integer: boolean;
}

export const CHAOS_BOUNDS: Readonly<Record<keyof ChaosConfig, Bound>> = {
  failure_rate: { min: 0, max: 1, integer: false },
  latency_ms: { min: 0, max: 60_000, integer: true },
  rate_limit_rate: { min: 0, max: 1, integer: false },
  malformed_rate: { min: 0, max: 1, integer: false },
  late_rate: { min: 0, max: 1, integer: false },
  late_seconds: { min: 0, max: 604_800, integer: true },
};

export const DEFAULT_CHAOS: Readonly<ChaosConfig> = {
  failure_rate: 0.2,
  latency_ms: 0,
  rate_limit_rate: 0,
  malformed_rate: 0,
  late_rate: 0,
  late_seconds: 0,
};

export type PatchResult =
  | { ok: true; patch: Partial<ChaosConfig> }
  | { ok: false; errors: { field: string; message: string }[] };

function isChaosKey(key: string): key is keyof ChaosConfig {
  return Object.hasOwn(CHAOS_BOUNDS, key);
}

/** Checks a parsed request body: an object of known fields, each a number within its bounds. */
export function validateChaosPatch(body: unknown): PatchResult {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    return { ok: false, errors: [{ field: '(body)', message: 'must be a JSON object' }] };
  }
  const errors: { field: string; message: string }[] = [];
  const patch: Partial<ChaosConfig> = {};
  for (const [field, value] of Object.entries(body)) {
    if (!isChaosKey(field)) {
      errors.push({ field, message: `is not a setting (${Object.keys(CHAOS_BOUNDS).join(', ')})` });
      continue;
    }
    const { min, max, integer } = CHAOS_BOUNDS[field];
    const kind = integer ? 'an integer' : 'a number';
    if (
      typeof value !== 'number' ||
      !Number.isFinite(value) ||
      (integer && !Number.isInteger(value)) ||
      value < min ||
      value > max
    ) {
      errors.push({ field, message: `must be ${kind} from ${min} to ${max}` });
      continue;
    }
    patch[field] = value;
  }
  return errors.length ? { ok: false, errors } : { ok: true, patch };
}
