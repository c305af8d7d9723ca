import { DomainError } from '../common/problem/domain-error.js';

/** The upstream did not answer (refused, timed out) or answered with a server error. */
export class UpstreamUnreachableError extends DomainError {
  readonly status = 502;
  readonly slug = 'upstream-unreachable';
}
