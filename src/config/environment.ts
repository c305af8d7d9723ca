// The one place that reads process.env. Every variable the service understands is declared and
// validated here; a bad value stops start-up with a single line naming the variable.
import { plainToInstance, Transform } from 'class-transformer';
import {
  Allow,
  IsBoolean,
  IsIn,
  IsInt,
  IsNumber,
  IsOptional,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
  MinLength,
  validateSync,
  ValidationError,
} from 'class-validator';
import { accessSync, constants, readFileSync, statSync } from 'node:fs';
import { isIP } from 'node:net';
import { toInteger } from '../common/validation/integer.js';
import { checkPassword } from '../users/password-policy.js';
import { parseDurationSeconds } from './duration.js';

const toBoolean = ({ value }: { value: unknown }): unknown => {
  if (typeof value !== 'string') return value;
  const v = value.trim().toLowerCase();
  if (['1', 'true', 'yes', 'on'].includes(v)) return true;
  if (['0', 'false', 'no', 'off', ''].includes(v)) return false;
  return value;
};
const toNumber = ({ value }: { value: unknown }): unknown =>
  typeof value === 'string' && /^\d+(\.\d+)?$/.test(value.trim()) ? Number(value) : value;
const DURATION_PATTERN = /^\d+\s*[smhd]?$/;
const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

export class Environment {
  @IsIn(['development', 'production', 'test'])
  NODE_ENV: 'development' | 'production' | 'test' = 'development';

  @Transform(toInteger)
  @IsInt()
  @Min(0)
  @Max(65535)
  PORT = 8000;

  @IsString()
  @MinLength(1)
  HOST = '0.0.0.0';

  /**
   * A request's line, headers and body must all arrive within this many seconds, or it is answered
   * 408 and its connection closed (a slowly dripped request cannot hold a connection open). Its
   * headers alone get min(10, this). A connection silent for twice this while a request is in
   * progress is closed.
   */
  @Transform(toInteger)
  @IsInt()
  @Min(1)
  @Max(3600)
  HTTP_REQUEST_TIMEOUT_SECONDS = 30;

  /** An idle keep-alive connection is closed after this; keep it above a load balancer's idle timeout. */
  @Transform(toInteger)
  @IsInt()
  @Min(1)
  @Max(3600)
  HTTP_KEEP_ALIVE_TIMEOUT_SECONDS = 72;

  @IsIn(LOG_LEVELS)
  LOG_LEVEL: (typeof LOG_LEVELS)[number] = 'info';

  /** Demo mode: migrations at start, demo users, generated secrets. Set by `npm start`. */
  @Transform(toBoolean)
  @IsBoolean()
  VIGIL_DEMO = false;

  @IsOptional()
  @Matches(/^postgres(ql)?:\/\/.+/, { message: 'must be a postgres:// URL' })
  DATABASE_URL?: string;

  @IsString()
  @MinLength(1)
  DATA_DIR = './data';

  @Transform(toInteger)
  @IsInt()
  @Min(1)
  @Max(200)
  DB_POOL_SIZE = 10;

  /** Apply pending migrations at start-up. Always on in demo mode; production runs them as a step. */
  @Transform(toBoolean)
  @IsBoolean()
  RUN_MIGRATIONS = false;

  @IsOptional()
  @IsString()
  @MinLength(32, { message: 'must be at least 32 characters' })
  JWT_SECRET?: string;

  @Matches(DURATION_PATTERN, { message: 'must be a duration such as 900, 15m, 12h or 7d' })
  JWT_ACCESS_TTL = '15m';

  @Matches(DURATION_PATTERN, { message: 'must be a duration such as 900, 15m, 12h or 7d' })
  JWT_REFRESH_TTL = '7d';

  @IsOptional()
  @Matches(/^[a-zA-Z0-9._-]{3,64}$/, { message: 'must be 3-64 letters, digits, . _ or -' })
  ADMIN_USERNAME?: string;

  @IsOptional()
  @IsString()
  @MinLength(12)
  @MaxLength(256)
  ADMIN_PASSWORD?: string;

  /** How long a user's active flag, groups and token version may be served from memory. */
  @Transform(toInteger)
  @IsInt()
  @Min(0)
  @Max(60000)
  AUTH_USER_CACHE_MS = 1000;

  @Transform(toInteger)
  @IsInt()
  @Min(1)
  THROTTLE_LIMIT = 1200;

  @Transform(toInteger)
  @IsInt()
  @Min(1)
  @Max(86400)
  THROTTLE_TTL_SECONDS = 60;

  @Transform(toInteger)
  @IsInt()
  @Min(1)
  LOGIN_LIMIT_PER_IP = 20;

  @Transform(toInteger)
  @IsInt()
  @Min(1)
  LOGIN_LIMIT_PER_USERNAME = 10;

  @Transform(toInteger)
  @IsInt()
  @Min(1)
  @Max(86400)
  LOGIN_WINDOW_SECONDS = 900;

  /**
   * Rate-limit counters in Redis, shared by every replica (`redis://[:password@]host:6379[/db]`).
   * Unset: each process counts on its own.
   */
  @IsOptional()
  @Matches(/^rediss?:\/\/.+/, { message: 'must be a redis:// or rediss:// URL' })
  REDIS_URL?: string;

  /** May carry `user:password@` (sent as Basic auth); never shown (health, logs, run errors). */
  @Matches(/^https?:\/\/.+/, { message: 'must be an http(s) URL' })
  UPSTREAM_URL = 'http://localhost:9000';

  /** A header sent with every upstream request, e.g. `Authorization: Bearer …`; never shown. */
  @IsOptional()
  @IsString()
  UPSTREAM_AUTH_HEADER?: string;

  /** A file holding that header (a mounted Kubernetes Secret); re-read for every request. */
  @IsOptional()
  @IsString()
  @MinLength(1)
  UPSTREAM_AUTH_HEADER_FILE?: string;

  /**
   * The most bytes one upstream page may take (decompressed). A larger page fails its attempt,
   * naming its size, instead of exhausting the heap.
   */
  @Transform(toInteger)
  @IsInt()
  @Min(65_536)
  @Max(268_435_456)
  UPSTREAM_MAX_PAGE_BYTES = 16_777_216;

  /** Off: no sync at start-up or on a schedule (POST /api/sync still runs one). */
  @Transform(toBoolean)
  @IsBoolean()
  SYNC_ENABLED = true;

  @Transform(toInteger)
  @IsInt()
  @Min(10)
  @Max(86400)
  SYNC_INTERVAL_SECONDS = 60;

  @Transform(toInteger)
  @IsInt()
  @Min(0)
  @Max(86400)
  SYNC_OVERLAP_SECONDS = 300;

  /** How far ahead of this service's clock an alert may move the bookmark (clock skew). */
  @Transform(toInteger)
  @IsInt()
  @Min(0)
  @Max(86400)
  SYNC_MAX_FUTURE_SECONDS = 300;

  /** Reconciliation re-reads this many hours to store alerts that reached the upstream late. */
  @Transform(toInteger)
  @IsInt()
  @Min(1)
  @Max(720)
  SYNC_RECONCILE_WINDOW_HOURS = 24;

  /** Seconds between reconciliation runs (cluster-wide); 0 turns them off. */
  @Transform(toInteger)
  @IsInt()
  @Min(0)
  @Max(604800)
  SYNC_RECONCILE_INTERVAL_SECONDS = 3600;

  /** A run that reaches this many pages stops as failed (a looping or endless upstream). */
  @Transform(toInteger)
  @IsInt()
  @Min(1)
  @Max(10_000_000)
  SYNC_MAX_PAGES = 50_000;

  /** A run still going after this many seconds stops as failed after its current page. */
  @Transform(toInteger)
  @IsInt()
  @Min(10)
  @Max(86400)
  SYNC_MAX_RUN_SECONDS = 3600;

  /**
   * Circuit breaker for scheduled syncs: after SYNC_CIRCUIT_FAILURES consecutive failed runs (on
   * any replica) scheduled ticks are skipped for SYNC_CIRCUIT_COOLDOWN_SECONDS, doubling with each
   * further failure up to an hour; then one tick tries (half-open). POST /api/sync always runs.
   */
  @Transform(toInteger)
  @IsInt()
  @Min(1)
  @Max(1000)
  SYNC_CIRCUIT_FAILURES = 5;

  @Transform(toInteger)
  @IsInt()
  @Min(1)
  @Max(86400)
  SYNC_CIRCUIT_COOLDOWN_SECONDS = 300;

  /** Alerts (with their history), events, quarantine and sync runs older than this are purged. Unset: kept forever. */
  @IsOptional()
  @Transform(toInteger)
  @IsInt()
  @Min(1)
  @Max(36500)
  RETENTION_DAYS?: number;

  @Transform(toInteger)
  @IsInt()
  @Min(1)
  @Max(8760)
  DEFAULT_LOOKBACK_HOURS = 24;

  @Transform(toInteger)
  @IsInt()
  @Min(1)
  @Max(1000)
  SYNC_PAGE_SIZE = 1000;

  @Transform(toInteger)
  @IsInt()
  @Min(100)
  @Max(120000)
  UPSTREAM_TIMEOUT_MS = 10000;

  @Transform(toInteger)
  @IsInt()
  @Min(0)
  @Max(10)
  UPSTREAM_RETRIES = 3;

  /**
   * On SIGTERM: readiness turns 503 at once; after SHUTDOWN_DRAIN_SECONDS (time for a load
   * balancer to stop sending traffic) the listener closes, in-flight requests and the current
   * sync page finish, connections close. Past SHUTDOWN_GRACE_SECONDS the process exits anyway (1).
   */
  @Transform(toInteger)
  @IsInt()
  @Min(0)
  @Max(120)
  SHUTDOWN_DRAIN_SECONDS = 0;

  @Transform(toInteger)
  @IsInt()
  @Min(1)
  @Max(600)
  SHUTDOWN_GRACE_SECONDS = 25;

  /**
   * Which X-Forwarded-For hops name the client (the rate limits key on its address): unset/false
   * (the socket's address), a hop count (`1`: one proxy in front that appends the client's
   * address), or a comma list of proxy addresses/CIDRs. Read by parseTrustProxy; `true` is refused.
   */
  @Allow()
  TRUST_PROXY: TrustProxy = false;

  /** A MaxMind GeoIP2/GeoLite2 City (or DB-IP) MMDB to use instead of the bundled DB-IP City Lite. */
  @IsOptional()
  @IsString()
  GEOIP_DB_PATH?: string;

  /** Optional ASN MMDB (GeoLite2-ASN shape); without it alerts carry no ASN. */
  @IsOptional()
  @IsString()
  GEOIP_ASN_DB_PATH?: string;

  @Matches(/^https?:\/\/[^\s]+$/, { message: 'must be an http(s) URL' })
  TOR_EXIT_LIST_URL = 'https://check.torproject.org/torbulkexitlist';

  /** Hours between Tor exit list downloads; 0 never downloads (offline: disk copy or snapshot). */
  @Transform(toNumber)
  @IsNumber({ allowNaN: false, allowInfinity: false }, { message: 'must be a number of hours' })
  @Min(0)
  @Max(168)
  TOR_REFRESH_HOURS = 6;

  /**
   * Seconds to wait before each retry of a webhook delivery, as a comma list (each value gets
   * ±20 % jitter; a 429's longer Retry-After wins). Past the last, the delivery fails.
   */
  @Matches(/^\s*\d{1,6}(\s*,\s*\d{1,6}){0,19}\s*$/, {
    message: 'must be a comma list of 1 to 20 whole numbers of seconds, e.g. 5,30,120',
  })
  WEBHOOK_RETRY_SCHEDULE_SECONDS = '5,30,120,600,3600,21600';

  /** A webhook request is abandoned (and retried) after this many seconds. */
  @Transform(toInteger)
  @IsInt()
  @Min(1)
  @Max(120)
  WEBHOOK_TIMEOUT_SECONDS = 10;

  /** How often each replica looks for deliveries that are due (milliseconds). */
  @Transform(toInteger)
  @IsInt()
  @Min(50)
  @Max(60000)
  WEBHOOK_POLL_INTERVAL_MS = 250;

  /** Deliveries one replica sends at once. */
  @Transform(toInteger)
  @IsInt()
  @Min(1)
  @Max(64)
  WEBHOOK_CONCURRENCY = 8;

  /** A subscription whose deliveries fail this many times in a row is paused, saying why. */
  @Transform(toInteger)
  @IsInt()
  @Min(1)
  @Max(1000)
  WEBHOOK_PAUSE_AFTER_FAILURES = 5;

  /** Finished deliveries (delivered or failed) are kept in the log this many days. */
  @Transform(toInteger)
  @IsInt()
  @Min(1)
  @Max(3650)
  WEBHOOK_LOG_DAYS = 30;
}

/**
 * What Fastify's `trustProxy` receives: off, the trusted proxies' addresses/CIDRs, or a function
 * trusting the first N hops (Fastify 5.12 takes a bare number as "trust no hop").
 */
export type TrustProxy = false | string[] | ((address: string, hop: number) => boolean);

export class ConfigurationError extends Error {
  override readonly name = 'ConfigurationError';
}

// Values that may carry a credential are named but never echoed (the message ends up in logs).
const SECRET_VARIABLES = new Set([
  'DATABASE_URL',
  'JWT_SECRET',
  'ADMIN_PASSWORD',
  'REDIS_URL',
  'UPSTREAM_URL',
  'UPSTREAM_AUTH_HEADER',
]);

function describe(errors: ValidationError[]): string {
  return errors
    .map((e) => {
      const hidden = e.value === undefined || SECRET_VARIABLES.has(e.property);
      const got = hidden ? '' : ` (got ${JSON.stringify(e.value)})`;
      const reasons = Object.values(e.constraints ?? {})
        .map((m) => m.replace(new RegExp(`^${e.property}\\s*`), ''))
        .join(', ');
      return `${e.property} ${reasons}${got}`;
    })
    .join('; ');
}

let processEnvironmentRead: Environment | undefined;

/**
 * The process's environment, parsed and validated once: the config namespaces, the server and the
 * app factory all read this one result, so a boot validates once and every reader sees the same
 * values. Throws ConfigurationError like readEnvironment (and a failed read is not kept).
 */
export function processEnvironment(): Environment {
  processEnvironmentRead ??= readEnvironment(process.env);
  return processEnvironmentRead;
}

/** For specs that change process.env: the next processEnvironment() reads it again. */
export function forgetProcessEnvironment(): void {
  processEnvironmentRead = undefined;
}

/**
 * Validates the environment in `source`; throws ConfigurationError naming each bad variable. The
 * service reads process.env through processEnvironment(); this is what it runs, once.
 */
export function readEnvironment(source: NodeJS.ProcessEnv): Environment {
  const declared = Object.keys(new Environment());
  const plain: Record<string, string> = {};
  for (const key of [
    ...declared,
    'DATABASE_URL',
    'JWT_SECRET',
    'ADMIN_USERNAME',
    'ADMIN_PASSWORD',
  ]) {
    const value = source[key];
    if (value !== undefined && value !== '') plain[key] = value;
  }
  const env = plainToInstance(Environment, plain);
  const errors = validateSync(env, { skipMissingProperties: false });
  if (errors.length > 0) throw new ConfigurationError(`Invalid configuration: ${describe(errors)}`);
  env.TRUST_PROXY = parseTrustProxy(plain.TRUST_PROXY);

  for (const key of ['JWT_ACCESS_TTL', 'JWT_REFRESH_TTL'] as const) {
    if (parseDurationSeconds(env[key]) === null) {
      throw new ConfigurationError(
        `Invalid configuration: ${key} must be a positive duration (got "${env[key]}")`,
      );
    }
  }
  if (env.NODE_ENV === 'production' && !env.JWT_SECRET && !env.VIGIL_DEMO) {
    throw new ConfigurationError(
      'Invalid configuration: JWT_SECRET is required when NODE_ENV=production',
    );
  }
  if (Boolean(env.ADMIN_USERNAME) !== Boolean(env.ADMIN_PASSWORD)) {
    throw new ConfigurationError(
      'Invalid configuration: ADMIN_USERNAME and ADMIN_PASSWORD must be set together',
    );
  }
  // The first admin is held to the rule every other password meets (the API's and the CLI's).
  const weak = env.ADMIN_PASSWORD && checkPassword(env.ADMIN_PASSWORD, env.ADMIN_USERNAME);
  if (weak) {
    throw new ConfigurationError(`Invalid configuration: ADMIN_PASSWORD ${weak.message}`);
  }
  if (env.SYNC_RECONCILE_INTERVAL_SECONDS > 0 && env.SYNC_RECONCILE_INTERVAL_SECONDS < 60) {
    throw new ConfigurationError(
      'Invalid configuration: SYNC_RECONCILE_INTERVAL_SECONDS must be 0 (off) or at least 60',
    );
  }
  checkUpstreamCredentials(env);
  for (const key of ['GEOIP_DB_PATH', 'GEOIP_ASN_DB_PATH'] as const) {
    const path = env[key];
    if (path && !isReadableFile(path)) {
      throw new ConfigurationError(
        `Invalid configuration: ${key} must name a readable MMDB file (got "${path}")`,
      );
    }
  }
  return env;
}

/** One way to authenticate to the upstream, each well-formed; the values are never echoed. */
function checkUpstreamCredentials(env: Environment): void {
  const ways = [
    hasUserinfo(env.UPSTREAM_URL) && 'credentials in UPSTREAM_URL',
    env.UPSTREAM_AUTH_HEADER && 'UPSTREAM_AUTH_HEADER',
    env.UPSTREAM_AUTH_HEADER_FILE && 'UPSTREAM_AUTH_HEADER_FILE',
  ].filter(Boolean);
  if (ways.length > 1) {
    throw new ConfigurationError(
      `Invalid configuration: set only one of ${ways.join(', ')} (they would compete)`,
    );
  }
  if (env.UPSTREAM_AUTH_HEADER && !parseHeaderLine(env.UPSTREAM_AUTH_HEADER)) {
    throw new ConfigurationError(
      'Invalid configuration: UPSTREAM_AUTH_HEADER must be one header line, "Name: value"',
    );
  }
  const file = env.UPSTREAM_AUTH_HEADER_FILE;
  if (file) {
    let line: string;
    try {
      line = readFileSync(file, 'utf8');
    } catch {
      throw new ConfigurationError(
        `Invalid configuration: UPSTREAM_AUTH_HEADER_FILE must name a readable file (got "${file}")`,
      );
    }
    if (!parseHeaderLine(line)) {
      throw new ConfigurationError(
        `Invalid configuration: UPSTREAM_AUTH_HEADER_FILE must hold one header line, "Name: value" (in "${file}")`,
      );
    }
  }
}

function hasUserinfo(url: string): boolean {
  try {
    const parsed = new URL(url);
    return parsed.username !== '' || parsed.password !== '';
  } catch {
    return false;
  }
}

const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
/** Visible ASCII and Latin-1, spaces and tabs: what a header value may hold (RFC 9110 5.5). */
const HEADER_VALUE = /^[\t\x20-\x7e\x80-\xff]+$/;
/** Headers the HTTP client owns; sending one from configuration would break the request. */
const RESERVED_HEADERS = new Set(['host', 'content-length', 'transfer-encoding', 'connection']);

/**
 * `Name: value` (one line; a trailing newline, as files have, is allowed), or null when it is not
 * a header a request could carry.
 */
export function parseHeaderLine(line: string): { name: string; value: string } | null {
  const text = line.replace(/\r?\n$/, '');
  const colon = text.indexOf(':');
  if (colon <= 0) return null;
  const name = text.slice(0, colon).trim();
  const value = text.slice(colon + 1).trim();
  if (!HEADER_NAME.test(name) || RESERVED_HEADERS.has(name.toLowerCase())) return null;
  return HEADER_VALUE.test(value) ? { name, value } : null;
}

function isReadableFile(path: string): boolean {
  try {
    accessSync(path, constants.R_OK);
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

const TRUST_PROXY_PRESETS = new Set(['loopback', 'linklocal', 'uniquelocal']);
const MAX_PROXY_HOPS = 10;

/**
 * TRUST_PROXY as Fastify takes it. `true` (trust every hop) is refused in every mode: proxies
 * append to X-Forwarded-For, so trusting all of it lets a client name its own address (the
 * leftmost entry) and escape the per-address limits; a proxy that overwrites the header is
 * described exactly by `1`, so `true` has no case where it is the right answer.
 */
export function parseTrustProxy(raw: string | undefined): TrustProxy {
  const value = (raw ?? '').trim();
  const lower = value.toLowerCase();
  if (['', '0', 'false', 'no', 'off'].includes(lower)) return false;
  if (['true', 'yes', 'on'].includes(lower)) {
    throw new ConfigurationError(
      `Invalid configuration: TRUST_PROXY=${value} is refused: trusting every X-Forwarded-For hop ` +
        'lets a client choose its own address and escape the per-address rate limits; give the ' +
        'number of proxies in front (1 for one ingress) or their addresses/CIDRs',
    );
  }
  if (/^\d+$/.test(value)) {
    const hops = Number(value);
    if (hops > MAX_PROXY_HOPS) {
      throw new ConfigurationError(
        `Invalid configuration: TRUST_PROXY must be a hop count of at most ${MAX_PROXY_HOPS} (got ${value})`,
      );
    }
    return (_address: string, hop: number) => hop < hops;
  }
  const entries = value.split(',').map((entry) => entry.trim());
  const bad = entries.filter((entry) => !isProxyAddress(entry));
  if (bad.length > 0) {
    throw new ConfigurationError(
      'Invalid configuration: TRUST_PROXY must be false, a hop count or a comma list of IP ' +
        `addresses/CIDRs (not ${bad.map((entry) => JSON.stringify(entry)).join(', ')})`,
    );
  }
  return entries;
}

/** An address, a CIDR or one of proxy-addr's names (loopback, linklocal, uniquelocal). */
function isProxyAddress(entry: string): boolean {
  if (TRUST_PROXY_PRESETS.has(entry)) return true;
  const [address, prefix, ...rest] = entry.split('/');
  const family = isIP(address);
  if (family === 0 || rest.length > 0) return false;
  if (prefix === undefined) return true;
  return /^\d{1,3}$/.test(prefix) && Number(prefix) <= (family === 4 ? 32 : 128);
}
