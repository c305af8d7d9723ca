// HTTP client for the upstream SIEM aggregator (contract section 1), which it treats as
// untrusted input. Retries network errors, timeouts, 5xx and 429 (honouring Retry-After) with
// exponential backoff and jitter; other 4xx are the caller's mistake and fail at once. Each
// attempt is bounded twice: UPSTREAM_TIMEOUT_MS from the request to the last byte of the body (a
// body dripped a byte at a time cannot hold a sync), and UPSTREAM_MAX_PAGE_BYTES for the body (a
// huge page fails its attempt, not the process). The body is parsed here, so a page that is not
// JSON says so.
import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import axios, { AxiosError, AxiosInstance, type InternalAxiosRequestConfig } from 'axios';
import axiosRetry, { exponentialDelay, isNetworkError } from 'axios-retry';
import { ingestionConfig } from '../config/ingestion.config.js';
import { MetricsService } from '../metrics/metrics.service.js';
import { countJsonValues, LARGE_PAGE_CHARS, MAX_PAGE_VALUES } from './page-budget.js';
import { UpstreamCredentials } from './upstream-credentials.js';

export interface UpstreamPage {
  records: unknown[];
  nextCursor: string | null;
  /** Characters of the body (0 when a test hands over a parsed value). */
  chars: number;
}

export interface PageRequest {
  since: Date;
  limit: number;
  cursor?: string | null;
}

export class UpstreamError extends Error {
  override readonly name = 'UpstreamError';
  constructor(
    message: string,
    readonly status?: number,
  ) {
    super(message);
  }
}

/** A cursor longer than this is no cursor: the envelope is broken. */
export const MAX_CURSOR_LENGTH = 2048;

/** Longest wait a Retry-After may ask for before we give up on it and use our own backoff. */
const MAX_RETRY_AFTER_MS = 60_000;
const BASE_DELAY_MS = 250;
/**
 * A 429 is the upstream telling us when to come back, not a failure: it gets this many retries
 * beyond UPSTREAM_RETRIES. (With 3 retries and half the requests throttled, 1 page in 16 would
 * otherwise fail; with 13, about 1 in 16,000.)
 */
const EXTRA_RATE_LIMIT_RETRIES = 10;

export function retryAfterMs(header: unknown, now = Date.now()): number | undefined {
  if (typeof header !== 'string' || header.trim() === '') return undefined;
  const seconds = Number(header);
  const ms = Number.isFinite(seconds) ? seconds * 1000 : Date.parse(header) - now;
  return Number.isFinite(ms) && ms >= 0 && ms <= MAX_RETRY_AFTER_MS ? ms : undefined;
}

/** The run's own signal (shutdown, SYNC_MAX_RUN_SECONDS), kept beside the attempt's combined one. */
interface PageRequestConfig extends InternalAxiosRequestConfig {
  runSignal?: AbortSignal;
  /**
   * The attempt's deadline, held for as long as the attempt: AbortSignal.any() holds its sources
   * weakly and Node's timeout signal is held by nothing else, so a garbage collection before it
   * fired silently dropped the deadline (nodejs/node#57736; seen as an attempt that ran until the
   * run's own limit).
   */
  deadline?: AbortSignal;
}

/** axios' own words when a body passes maxContentLength (it gives the error no other mark). */
function isPageTooLarge(error: AxiosError): boolean {
  return error.code === AxiosError.ERR_BAD_RESPONSE && /maxContentLength/.test(error.message);
}

/** The attempt's deadline (AbortSignal.timeout) cancelled it, not the run. */
function isDeadline(error: AxiosError): boolean {
  const reason = (error.config?.signal as AbortSignal | undefined)?.reason as unknown;
  return (
    axios.isCancel(error) && (reason as { name?: string } | undefined)?.name === 'TimeoutError'
  );
}

/** Failures of a connection, whether or not a status line came before them. */
const TRANSIENT_CODES = new Set(['ECONNABORTED', 'ETIMEDOUT', 'ECONNRESET', 'EPIPE']);

/** Whether `error` is worth another attempt, given how many retries it has had and the budget. */
export function isRetryable(error: AxiosError, retriesSoFar: number, retries: number): boolean {
  const status = error.response?.status;
  if (status === 429) return retriesSoFar < retries + EXTRA_RATE_LIMIT_RETRIES;
  if (retriesSoFar >= retries || isPageTooLarge(error)) return false;
  if (isDeadline(error) || isNetworkError(error)) return true;
  if (error.code !== undefined && TRANSIENT_CODES.has(error.code)) return true;
  // A body cut off mid-way: the connection failed, the page did not.
  if (error.code === AxiosError.ERR_BAD_RESPONSE && /aborted/.test(error.message)) return true;
  return status !== undefined && status >= 500;
}

function retriesSoFar(error: AxiosError): number {
  const state = (error.config as { 'axios-retry'?: { retryCount?: number } } | undefined)?.[
    'axios-retry'
  ];
  return state?.retryCount ?? 0;
}

@Injectable()
export class UpstreamClient {
  private readonly logger = new Logger(UpstreamClient.name);
  private readonly http: AxiosInstance;
  private readonly timeoutMs: number;
  private readonly maxPageBytes: number;

  constructor(
    @Inject(ingestionConfig.KEY) config: ConfigType<typeof ingestionConfig>,
    private readonly credentials: UpstreamCredentials,
    @Optional() metrics?: MetricsService,
  ) {
    this.timeoutMs = config.timeoutMs;
    this.maxPageBytes = config.maxPageBytes;
    this.http = axios.create({
      baseURL: config.upstreamUrl,
      // Bounds connecting and each silence; the whole attempt is bounded by its signal.
      timeout: config.timeoutMs,
      headers: { accept: 'application/json' },
      // No redirects to other hosts; a page's size is bounded as it streams in (decompressed).
      maxRedirects: 0,
      maxContentLength: config.maxPageBytes,
      responseType: 'text',
      transformResponse: (data: unknown) => data, // parsed by parsePage, with a reason
    });
    // Every attempt (retries go through request interceptors again) gets a fresh deadline and the
    // credentials as they are now.
    this.http.interceptors.request.use(async (request: PageRequestConfig) => {
      const deadline = AbortSignal.timeout(this.timeoutMs);
      request.deadline = deadline;
      request.signal = request.runSignal
        ? AbortSignal.any([deadline, request.runSignal])
        : deadline;
      for (const [name, value] of Object.entries(await this.credentials.headers())) {
        request.headers.set(name, value);
      }
      return request;
    });
    // Registered before axios-retry's own, so every attempt is counted, retries included.
    if (metrics) {
      this.http.interceptors.response.use(
        (response) => {
          metrics.upstreamResponse(response.status);
          return response;
        },
        (error: Error) => {
          metrics.upstreamResponse(
            error instanceof AxiosError ? error.response?.status : undefined,
          );
          throw error;
        },
      );
    }

    axiosRetry(this.http, {
      retries: config.retries + EXTRA_RATE_LIMIT_RETRIES, // the ceiling; isRetryable applies the budgets
      shouldResetTimeout: true, // each attempt gets the full timeout
      retryCondition: (error) => isRetryable(error, retriesSoFar(error), config.retries),
      retryDelay: (retryCount, error) =>
        retryAfterMs(error.response?.headers['retry-after']) ??
        exponentialDelay(retryCount, error, BASE_DELAY_MS),
      onRetry: (retryCount, error, request) => {
        // axios-retry waits out the delay on the request's signal: the run's, not the spent
        // deadline (an aborted one would skip the backoff).
        request.signal = (request as PageRequestConfig).runSignal;
        this.logger.warn(
          { attempt: retryCount, status: error.response?.status, code: error.code },
          'Upstream request failed; retrying',
        );
      },
    });
  }

  /** One page; `signal` ends the request and its retries (shutdown, the run's own deadline). */
  async fetchPage(request: PageRequest, signal?: AbortSignal): Promise<UpstreamPage> {
    const params: Record<string, string> = {
      since: request.since.toISOString(),
      limit: String(request.limit),
    };
    if (request.cursor) params.cursor = request.cursor;
    let data: unknown;
    try {
      ({ data } = await this.http.get<unknown>('/alerts', {
        params,
        runSignal: signal,
      } as PageRequestConfig));
    } catch (error) {
      throw this.describe(error);
    }
    return this.parse(data);
  }

  /** The body as a page, once it is known to fit the heap (see page-budget.ts). */
  private parse(data: unknown): UpstreamPage {
    if (typeof data !== 'string') return { ...parsePage(data), chars: 0 };
    if (data.length > LARGE_PAGE_CHARS) {
      const values = countJsonValues(data);
      if (values > MAX_PAGE_VALUES) {
        throw new UpstreamError(
          `Upstream /alerts sent a page of ${data.length.toLocaleString('en')} characters holding ` +
            `more than ${MAX_PAGE_VALUES.toLocaleString('en')} JSON values, more than one page ` +
            'may cost to parse (lower SYNC_PAGE_SIZE, or ask the upstream for smaller records)',
        );
      }
    }
    return { ...parsePage(parseBody(data)), chars: data.length };
  }

  private describe(error: unknown): UpstreamError {
    if (!(error instanceof AxiosError)) {
      return new UpstreamError(
        `Upstream request failed: ${(error as Error)?.message ?? 'unknown error'}`,
      );
    }
    const status = error.response?.status;
    const where = `Upstream ${error.config?.url ?? ''}`;
    if (isPageTooLarge(error)) {
      const announced = Number(
        (error.request as { res?: { headers?: Record<string, string> } } | undefined)?.res
          ?.headers?.['content-length'],
      );
      const size =
        Number.isSafeInteger(announced) && announced > 0
          ? `a page of ${announced.toLocaleString('en')} bytes`
          : `a page of more than ${this.maxPageBytes.toLocaleString('en')} bytes (reading stopped there)`;
      return new UpstreamError(
        `${where} sent ${size}, over UPSTREAM_MAX_PAGE_BYTES (${this.maxPageBytes.toLocaleString('en')})`,
        status,
      );
    }
    if (isDeadline(error)) {
      return new UpstreamError(
        `${where} failed: no complete answer within UPSTREAM_TIMEOUT_MS (${this.timeoutMs} ms)`,
        status,
      );
    }
    if (axios.isCancel(error)) return new UpstreamError(`${where}: the sync stopped`, status);
    const what = status ? `HTTP ${status}` : (error.code ?? 'no response');
    const cut = status && status < 300 ? ' while the body was read' : '';
    return new UpstreamError(`${where} failed: ${what}${cut}`, status);
  }
}

/** JSON text to a value; an answer that is not JSON fails its page, saying so. */
function parseBody(data: unknown): unknown {
  if (typeof data !== 'string') return data;
  try {
    return JSON.parse(data) as unknown;
  } catch (error) {
    throw new UpstreamError(
      `Upstream answered with a body that is not JSON (${(error as Error).message.slice(0, 120)})`,
    );
  }
}

/** `{alerts, next_cursor}`, `{alerts}` or a bare array (contract section 1). */
export function parsePage(data: unknown): Omit<UpstreamPage, 'chars'> {
  if (Array.isArray(data)) return { records: data, nextCursor: null };
  if (
    typeof data === 'object' &&
    data !== null &&
    Array.isArray((data as { alerts?: unknown }).alerts)
  ) {
    const { alerts, next_cursor } = data as { alerts: unknown[]; next_cursor?: unknown };
    if (next_cursor !== undefined && next_cursor !== null && typeof next_cursor !== 'string') {
      throw new UpstreamError('Upstream answered with a non-string next_cursor');
    }
    if (typeof next_cursor === 'string' && next_cursor.length > MAX_CURSOR_LENGTH) {
      throw new UpstreamError(
        `Upstream answered with a next_cursor of ${next_cursor.length} characters (at most ${MAX_CURSOR_LENGTH})`,
      );
    }
    return { records: alerts, nextCursor: next_cursor || null };
  }
  throw new UpstreamError('Upstream answered with neither an alert list nor {alerts: [...]}');
}
