// The wire shapes the dashboard reads (contract section 2). Members a newer or older service may
// lack are optional, and the views cope without them.

export const SEVERITIES = ['low', 'medium', 'high', 'critical'] as const;
export const STATUSES = ['open', 'acknowledged', 'resolved'] as const;
export const RESOLUTIONS = ['true_positive', 'false_positive', 'benign', 'duplicate'] as const;
export const ENRICHMENT_TYPES = ['tor_exit_node', 'clean'] as const;
export const ORIGINS = ['upstream', 'event'] as const;
/** The mock upstream's ten sources (contract section 1); the source filter accepts any name. */
export const KNOWN_SOURCES = [
  'firewall',
  'ngfw',
  'ips',
  'vpn_gateway',
  'router_acl',
  'waf',
  'swg',
  'nac',
  'api_gateway',
  'load_balancer',
];

export type Severity = (typeof SEVERITIES)[number];
export type Status = (typeof STATUSES)[number];
export type Resolution = (typeof RESOLUTIONS)[number];

/** open → acknowledged → resolved, open → resolved, acknowledged → open; resolved is final. */
export const TRANSITIONS: Record<Status, Status[]> = {
  open: ['acknowledged', 'resolved'],
  acknowledged: ['open', 'resolved'],
  resolved: [],
};

export interface Me {
  id: string;
  username: string;
  groups: string[];
}

export interface Alert {
  id: string;
  source: string;
  external_id: string | null;
  origin: string;
  severity: Severity;
  status: Status;
  description: string;
  created_at: string;
  ingested_at: string;
  updated_at: string;
  src_ip: string | null;
  dst_ip: string | null;
  country: string | null;
  user: string | null;
  enrichment_type: string;
  enrichment: {
    geo?: unknown;
    tor?: unknown;
    context?: unknown;
    errors?: Array<{ plugin: string; message: string }>;
    [plugin: string]: unknown;
  };
  assignee: { id: string; username: string } | null;
  resolution: Resolution | null;
  event_id: string | null;
  version?: number;
}

export interface AlertEvent {
  id: string;
  source: string;
  event_type: string;
  severity: string;
  description: string;
  occurred_at: string;
  received_at: string;
  src_ip: string | null;
  dst_ip: string | null;
  attributes: Record<string, unknown>;
}

export interface AlertDetail extends Alert {
  event?: AlertEvent | null;
}

export interface AlertPage {
  alerts: Alert[];
  total: number;
  total_capped?: boolean;
  limit: number;
  offset: number;
  has_more: boolean;
  next_cursor: string | null;
}

export interface HistoryEntry {
  id: number;
  at: string;
  actor: { id: string | null; username: string };
  field: 'status' | 'assignee' | null;
  from: string | null;
  to: string | null;
  resolution: string | null;
  note: string | null;
}

export interface BulkResult {
  matched: number;
  updated: number;
  skipped: Array<{ id: string; reason: string; message?: string }>;
  truncated: boolean;
}

export interface Health {
  status: 'ok' | 'degraded' | 'down';
  db_connected: boolean;
  last_successful_sync: string | null;
  last_sync_status: string | null;
  last_error: string | null;
  last_event_time: string | null;
  sync_interval_seconds: number;
  next_sync_at?: string | null;
  skipped_ticks?: number;
  upstream_url: string;
  enrichment?: {
    geoip_database?: { name: string; build_date: string; attribution: string | null } | null;
    tor_list_updated_at?: string | null;
    tor_list_size?: number;
  };
}

export interface SyncRun {
  id: string;
  trigger: string;
  started_at: string;
  finished_at: string | null;
  result: 'running' | 'success' | 'failed' | 'interrupted';
  fetched: number;
  inserted: number;
  duplicates: number;
  quarantined: number;
  pages?: number;
  duration_ms?: number | null;
  error: string | null;
}

export interface SeverityCounts {
  low: number;
  medium: number;
  high: number;
  critical: number;
}

export interface Stats {
  hours: number;
  from?: string;
  to?: string;
  total: number;
  by_severity?: Partial<SeverityCounts>;
  by_status?: Partial<Record<Status, number>>;
  by_enrichment_type?: Partial<Record<'tor_exit_node' | 'clean', number>>;
  by_source?: Array<{ source: string; count: number }>;
  by_source_other?: { values: number; count: number };
  by_country?: Array<{ country: string | null; count: number }>;
  by_country_other?: { values: number; count: number };
  timeline?: Array<Partial<SeverityCounts> & { hour: string; total: number }>;
  mean_time_to_acknowledge_seconds?: number | null;
  mean_time_to_resolve_seconds?: number | null;
  acknowledged_count?: number;
  resolved_count?: number;
}

export interface Chaos {
  failure_rate: number;
  latency_ms: number;
  rate_limit_rate: number;
  malformed_rate: number;
  late_rate: number;
  late_seconds: number;
}

export interface UserSummary {
  id: string;
  username: string;
  groups: string[];
  is_active?: boolean;
}
