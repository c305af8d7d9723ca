import type { IncomingMessage } from 'node:http';
import { randomUUID } from 'node:crypto';

const SAFE_REQUEST_ID = /^[\w.:-]{1,128}$/;

/** The caller's X-Request-Id when it is a sane token, else a new UUID. Fastify's genReqId. */
export function requestId(req: IncomingMessage): string {
  const given = req.headers['x-request-id'];
  return typeof given === 'string' && SAFE_REQUEST_ID.test(given) ? given : randomUUID();
}
