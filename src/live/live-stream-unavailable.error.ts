import { DomainError } from '../common/problem/domain-error.js';

/** This replica takes no more live streams now: it serves its maximum, or it is stopping. */
export class LiveStreamUnavailableError extends DomainError {
  readonly status = 503;
  readonly slug = 'stream-unavailable';
}
