// The demo's console: one readable line per log event for a person at a terminal, where the
// service proper writes JSON lines for a log pipeline. pino-pretty is a development dependency,
// loaded only here and only by the demo (`npm start` builds from a checkout, which has it); an
// install without it falls back to JSON rather than failing to start.
import type { DestinationStream } from 'pino';
import type { MessageFormatFunc } from 'pino-pretty';

interface RequestLog {
  req?: { id?: string | number; method?: string; url?: string };
  res?: { statusCode?: number };
  responseTime?: number;
  reqId?: string | number;
  context?: string;
}

/**
 * `[Context] message`, and pino-http's completion line as `GET /api/alerts 200 4 ms`; the
 * request id, when there is one, closes the line (the same id the response's x-request-id
 * carries, so a person can find a request's lines).
 */
export const formatDemoLine: MessageFormatFunc = (log, messageKey) => {
  const { req, res, responseTime, reqId, context } = log as RequestLog;
  const message = typeof log[messageKey] === 'string' ? log[messageKey] : '';
  const text =
    req?.method && res?.statusCode !== undefined
      ? `${req.method} ${req.url} ${res.statusCode} ${responseTime ?? '?'} ms${message === 'request completed' ? '' : ` ${message}`}`
      : message;
  const id = reqId ?? req?.id;
  return `${context ? `[${context}] ` : ''}${text}${id === undefined ? '' : ` (request ${id})`}`;
};

/** Fields the formatted message already says (or that a person does not need: pid, host). */
const SHOWN_IN_MESSAGE = 'pid,hostname,context,req,res,responseTime,reqId';

/** The pretty stream, or undefined when pino-pretty is not installed. */
export async function prettyLogStream(): Promise<DestinationStream | undefined> {
  const pretty = await import('pino-pretty').then(
    (module) => module.default,
    (error: NodeJS.ErrnoException) => {
      if (error.code === 'ERR_MODULE_NOT_FOUND') return undefined;
      throw error;
    },
  );
  return pretty?.({
    // Synchronous, so the lines keep their order with the demo's own banner on stdout.
    sync: true,
    destination: 1,
    singleLine: true,
    translateTime: 'SYS:HH:MM:ss',
    ignore: SHOWN_IN_MESSAGE,
    messageFormat: formatDemoLine,
  });
}
