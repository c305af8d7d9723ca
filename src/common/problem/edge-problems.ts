// Requests refused before any route, hook or Nest filter runs, answered as problem+json like every
// other error and without echoing what was sent:
//  - Fastify's router refuses a path that is not valid percent-encoding (FST_ERR_BAD_URL) or whose
//    parameter is over `maxParamLength` (FST_ERR_MAX_PARAM_LENGTH): its `frameworkErrors` option;
//  - Node's HTTP parser refuses what it cannot read (an unknown method, a request line or headers
//    over `maxHeaderSize`, malformed syntax) and requests not received within the request or
//    headers timeout: the server's `clientError` event, where only the raw socket is left.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import { PROBLEM_CONTENT_TYPE, ProblemDetails } from './problem-details.js';

/**
 * Headers for responses written outside Nest (the security headers hook never runs for them): a
 * JSON error body is never to be sniffed, framed, rendered as a document or stored.
 */
export const EDGE_RESPONSE_HEADERS: Readonly<Record<string, string>> = {
  'cache-control': 'no-store',
  'content-security-policy': "default-src 'none'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
};

export function problemBody(
  status: number,
  detail: string,
  instance: string,
  type = 'about:blank',
): ProblemDetails {
  return { type, title: STATUS_CODES[status] ?? 'Error', status, detail, instance };
}

/**
 * The path up to (not including) its first segment that `isBad` refuses, e.g. `/api/alerts/` for
 * `/api/alerts/%ff`: where the problem is, without the value that caused it.
 */
export function pathBefore(url: string, isBad: (segment: string) => boolean): string {
  const segments = url.split('?')[0].split('/').slice(1);
  const bad = segments.findIndex(isBad);
  const kept = bad === -1 ? [] : segments.slice(0, bad);
  return `/${kept.map((s) => `${s}/`).join('')}`;
}

function decoded(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}

/** Fastify's `frameworkErrors` option, for a router that limits parameters to `maxParamLength`. */
export function frameworkErrorsHandler(maxParamLength: number) {
  return (error: Error & { code?: string }, request: FastifyRequest, reply: FastifyReply): void => {
    const url = request.raw.url ?? '/';
    let body: ProblemDetails;
    if (error.code === 'FST_ERR_MAX_PARAM_LENGTH') {
      body = problemBody(
        414,
        `A path segment is longer than ${maxParamLength} characters`,
        pathBefore(url, (s) => (decoded(s) ?? s).length > maxParamLength),
      );
    } else if (error.code === 'FST_ERR_BAD_URL') {
      body = problemBody(
        400,
        'The path is not valid percent-encoded UTF-8',
        pathBefore(url, (s) => decoded(s) === undefined),
      );
    } else {
      body = problemBody(500, 'An unexpected error occurred', '/');
    }
    void reply
      .status(body.status)
      .headers({ ...EDGE_RESPONSE_HEADERS, 'x-request-id': request.id })
      .header('content-type', PROBLEM_CONTENT_TYPE)
      .send(body);
  };
}

/** What a parser error code means for the client; anything else is a 400. */
const CLIENT_ERRORS: Record<string, { status: number; detail: string }> = {
  ERR_HTTP_REQUEST_TIMEOUT: {
    status: 408,
    detail: 'The request was not received in time',
  },
  HPE_HEADER_OVERFLOW: {
    status: 431,
    detail: 'The request line and headers are larger than the server accepts',
  },
  // RFC 9110 §9.1: a method the server does not recognise is a 501.
  HPE_INVALID_METHOD: {
    status: 501,
    detail: 'The request method is not one the server implements',
  },
};

/**
 * Fastify's `clientErrorHandler`: answers on the raw socket, as Node does by default (only when no
 * response of this connection has started), then closes the connection. The error's `rawPacket`
 * (the bytes sent) is never logged or echoed.
 */
export function handleClientError(error: Error & { code?: string }, socket: Socket): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const inFlight = (socket as Socket & { _httpMessage?: { headersSent?: boolean } })._httpMessage;
  if (socket.writable && !inFlight?.headersSent) {
    const { status, detail } = CLIENT_ERRORS[error.code ?? ''] ?? {
      status: 400,
      detail: 'The request is not valid HTTP',
    };
    const body = JSON.stringify(problemBody(status, detail, '/'));
    const headers = {
      ...EDGE_RESPONSE_HEADERS,
      'content-type': PROBLEM_CONTENT_TYPE,
      'content-length': String(Buffer.byteLength(body)),
      connection: 'close',
    };
    socket.write(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\n` +
        Object.entries(headers)
          .map(([name, value]) => `${name}: ${value}\r\n`)
          .join('') +
        `\r\n${body}`,
    );
  }
  socket.destroy();
}
