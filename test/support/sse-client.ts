// A Server-Sent Events client over fetch (the test's stand-in for EventSource, which Node lacks):
// sends the bearer token and Last-Event-ID, parses the stream as the HTML standard says (fields,
// comments, an id applied even by a message without data) and keeps everything it received.

export interface SseEvent {
  type: string;
  id: string | undefined;
  data: string;
}

export class SseClient {
  readonly events: SseEvent[] = [];
  readonly comments: string[] = [];
  /** What EventSource would send as Last-Event-ID on reconnecting. */
  lastEventId: string | undefined;
  retry: number | undefined;
  /** The stream ended (the server closed it). */
  ended = false;
  private buffer = '';
  private readonly waiters = new Set<() => void>();

  private constructor(
    readonly status: number,
    readonly headers: Headers,
    private readonly controller: AbortController,
  ) {}

  /** Opens the stream; resolves once the response's headers are in (whatever the status). */
  static async open(
    url: string,
    options: { token?: string; lastEventId?: string } = {},
  ): Promise<SseClient> {
    const headers: Record<string, string> = { accept: 'text/event-stream' };
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    if (options.lastEventId !== undefined) headers['last-event-id'] = options.lastEventId;
    const controller = new AbortController();
    const res = await fetch(url, { headers, signal: controller.signal });
    const client = new SseClient(res.status, res.headers, controller);
    client.lastEventId = options.lastEventId;
    if (res.ok && res.body) void client.read(res.body);
    else await res.body?.cancel();
    return client;
  }

  private async read(body: ReadableStream<Uint8Array>): Promise<void> {
    const decoder = new TextDecoder();
    try {
      for await (const chunk of body) {
        this.buffer += decoder.decode(chunk, { stream: true });
        this.parse();
      }
    } catch {
      // aborted by close()
    }
    this.ended = true;
    this.wake();
  }

  private parse(): void {
    for (;;) {
      const match = /\r\n\r\n|\n\n|\r\r/.exec(this.buffer);
      if (!match) break;
      const block = this.buffer.slice(0, match.index);
      this.buffer = this.buffer.slice(match.index + match[0].length);
      let type = 'message';
      const data: string[] = [];
      for (const line of block.split(/\r\n|\n|\r/)) {
        if (line === '') continue;
        if (line.startsWith(':')) {
          this.comments.push(line.slice(1).trim());
          continue;
        }
        const colon = line.indexOf(':');
        const field = colon < 0 ? line : line.slice(0, colon);
        const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
        if (field === 'event') type = value;
        else if (field === 'data') data.push(value);
        else if (field === 'id') this.lastEventId = value;
        else if (field === 'retry') this.retry = Number(value);
      }
      if (data.length > 0) this.events.push({ type, id: this.lastEventId, data: data.join('\n') });
    }
    this.wake();
  }

  private wake(): void {
    for (const waiter of this.waiters) waiter();
  }

  /** Resolves with `check`'s value once it is not undefined; rejects after `timeoutMs`. */
  waitFor<T>(what: string, check: (client: this) => T | undefined, timeoutMs = 5_000): Promise<T> {
    return new Promise((resolve, reject) => {
      const done = () => {
        const value = check(this);
        if (value === undefined) return false;
        cleanup();
        resolve(value);
        return true;
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`));
      }, timeoutMs);
      const waiter = () => void done();
      const cleanup = () => {
        clearTimeout(timer);
        this.waiters.delete(waiter);
      };
      this.waiters.add(waiter);
      done();
    });
  }

  /** The first event of `type` whose data has this `id`. */
  eventFor(type: string, id: string): SseEvent | undefined {
    return this.events.find(
      (e) => e.type === type && (JSON.parse(e.data) as { id: string }).id === id,
    );
  }

  close(): void {
    this.controller.abort();
  }
}
