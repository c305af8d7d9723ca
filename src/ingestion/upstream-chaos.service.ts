// Relays the mock upstream's chaos settings (its GET/PUT /config, contract section 1) so that the
// dashboard and other clients reach them through the service's public, access-checked API. A real
// aggregator has no such settings: that is a 409 naming the upstream, not a failure of the service.
import { Inject, Injectable } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import axios, { type AxiosInstance, type AxiosResponse } from 'axios';
import { InvalidInputError } from '../common/problem/domain-error.js';
import type { FieldError } from '../common/problem/problem-details.js';
import { ingestionConfig } from '../config/ingestion.config.js';
import { CHAOS_BOUNDS, type ChaosConfig } from './dto/upstream-chaos.dto.js';
import { NoChaosSettingsError } from './no-chaos-settings.error.js';
import { UpstreamCredentials } from './upstream-credentials.js';
import { UpstreamUnreachableError } from './upstream-unreachable.error.js';

/** A settings call is interactive: no retries, and a short wait. */
const TIMEOUT_MS = 5000;
const CHAOS_FIELDS = Object.keys(CHAOS_BOUNDS) as Array<keyof ChaosConfig>;

@Injectable()
export class UpstreamChaosService {
  private readonly http: AxiosInstance;
  private readonly upstreamUrl: string;

  constructor(
    @Inject(ingestionConfig.KEY) config: ConfigType<typeof ingestionConfig>,
    private readonly credentials: UpstreamCredentials,
  ) {
    this.upstreamUrl = config.upstreamUrl;
    this.http = axios.create({
      baseURL: config.upstreamUrl,
      timeout: TIMEOUT_MS,
      maxRedirects: 0,
      maxContentLength: 64 * 1024,
      headers: { accept: 'application/json' },
      validateStatus: () => true, // every answer is judged below
    });
  }

  async settings(): Promise<ChaosConfig> {
    return this.settingsFrom(await this.call('GET'));
  }

  async update(patch: Partial<ChaosConfig>): Promise<ChaosConfig> {
    const res = await this.call('PUT', patch);
    if (res.status === 400) throw new InvalidInputError(fieldErrors(res.data));
    return this.settingsFrom(res);
  }

  private async call(method: 'GET' | 'PUT', body?: unknown): Promise<AxiosResponse<unknown>> {
    try {
      const headers = await this.credentials.headers();
      return await this.http.request<unknown>({ method, url: '/config', data: body, headers });
    } catch (error) {
      const code = (error as { code?: string }).code ?? String(error);
      throw new UpstreamUnreachableError(
        `The upstream at ${this.upstreamUrl} did not answer (${code})`,
      );
    }
  }

  private settingsFrom(res: AxiosResponse<unknown>): ChaosConfig {
    const request = `${res.config.method?.toUpperCase() ?? 'GET'} /config`;
    if (res.status >= 500) {
      throw new UpstreamUnreachableError(
        `The upstream at ${this.upstreamUrl} answered ${res.status} to ${request}`,
      );
    }
    const settings = res.status === 200 ? asChaosConfig(res.data) : null;
    if (!settings) {
      const answer = res.status === 200 ? '200 without them' : String(res.status);
      throw new NoChaosSettingsError(
        `The upstream at ${this.upstreamUrl} has no chaos settings (${request} answered ` +
          `${answer}): it is not the mock upstream`,
      );
    }
    return settings;
  }
}

/** The settings in CHAOS_BOUNDS, and nothing else taken from the upstream's body. */
function asChaosConfig(data: unknown): ChaosConfig | null {
  if (typeof data !== 'object' || data === null) return null;
  const record = data as Record<string, unknown>;
  const settings = {} as ChaosConfig;
  for (const field of CHAOS_FIELDS) {
    const value = record[field];
    if (typeof value !== 'number' || !Number.isFinite(value)) return null;
    settings[field] = value;
  }
  return settings;
}

/** The mock names each refused field as `{field, message}`; keep those, else one line. */
function fieldErrors(data: unknown): FieldError[] {
  const errors = (data as { errors?: unknown } | null)?.errors;
  const valid = Array.isArray(errors)
    ? errors.filter(
        (e): e is FieldError =>
          typeof (e as FieldError)?.field === 'string' &&
          typeof (e as FieldError)?.message === 'string',
      )
    : [];
  return valid.length ? valid : [{ field: '(body)', message: 'refused by the upstream' }];
}
