import { ConflictError } from '../common/problem/domain-error.js';

export class SyncAlreadyRunningError extends ConflictError {
  constructor() {
    super('A sync is already running (on this or another replica)');
  }
}
