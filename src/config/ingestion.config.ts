import { registerAs } from '@nestjs/config';
import { readEnvironment } from './environment.js';

export const ingestionConfig = registerAs('ingestion', () => {
  const env = readEnvironment();
  return {
    upstreamUrl: env.UPSTREAM_URL.replace(/\/+$/, ''),
    enabled: env.SYNC_ENABLED,
    /** The default; a value stored through PUT /api/config wins. */
    intervalSeconds: env.SYNC_INTERVAL_SECONDS,
    overlapSeconds: env.SYNC_OVERLAP_SECONDS,
    lookbackHours: env.DEFAULT_LOOKBACK_HOURS,
    pageSize: env.SYNC_PAGE_SIZE,
    timeoutMs: env.UPSTREAM_TIMEOUT_MS,
    retries: env.UPSTREAM_RETRIES,
    circuit: {
      failures: env.SYNC_CIRCUIT_FAILURES,
      cooldownSeconds: env.SYNC_CIRCUIT_COOLDOWN_SECONDS,
    },
    retentionDays: env.RETENTION_DAYS ?? null,
  };
});
export type IngestionConfig = ReturnType<typeof ingestionConfig>;
