import { registerAs } from '@nestjs/config';
import { Environment, parseHeaderLine, processEnvironment } from './environment.js';

/**
 * How the service authenticates to the upstream. The value of a header is a secret: it lives only
 * here and in the requests, never in `upstreamUrl`, /health, logs or run errors.
 */
export type UpstreamCredentials =
  | { kind: 'none' }
  | { kind: 'header'; name: string; value: string; from: 'UPSTREAM_URL' | 'UPSTREAM_AUTH_HEADER' }
  | { kind: 'header-file'; path: string };

/** UPSTREAM_URL without its userinfo, and that userinfo as Basic credentials. */
function splitUpstreamUrl(url: string): { url: string; credentials: UpstreamCredentials } {
  const parsed = new URL(url);
  const { username, password } = parsed;
  parsed.username = '';
  parsed.password = '';
  const bare = parsed.toString().replace(/\/+$/, '');
  if (!username && !password) return { url: bare, credentials: { kind: 'none' } };
  const basic = `${decodeURIComponent(username)}:${decodeURIComponent(password)}`;
  return {
    url: bare,
    credentials: {
      kind: 'header',
      name: 'Authorization',
      value: `Basic ${Buffer.from(basic, 'utf8').toString('base64')}`,
      from: 'UPSTREAM_URL',
    },
  };
}

/** The ingestion settings of a validated environment (the factory below; specs build their own). */
export function ingestionSettings(env: Environment) {
  const upstream = splitUpstreamUrl(env.UPSTREAM_URL);
  let credentials = upstream.credentials;
  if (env.UPSTREAM_AUTH_HEADER) {
    const header = parseHeaderLine(env.UPSTREAM_AUTH_HEADER)!; // validated by readEnvironment
    credentials = { kind: 'header', ...header, from: 'UPSTREAM_AUTH_HEADER' };
  } else if (env.UPSTREAM_AUTH_HEADER_FILE) {
    credentials = { kind: 'header-file', path: env.UPSTREAM_AUTH_HEADER_FILE };
  }
  return {
    /** Never holds credentials: safe to show. */
    upstreamUrl: upstream.url,
    credentials,
    enabled: env.SYNC_ENABLED,
    /** The default; a value stored through PUT /api/config wins. */
    intervalSeconds: env.SYNC_INTERVAL_SECONDS,
    overlapSeconds: env.SYNC_OVERLAP_SECONDS,
    maxFutureSeconds: env.SYNC_MAX_FUTURE_SECONDS,
    lookbackHours: env.DEFAULT_LOOKBACK_HOURS,
    reconcile: {
      windowHours: env.SYNC_RECONCILE_WINDOW_HOURS,
      /** 0: off. */
      intervalSeconds: env.SYNC_RECONCILE_INTERVAL_SECONDS,
    },
    pageSize: env.SYNC_PAGE_SIZE,
    maxPages: env.SYNC_MAX_PAGES,
    maxRunSeconds: env.SYNC_MAX_RUN_SECONDS,
    maxPageBytes: env.UPSTREAM_MAX_PAGE_BYTES,
    timeoutMs: env.UPSTREAM_TIMEOUT_MS,
    retries: env.UPSTREAM_RETRIES,
    circuit: {
      failures: env.SYNC_CIRCUIT_FAILURES,
      cooldownSeconds: env.SYNC_CIRCUIT_COOLDOWN_SECONDS,
    },
    retentionDays: env.RETENTION_DAYS ?? null,
  };
}

export const ingestionConfig = registerAs('ingestion', () =>
  ingestionSettings(processEnvironment()),
);
export type IngestionConfig = ReturnType<typeof ingestionConfig>;
