// A small fetch wrapper: every call goes over the real socket, and every response is checked
// against the OpenAPI document the service serves (see openapi-contract.ts for the rule): a
// response the document does not allow fails the test that asked for it.
import { contractOf } from './openapi-contract.js';

export interface ApiResponse {
  status: number;
  headers: Headers;
  body: any;
}

interface CallOptions {
  token?: string;
  body?: unknown;
  /** Sent as-is instead of JSON.stringify(body). */
  raw?: string | Uint8Array<ArrayBuffer>;
  headers?: Record<string, string>;
}

export class ApiClient {
  constructor(readonly baseUrl: string) {}

  get(path: string, options: CallOptions = {}) {
    return this.call('GET', path, options);
  }
  post(path: string, options: CallOptions = {}) {
    return this.call('POST', path, options);
  }
  patch(path: string, options: CallOptions = {}) {
    return this.call('PATCH', path, options);
  }
  put(path: string, options: CallOptions = {}) {
    return this.call('PUT', path, options);
  }

  async call(method: string, path: string, options: CallOptions = {}): Promise<ApiResponse> {
    const headers: Record<string, string> = { ...options.headers };
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    let body: string | Uint8Array<ArrayBuffer> | undefined = options.raw;
    if (options.body !== undefined) {
      body = JSON.stringify(options.body);
      headers['content-type'] ??= 'application/json';
    }
    const res = await fetch(this.baseUrl + path, { method, headers, body });
    // An event stream (GET /api/stream) stays open: its headers are the answer, the body is not read.
    const streaming = (res.headers.get('content-type') ?? '').startsWith('text/event-stream');
    if (streaming) await res.body?.cancel();
    const text = streaming ? '' : await res.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      // not JSON: keep the text
    }
    const response = { status: res.status, headers: res.headers, body: parsed };
    const contract = await contractOf(this.baseUrl);
    await contract?.check({ method, path, ...response });
    return response;
  }
}
