import { DomainError } from '../common/problem/domain-error.js';

/** dist/dashboard/ is missing: the service was compiled without the front-end build. */
export class DashboardNotBuiltError extends DomainError {
  readonly status = 503;
  readonly slug = 'dashboard-not-built';
  constructor() {
    super('The dashboard has not been built: run `npm run build`');
  }
}
