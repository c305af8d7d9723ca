// The alert vocabulary shared by ingestion, enrichment, events and the read API.

export const SEVERITIES = ['low', 'medium', 'high', 'critical'] as const;
export type Severity = (typeof SEVERITIES)[number];

export const ALERT_STATUSES = ['open', 'acknowledged', 'resolved'] as const;
export type AlertStatus = (typeof ALERT_STATUSES)[number];

export const ENRICHMENT_TYPES = ['tor_exit_node', 'clean'] as const;
export type EnrichmentType = (typeof ENRICHMENT_TYPES)[number];

export const ALERT_ORIGINS = ['upstream', 'event'] as const;
export type AlertOrigin = (typeof ALERT_ORIGINS)[number];

export const RESOLUTIONS = ['true_positive', 'false_positive', 'benign', 'duplicate'] as const;
export type Resolution = (typeof RESOLUTIONS)[number];

/** `enrichment` as stored and served: one member per plugin, plus the plugins' failures. */
export interface Enrichment {
  geo?: unknown;
  tor?: unknown;
  context?: unknown;
  errors: Array<{ plugin: string; message: string }>;
  [plugin: string]: unknown;
}
