import { DomainError } from '../common/problem/domain-error.js';

/**
 * The alert changed since the caller read it. 412 when the caller's version came in `If-Match`
 * (RFC 9110), 409 when it came as `version` in the body.
 */
export class StaleVersionError extends DomainError {
  readonly status: number;
  readonly slug = 'stale-version';

  constructor(
    id: string,
    current: number,
    via: 'if-match' | 'body',
    noun: 'Alert' | 'Incident' = 'Alert',
  ) {
    super(
      `${noun} ${id} is at version ${current}; it changed since you read it. ` +
        'Read it again and reapply your change.',
    );
    this.status = via === 'if-match' ? 412 : 409;
    this.extensions.current_version = current;
  }
}
