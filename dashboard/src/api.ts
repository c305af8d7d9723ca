// The public API, as any client sees it (contract section 2): fetch with the bearer token, JSON in
// and out, problem+json turned into an ApiError, and a 401 ending the session.
import { accessToken, endSession } from './session.js';
import type { FieldError } from './types.js';

/**
 * A failing response's body, loosely: the service's problem+json (ProblemDetails in the document,
 * plus extensions) or whatever a proxy in between answered, so every member is optional.
 */
export interface Problem {
  type?: string;
  title?: string;
  status?: number;
  detail?: string;
  errors?: FieldError[];
  [extension: string]: unknown;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly problem: Problem,
  ) {
    super(describe(status, problem));
    this.name = 'ApiError';
  }
}

function describe(status: number, problem: Problem): string {
  const fields = problem.errors?.map((e) => `${e.field}: ${e.message}`).join('; ');
  return [problem.detail ?? problem.title ?? `HTTP ${status}`, fields].filter(Boolean).join(' — ');
}

export interface ApiResult<T> {
  data: T;
  status: number;
  headers: Headers;
}

interface CallOptions {
  body?: unknown;
  headers?: Record<string, string>;
  signal?: AbortSignal;
  /** Send no token (sign-in, probes). */
  anonymous?: boolean;
}

export async function call<T>(
  method: string,
  path: string,
  options: CallOptions = {},
): Promise<ApiResult<T>> {
  const headers: Record<string, string> = { accept: 'application/json', ...options.headers };
  const token = options.anonymous ? null : await accessToken();
  if (token) headers.authorization = `Bearer ${token}`;
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(path, {
    method,
    headers,
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
    signal: options.signal,
  });
  const text = await res.text();
  let parsed: unknown = undefined;
  if (text) {
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = { detail: text };
    }
  }
  if (res.status === 401 && token) {
    endSession('Signed out: the service no longer accepts your session.');
  }
  if (!res.ok) throw new ApiError(res.status, (parsed ?? {}) as Problem);
  return { data: parsed as T, status: res.status, headers: res.headers };
}

export const get = async <T>(path: string, signal?: AbortSignal): Promise<T> =>
  (await call<T>('GET', path, { signal })).data;

export const send = async <T>(
  method: 'POST' | 'PUT' | 'PATCH',
  path: string,
  body?: unknown,
  headers?: Record<string, string>,
): Promise<T> => (await call<T>(method, path, { body, headers })).data;

/** DELETE: nothing comes back (204). */
export const remove = async (path: string): Promise<void> => {
  await call<unknown>('DELETE', path);
};

export function errorMessage(error: unknown): string {
  if (error instanceof ApiError) return error.message;
  if (error instanceof Error) return error.message;
  return String(error);
}
