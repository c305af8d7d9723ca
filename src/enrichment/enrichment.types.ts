// What enrichment produces: its verdict (enrichment_type) and the per-plugin record. Defined by the
// plugins' side, which owns the output, so plugins stay leaves; the alert store imports it to
// persist and serve it.

export const ENRICHMENT_TYPES = ['tor_exit_node', 'clean'] as const;
export type EnrichmentType = (typeof ENRICHMENT_TYPES)[number];

/** `enrichment` as stored and served: one member per plugin, plus the plugins' failures. */
export interface Enrichment {
  geo?: unknown;
  tor?: unknown;
  context?: unknown;
  errors: Array<{ plugin: string; message: string }>;
  [plugin: string]: unknown;
}
