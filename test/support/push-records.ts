// Alerts for POST /api/ingest/alerts in the contract's standard shape, placed in time from one
// base instant: the incident specs build their backlogs from these.
import type { StandardAlert } from '../../mock-api/alert-generator.js';

const BASE = Date.parse('2026-12-01T10:00:00.000Z');

/** The instant `seconds` after the base, as an ISO string (the API's form). */
export const at = (seconds: number) => new Date(BASE + seconds * 1000).toISOString();

/** Alert `id` of source `edr` at `seconds`, with a source and a destination address if given. */
export const pushRecord = (
  id: string,
  seconds: number,
  src: string | null | undefined,
  severity = 'low',
  dst?: string,
): StandardAlert => ({
  id,
  source: 'edr',
  severity,
  description: `Alert ${id}`,
  created_at: at(seconds),
  ...(src ? { src_ip: src } : {}),
  ...(dst ? { dst_ip: dst } : {}),
});
