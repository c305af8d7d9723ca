import { DomainError } from '../common/problem/domain-error.js';

/** This replica takes no more live streams now: it serves its maximum, or it is stopping. */
export class LiveStreamUnavailableError extends DomainError {
  readonly status = 503;
  readonly slug = 'stream-unavailable';
  // A stopping replica is gone from the load balancer by then; a full one frees streams as
  // clients leave. The dashboard's reader backs off from 2 s anyway.
  override readonly retryAfterSeconds = 5;
}
