// HTTP client for the upstream SIEM aggregator (contract section 1). Retries network errors,
// timeouts, 5xx and 429 (honouring Retry-After) with exponential backoff and jitter; other 4xx
// are the caller's mistake and fail at once.
import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import axios, { AxiosError, AxiosInstance } from 'axios';
import axiosRetry, { exponentialDelay, isNetworkError } from 'axios-retry';
import { ingestionConfig } from '../config/ingestion.config.js';
import { MetricsService } from '../metrics/metrics.service.js';

export interface UpstreamPage {
  records: unknown[];
  nextCursor: string | null;
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

/** Whether `error` is worth another attempt, given how many retries it has had and the budget. */
export function isRetryable(error: AxiosError, retriesSoFar: number, retries: number): boolean {
  const status = error.response?.status;
  if (status === 429) return retriesSoFar < retries + EXTRA_RATE_LIMIT_RETRIES;
  if (retriesSoFar >= retries) return false;
  if (isNetworkError(error)) return true;
  if (error.code === 'ECONNABORTED' || error.code === 'ETIMEDOUT') return true;
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

  constructor(
    @Inject(ingestionConfig.KEY) config: ConfigType<typeof ingestionConfig>,
    @Optional() metrics?: MetricsService,
  ) {
    this.http = axios.create({
      baseURL: config.upstreamUrl,
      timeout: config.timeoutMs,
      headers: { accept: 'application/json' },
      // No redirects to other hosts, and a sane cap on a page's size.
      maxRedirects: 0,
      maxContentLength: 64 * 1024 * 1024,
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
      onRetry: (retryCount, error) =>
        this.logger.warn(
          { attempt: retryCount, status: error.response?.status, code: error.code },
          'Upstream request failed; retrying',
        ),
    });
  }

  async fetchPage(request: PageRequest): Promise<UpstreamPage> {
    const params: Record<string, string> = {
      since: request.since.toISOString(),
      limit: String(request.limit),
    };
    if (request.cursor) params.cursor = request.cursor;
    let data: unknown;
    try {
      ({ data } = await this.http.get<unknown>('/alerts', { params }));
    } catch (error) {
      throw describe(error);
    }
    return parsePage(data);
  }
}

/** `{alerts, next_cursor}`, `{alerts}` or a bare array (contract section 1). */
export function parsePage(data: unknown): UpstreamPage {
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
    return { records: alerts, nextCursor: next_cursor || null };
  }
  throw new UpstreamError('Upstream answered with neither an alert list nor {alerts: [...]}');
}

function describe(error: unknown): UpstreamError {
  if (error instanceof AxiosError) {
    const status = error.response?.status;
    const what = status ? `HTTP ${status}` : (error.code ?? 'no response');
    return new UpstreamError(
      `Upstream ${error.config?.url ?? ''} failed: ${what}`.replace('  ', ' '),
      status,
    );
  }
  return new UpstreamError(`Upstream request failed: ${String(error)}`);
}
