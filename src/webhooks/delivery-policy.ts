// What happens after one attempt at a webhook delivery: delivered, tried again later (network
// errors, timeouts, 408, 429 and 5xx, on WEBHOOK_RETRY_SCHEDULE_SECONDS with jitter, a longer
// Retry-After winning), or failed for good (any other answer, or the schedule used up). Pure.

/** What an attempt came to, before the schedule is consulted. */
export type AttemptResult =
  | { kind: 'delivered'; status: number }
  | { kind: 'retryable'; status: number | null; error: string; retryAfterSeconds: number | null }
  | { kind: 'rejected'; status: number | null; error: string };

/** What the delivery row becomes. */
export type Verdict =
  | { kind: 'delivered'; status: number }
  | { kind: 'retry'; status: number | null; error: string; delaySeconds: number }
  | { kind: 'failed'; status: number | null; error: string };

/** A receiver's Retry-After is followed up to a day; beyond, the schedule's own delay is used. */
export const MAX_RETRY_AFTER_SECONDS = 86_400;

/** Characters of a receiver's answer kept as the delivery's error. */
const BODY_EXCERPT = 200;

/** An HTTP answer, classified. `body` is the start of what the receiver sent. */
export function classifyResponse(
  status: number,
  headers: { retryAfter?: string | null; location?: string | null },
  body: string,
  now: Date = new Date(),
): AttemptResult {
  if (status >= 200 && status < 300) return { kind: 'delivered', status };
  const excerpt = body.replace(/\s+/g, ' ').trim().slice(0, BODY_EXCERPT);
  const said = excerpt ? `: ${excerpt}` : '';
  if (status === 408 || status === 429 || status >= 500) {
    return {
      kind: 'retryable',
      status,
      error: `HTTP ${status}${said}`,
      retryAfterSeconds: parseRetryAfter(headers.retryAfter ?? null, now),
    };
  }
  if (status >= 300 && status < 400) {
    // Redirects are not followed: a subscription's URL says where alerts may go.
    const to = headers.location ? ` to ${headers.location.slice(0, BODY_EXCERPT)}` : '';
    return { kind: 'rejected', status, error: `HTTP ${status}: redirect${to} not followed` };
  }
  return { kind: 'rejected', status, error: `HTTP ${status}${said}` };
}

/** A request that got no answer (refused, reset, timed out, DNS): always worth another try. */
export function networkFailure(message: string): AttemptResult {
  return { kind: 'retryable', status: null, error: message, retryAfterSeconds: null };
}

/** Retry-After as seconds from `now`: delta-seconds or an HTTP date; null when absent or bad. */
export function parseRetryAfter(value: string | null, now: Date): number | null {
  if (value === null) return null;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Math.min(Number(text), MAX_RETRY_AFTER_SECONDS);
  // An HTTP date has a day name in it; Date.parse would read "-5" as a year.
  const at = /[a-z]/i.test(text) ? Date.parse(text) : NaN;
  if (Number.isNaN(at)) return null;
  return Math.min(Math.max(0, Math.ceil((at - now.getTime()) / 1000)), MAX_RETRY_AFTER_SECONDS);
}

/**
 * The verdict after attempt number `attempts` (1 for the first). Attempt n's retry waits
 * schedule[n - 1] seconds ±20 % (so replicas retrying a receiver that came back do not all call at
 * once), or the receiver's Retry-After when that is longer; past the schedule, the delivery fails.
 */
export function verdict(
  result: AttemptResult,
  attempts: number,
  schedule: readonly number[],
  random: () => number = Math.random,
): Verdict {
  if (result.kind === 'delivered') return result;
  if (result.kind === 'rejected')
    return { kind: 'failed', status: result.status, error: result.error };
  if (attempts > schedule.length) {
    return {
      kind: 'failed',
      status: result.status,
      error: `${result.error} (gave up after ${attempts} attempts)`,
    };
  }
  const base = schedule[attempts - 1];
  const jittered = base * (0.8 + 0.4 * random());
  const delaySeconds = Math.max(jittered, result.retryAfterSeconds ?? 0);
  return { kind: 'retry', status: result.status, error: result.error, delaySeconds };
}
