// Errors services throw; ProblemDetailsFilter maps them to HTTP once. Services never import
// HTTP exceptions, so they stay callable from the scheduler and the CLI.
import type { FieldError } from './problem-details.js';

export abstract class DomainError extends Error {
  abstract readonly status: number;
  abstract readonly slug: string;
  /** Extra members for the problem body (RFC 9457 extensions). */
  readonly extensions: Record<string, unknown> = {};
  /**
   * A 5xx that is a state the service reports on every request (a readiness probe polled while
   * unready), not an event: not logged per request. Others are logged once each, as warnings.
   */
  readonly quiet: boolean = false;
  /** Seconds after which a retry may succeed, sent as `Retry-After` (a 429 or 503). */
  readonly retryAfterSeconds?: number;
}

export class NotFoundError extends DomainError {
  readonly status = 404;
  readonly slug = 'not-found';
  constructor(resource: string, id: string) {
    super(`${resource} ${id} does not exist`);
  }
}

export class ConflictError extends DomainError {
  readonly status = 409;
  readonly slug: string = 'conflict';
}

export class AuthenticationError extends DomainError {
  readonly status = 401;
  readonly slug = 'unauthenticated';
}

export class InvalidInputError extends DomainError {
  readonly status = 400;
  readonly slug = 'validation';
  constructor(readonly errors: FieldError[]) {
    super(errors.map((e) => e.message).join('; '));
  }
}
