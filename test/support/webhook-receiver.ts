// A webhook receiver of the suite's own, on loopback: records every request (headers and raw
// body) and answers what the spec programs, per request: an HTTP status (with headers), a hold
// (the answer waits until released), or the default 204.
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedRequest {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
  at: number;
}

export interface Answer {
  status: number;
  headers?: Record<string, string>;
  body?: string;
}

/** Decides the answer to a request; undefined: 204. */
export type Responder = (
  request: ReceivedRequest,
) => Answer | undefined | Promise<Answer | undefined>;

export interface WebhookReceiver {
  url: string;
  received: ReceivedRequest[];
  respond(responder: Responder | null): void;
  /** Requests to `path` (e.g. '/a'). */
  at(path: string): ReceivedRequest[];
  /** TCP connections accepted so far (a sender reusing its connections opens few). */
  connections(): number;
  close(): Promise<void>;
}

export interface ReceiverOptions {
  /**
   * How long an idle connection is kept open. Specs use 100 ms (held answers must not keep
   * close() waiting); a bench uses what receivers in the field keep (Node's default is 5 s,
   * nginx's 75 s), so that the sender's connection reuse is measured as it would be.
   */
  keepAliveTimeoutMs?: number;
}

export async function startWebhookReceiver(
  options: ReceiverOptions = {},
): Promise<WebhookReceiver> {
  let connections = 0;
  const received: ReceivedRequest[] = [];
  let responder: Responder | null = null;
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const request: ReceivedRequest = {
        path: req.url ?? '/',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
        at: Date.now(),
      };
      received.push(request);
      Promise.resolve(responder?.(request))
        .then((answer) => {
          res.writeHead(answer?.status ?? 204, answer?.headers ?? {});
          res.end(answer?.body ?? '');
        })
        .catch(() => res.destroy());
    });
  });
  server.keepAliveTimeout = options.keepAliveTimeoutMs ?? 100;
  server.on('connection', () => connections++);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    respond: (next) => (responder = next),
    at: (path) => received.filter((r) => r.path === path),
    connections: () => connections,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
