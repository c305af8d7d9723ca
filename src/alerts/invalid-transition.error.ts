import { ConflictError } from '../common/problem/domain-error.js';
import type { AlertStatus } from './alert.types.js';

/** A status change the lifecycle does not allow; the problem body lists what is allowed. */
export class InvalidTransitionError extends ConflictError {
  override readonly slug = 'invalid-transition';

  constructor(message: string, current: AlertStatus, allowed: readonly AlertStatus[]) {
    super(message);
    Object.assign(this.extensions, {
      current_status: current,
      allowed_transitions: [...allowed],
    });
  }
}
