import { DomainError } from '../common/problem/domain-error.js';

/** A failed probe: 503 problem+json that keeps Terminus' `info`/`error`/`details` as extensions. */
export class HealthCheckFailedError extends DomainError {
  readonly status = 503;
  readonly slug = 'unhealthy';
  // Polled every few seconds (every 50 ms by some clients) while unready; the cause is logged
  // once where it happens (the shutdown signal, a failed database check).
  override readonly quiet = true;
  constructor(detail: string, report: Record<string, unknown>) {
    super(detail);
    Object.assign(this.extensions, report);
  }
}
