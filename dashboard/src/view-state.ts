// The alerts view lives in the URL: the filters under the API's own parameter names (so the
// table's query is the page's query string, and a shared or reloaded link shows the same alerts),
// plus the sort, page size, keyset cursor and the alert open in the drawer. So do the admins'
// pages (`?page=webhooks`, `?page=api-keys`) and the subscription whose delivery log is open, and
// the incidents page (`?page=incidents`) with its filters and the incident open in its drawer.

export const FILTER_KEYS = [
  'severity',
  'status',
  'source',
  'country',
  'user',
  'ip',
  'enrichment_type',
  'origin',
  'since',
  'until',
  'hours',
  'q',
] as const;

export type FilterKey = (typeof FILTER_KEYS)[number];
export type Filters = Partial<Record<FilterKey, string>>;

export const DEFAULT_SORT = '-created_at';
export const PAGE_SIZES = [25, 50, 100, 200];
export const DEFAULT_LIMIT = 50;

/** Pages beside the overview (health, metrics, alerts); admins only but incidents. */
export const PAGES = ['incidents', 'webhooks', 'api-keys'] as const;
export type PageName = (typeof PAGES)[number];
/** The pages analysts see too. */
export const SHARED_PAGES: readonly PageName[] = ['incidents'];

/**
 * The incidents page's filters: GET /api/incidents's `status` and `severity`, under names of their
 * own so they do not clash with the alert filters kept in the same address.
 */
export interface IncidentFilters {
  status?: string;
  severity?: string;
}

const isPage = (value: string | null): value is PageName =>
  (PAGES as readonly string[]).includes(value ?? '');

export interface ViewState {
  filters: Filters;
  sort: string;
  limit: number;
  cursor?: string;
  /** The alert open in the drawer. */
  alert?: string;
  /** The metrics window in hours. */
  window?: number;
  /** An admin page instead of the overview. */
  page?: PageName;
  /** On the webhooks page: the subscription whose delivery log is open. */
  webhook?: string;
  /** On the incidents page: its filters (`incident_status`, `incident_severity`). */
  incidentFilters?: IncidentFilters;
  /** On the incidents page: the incident open in the drawer. */
  incident?: string;
}

export function readView(search: string): ViewState {
  const params = new URLSearchParams(search);
  const filters: Filters = {};
  for (const key of FILTER_KEYS) {
    const value = params.get(key)?.trim();
    if (value) filters[key] = value;
  }
  const limit = Number(params.get('limit'));
  const window = Number(params.get('window'));
  const page = params.get('page');
  return {
    filters,
    sort: params.get('sort') === 'created_at' ? 'created_at' : DEFAULT_SORT,
    limit: PAGE_SIZES.includes(limit) ? limit : DEFAULT_LIMIT,
    cursor: params.get('cursor') || undefined,
    alert: params.get('alert') || undefined,
    window: Number.isInteger(window) && window > 0 ? window : undefined,
    page: isPage(page) ? page : undefined,
    webhook: (page === 'webhooks' && params.get('webhook')) || undefined,
    incidentFilters:
      page === 'incidents'
        ? {
            status: params.get('incident_status')?.trim() || undefined,
            severity: params.get('incident_severity')?.trim() || undefined,
          }
        : undefined,
    incident: (page === 'incidents' && params.get('incident')) || undefined,
  };
}

/** The page's query string for a view (defaults left out, so plain links stay short). */
export function writeView(view: ViewState): string {
  const params = new URLSearchParams();
  if (view.page) params.set('page', view.page);
  if (view.page === 'webhooks' && view.webhook) params.set('webhook', view.webhook);
  if (view.page === 'incidents') {
    if (view.incidentFilters?.status) params.set('incident_status', view.incidentFilters.status);
    if (view.incidentFilters?.severity)
      params.set('incident_severity', view.incidentFilters.severity);
    if (view.incident) params.set('incident', view.incident);
  }
  for (const key of FILTER_KEYS) {
    const value = view.filters[key];
    if (value) params.set(key, value);
  }
  if (view.sort !== DEFAULT_SORT) params.set('sort', view.sort);
  if (view.limit !== DEFAULT_LIMIT) params.set('limit', String(view.limit));
  if (view.cursor) params.set('cursor', view.cursor);
  if (view.window) params.set('window', String(view.window));
  if (view.alert) params.set('alert', view.alert);
  const query = params.toString();
  return query ? `?${query}` : '';
}

/** The GET /api/alerts query for a view: its filters, sort, limit and cursor. */
export function alertsQuery(view: ViewState): string {
  const params = new URLSearchParams();
  for (const key of FILTER_KEYS) {
    const value = view.filters[key];
    if (value) params.set(key, value);
  }
  params.set('sort', view.sort);
  params.set('limit', String(view.limit));
  if (view.cursor) params.set('cursor', view.cursor);
  return params.toString();
}

/** The `filter` object of POST /api/alerts/bulk for the same filters (same names as the list). */
export function bulkFilter(filters: Filters): Record<string, unknown> {
  const filter: Record<string, unknown> = {};
  for (const key of FILTER_KEYS) {
    const value = filters[key];
    if (!value) continue;
    if (key === 'severity') filter.severity = value.split(',').filter(Boolean);
    else if (key === 'hours') filter.hours = Number(value);
    else filter[key] = value;
  }
  return filter;
}

export function hasFilters(filters: Filters): boolean {
  return FILTER_KEYS.some((key) => Boolean(filters[key]));
}

/** The GET /api/incidents query for the incidents page's filters (newest first). */
export function incidentsQuery(filters: IncidentFilters | undefined, cursor?: string): string {
  const params = new URLSearchParams();
  if (filters?.status) params.set('status', filters.status);
  if (filters?.severity) params.set('severity', filters.severity);
  params.set('sort', '-created_at');
  params.set('limit', String(DEFAULT_LIMIT));
  if (cursor) params.set('cursor', cursor);
  return params.toString();
}
