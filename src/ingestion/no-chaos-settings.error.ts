import { ConflictError } from '../common/problem/domain-error.js';

/** The upstream answers, but has no chaos settings: it is a real aggregator, not the mock. */
export class NoChaosSettingsError extends ConflictError {
  override readonly slug = 'upstream-not-mock';
}
