import { registerAs } from '@nestjs/config';
import { processEnvironment } from './environment.js';

/** `5, 30,120` (validated by the environment's pattern) as seconds. */
export function parseRetrySchedule(text: string): number[] {
  return text.split(',').map((part) => Number(part.trim()));
}

export const webhookConfig = registerAs('webhook', () => {
  const env = processEnvironment();
  return {
    /** Seconds before retry 1, 2, …; attempts = its length + 1. */
    retryScheduleSeconds: parseRetrySchedule(env.WEBHOOK_RETRY_SCHEDULE_SECONDS),
    timeoutMs: env.WEBHOOK_TIMEOUT_SECONDS * 1000,
    pollIntervalMs: env.WEBHOOK_POLL_INTERVAL_MS,
    concurrency: env.WEBHOOK_CONCURRENCY,
    pauseAfterFailures: env.WEBHOOK_PAUSE_AFTER_FAILURES,
    logDays: env.WEBHOOK_LOG_DAYS,
  };
});
export type WebhookConfig = ReturnType<typeof webhookConfig>;
