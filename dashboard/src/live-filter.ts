// Whether an alert that arrived live belongs in the table under its active filters. The filters
// checked here are those the list applies to an alert's own fields; for any other (a filter this
// file does not know) the answer is "maybe", and the table counts the alert as new instead of
// showing it.
import type { Alert } from './types.js';
import type { FilterKey, Filters } from './view-state.js';

type Check = (alert: Alert, value: string, now: number) => boolean;

const CHECKS: Partial<Record<FilterKey, Check>> = {
  severity: (a, v) => v.split(',').includes(a.severity),
  status: (a, v) => a.status === v,
  source: (a, v) => a.source === v,
  country: (a, v) => (a.country ?? '').toUpperCase() === v.toUpperCase(),
  user: (a, v) => a.user === v,
  enrichment_type: (a, v) => a.enrichment_type === v,
  origin: (a, v) => a.origin === v,
  q: (a, v) => a.description.toLowerCase().includes(v.toLowerCase()),
  since: (a, v) => Date.parse(a.created_at) >= Date.parse(v),
  until: (a, v) => Date.parse(a.created_at) <= Date.parse(v),
  hours: (a, v, now) => Date.parse(a.created_at) >= now - Number(v) * 3_600_000,
};

export function matchesFilters(
  alert: Alert,
  filters: Filters,
  now = Date.now(),
): boolean | 'maybe' {
  let unknown = false;
  for (const [key, value] of Object.entries(filters) as Array<[FilterKey, string | undefined]>) {
    if (!value) continue;
    const check = CHECKS[key];
    if (!check) unknown = true;
    else if (!check(alert, value, now)) return false;
  }
  return unknown ? 'maybe' : true;
}
