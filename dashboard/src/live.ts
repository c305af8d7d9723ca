// Live alert events (GET /api/stream) for the dashboard. Read with fetch, not EventSource:
// EventSource cannot send the bearer token, and a token in the URL would be written to access
// logs. The reader parses the stream as the HTML standard says, reconnects with backoff and
// Last-Event-ID (the service resumes exactly after it), and reports whether it is live, so the
// alerts table can fall back to polling while it is not.
import { useEffect, useRef, useState } from 'preact/hooks';
import { accessToken } from './session.js';

export interface LiveEvent {
  type: string;
  data: string;
}

export type LiveState = 'connecting' | 'live' | 'down';

const MAX_BACKOFF_MS = 30_000;

/** Parses complete messages off the front of `buffer`; returns what is left. */
function parse(
  buffer: string,
  emit: (event: LiveEvent) => void,
  fields: { lastEventId?: string; retry?: number },
): string {
  for (;;) {
    const end = /\r\n\r\n|\n\n|\r\r/.exec(buffer);
    if (!end) return buffer;
    const block = buffer.slice(0, end.index);
    buffer = buffer.slice(end.index + end[0].length);
    let type = 'message';
    const data: string[] = [];
    for (const line of block.split(/\r\n|\n|\r/)) {
      if (line === '' || line.startsWith(':')) continue;
      const colon = line.indexOf(':');
      const field = colon < 0 ? line : line.slice(0, colon);
      const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
      if (field === 'event') type = value;
      else if (field === 'data') data.push(value);
      else if (field === 'id') fields.lastEventId = value;
      else if (field === 'retry' && /^\d+$/.test(value)) fields.retry = Number(value);
    }
    if (data.length > 0) emit({ type, data: data.join('\n') });
  }
}

/** Follows the stream until the returned function is called. */
export function followLive(
  onEvent: (event: LiveEvent) => void,
  onState: (state: LiveState) => void,
): () => void {
  let stopped = false;
  let controller: AbortController | undefined;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let failures = 0;
  const fields: { lastEventId?: string; retry?: number } = {};

  const connect = async () => {
    if (stopped) return;
    controller = new AbortController();
    try {
      const headers: Record<string, string> = { accept: 'text/event-stream' };
      const token = await accessToken();
      if (token) headers.authorization = `Bearer ${token}`;
      if (fields.lastEventId) headers['last-event-id'] = fields.lastEventId;
      const res = await fetch('/api/stream', { headers, signal: controller.signal });
      if (!res.ok || !res.body) throw new Error(`HTTP ${res.status}`);
      failures = 0;
      onState('live');
      const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
      let buffer = '';
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buffer = parse(buffer + value, onEvent, fields);
      }
    } catch {
      if (stopped) return;
      failures++;
    }
    if (stopped) return;
    // A stream the service ended (its lifetime, a restart) is picked up again at once; failures
    // back off and leave the table polling meanwhile.
    onState(failures === 0 ? 'connecting' : 'down');
    const base = fields.retry ?? 2_000;
    const delay = failures === 0 ? 0 : Math.min(MAX_BACKOFF_MS, base * 2 ** (failures - 1));
    timer = setTimeout(() => void connect(), delay);
  };

  onState('connecting');
  void connect();
  return () => {
    stopped = true;
    clearTimeout(timer);
    controller?.abort();
  };
}

/** The stream's state while the component is mounted; `onEvent` may change between renders. */
export function useLive(onEvent: (event: LiveEvent) => void): LiveState {
  const [state, setState] = useState<LiveState>('connecting');
  const handler = useRef(onEvent);
  handler.current = onEvent;
  useEffect(() => followLive((event) => handler.current(event), setState), []);
  return state;
}
