// The alert store's own vocabulary: an alert's lifecycle, where it came from, how it was closed.
// Severity (src/common/severity.ts) and the enrichment's output (src/enrichment/enrichment.types.ts)
// are imported from their own homes, never re-exported here.

export const ALERT_STATUSES = ['open', 'acknowledged', 'resolved'] as const;
export type AlertStatus = (typeof ALERT_STATUSES)[number];

/** upstream: fetched by a sync; event: raised by POST /api/events; push: POST /api/ingest/alerts. */
export const ALERT_ORIGINS = ['upstream', 'event', 'push'] as const;
export type AlertOrigin = (typeof ALERT_ORIGINS)[number];

export const RESOLUTIONS = ['true_positive', 'false_positive', 'benign', 'duplicate'] as const;
export type Resolution = (typeof RESOLUTIONS)[number];
