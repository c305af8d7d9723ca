import { DomainError } from '../problem/domain-error.js';

export class RateLimitedError extends DomainError {
  readonly status = 429;
  readonly slug = 'rate-limited';
  constructor(override readonly retryAfterSeconds: number) {
    super(`Too many requests; retry in ${retryAfterSeconds} s`);
  }
}
