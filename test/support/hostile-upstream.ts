// An upstream of the suite's own that misbehaves on request: each spec hands it a function from
// the request to a reply (any body text, any status, a body dripped or streamed in chunks), and it
// records what it was asked (query and headers). Unlike the mock, nothing here is well-behaved by
// default: it is the other team's software at its worst.
import { createServer, IncomingHttpHeaders, Server, ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export interface UpstreamRequest {
  since: string | null;
  cursor: string | null;
  limit: number | null;
  headers: IncomingHttpHeaders;
}

export type Reply =
  /** JSON text as it is (hostile pages are written by hand: JSON.stringify cannot nest 10,000 deep). */
  | { text: string; status?: number; headers?: Record<string, string> }
  /** Writes the response itself: a body dripped byte by byte, a page streamed in pieces. */
  | { write: (res: ServerResponse) => void | Promise<void> };

export type Handler = (request: UpstreamRequest) => Reply | Promise<Reply>;

export interface HostileUpstream {
  url: string;
  /** Every /alerts request, oldest first (clear it with `requests.length = 0`). */
  requests: UpstreamRequest[];
  serve(handler: Handler): void;
  close(): Promise<void>;
}

export async function startHostileUpstream(): Promise<HostileUpstream> {
  let handler: Handler = () => ({ text: '{"alerts":[],"next_cursor":null}' });
  const requests: UpstreamRequest[] = [];
  const sockets = new Set<Socket>();
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://upstream');
    if (url.pathname !== '/alerts') {
      res.writeHead(404).end();
      return;
    }
    const limit = url.searchParams.get('limit');
    const request: UpstreamRequest = {
      since: url.searchParams.get('since'),
      cursor: url.searchParams.get('cursor'),
      limit: limit === null ? null : Number(limit),
      headers: req.headers,
    };
    requests.push(request);
    void (async () => {
      try {
        const reply = await handler(request);
        if ('write' in reply) return await reply.write(res);
        res.writeHead(reply.status ?? 200, {
          'content-type': 'application/json',
          ...reply.headers,
        });
        res.end(reply.text);
      } catch (error) {
        if (!res.headersSent) res.writeHead(599);
        res.end(String(error));
      }
    })();
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    serve(next) {
      handler = next;
    },
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A page in the contract's envelope, from records already written as JSON text. */
export function page(records: readonly string[], nextCursor: string | null = null): Reply {
  return { text: `{"alerts":[${records.join(',')}],"next_cursor":${JSON.stringify(nextCursor)}}` };
}

/** A valid alert in the standard shape, as JSON text. */
export function alertText(
  id: string,
  createdAt: Date,
  extra: Record<string, unknown> = {},
): string {
  return JSON.stringify({
    id,
    source: 'firewall',
    severity: 'high',
    description: `hostile-upstream alert ${id}`,
    created_at: createdAt.toISOString(),
    src_ip: '10.0.0.1',
    dst_ip: '8.8.8.8',
    ...extra,
  });
}

/** Only the records created at or after the request's `since`, as a real aggregator filters. */
export function since(request: UpstreamRequest, records: ReadonlyArray<[Date, string]>): string[] {
  const from = request.since ? Date.parse(request.since) : -Infinity;
  return records.filter(([at]) => at.getTime() >= from).map(([, text]) => text);
}
