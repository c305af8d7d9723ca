// What a sync and a push do alike to a batch of upstream records before it is stored: each record
// is screened (normalised, or kept for the quarantine with the reason), and the alerts and the
// rejects are encoded as the store's statements read them. One copy, so a record is judged and
// stored the same way whichever way it arrived.
import { type AlertInsertRow, encodeAlertRows } from '../alerts/alert.store.js';
import type { EnrichedAlert } from '../enrichment/enrichment.service.js';
import { normalizeAlert, type NormalizedAlert } from './alert-normalizer.js';
import { renderRecord } from './record-rendering.js';

export interface QuarantineRow {
  /** SHA-256 of the record's whole JSON text: the same bad record is kept once. */
  hash: Buffer;
  /** The record's JSON text, cut at QUARANTINE_TEXT_MAX characters. */
  text: string;
  /** UTF-8 bytes of the whole text. */
  bytes: number;
  reason: string;
}

export type ScreenedRecord =
  { ok: true; alert: NormalizedAlert } | { ok: false; quarantine: QuarantineRow };

/** One record as an alert to store, or as the quarantine row that keeps it and says why not. */
export function screenRecord(record: unknown): ScreenedRecord {
  const result = normalizeAlert(record);
  if (result.ok) return result; // no new object per valid alert: this runs for every one synced
  const { text, bytes, sha256 } = renderRecord(record);
  return { ok: false, quarantine: { hash: sha256, text, bytes, reason: result.reason } };
}

/** Alerts and their enrichment (in the same order) as the store's insert reads them. */
export function encodeAlerts(
  alerts: readonly NormalizedAlert[],
  enrichments: readonly EnrichedAlert[],
): Buffer {
  const rows = alerts.map((a, i): AlertInsertRow => {
    const e = enrichments[i];
    return [
      a.source,
      a.externalId,
      a.fingerprint,
      a.severity,
      a.description,
      a.createdAt.toISOString(),
      a.srcIp,
      a.dstIp,
      e.country,
      e.user,
      e.enrichmentType,
      e.enrichment,
    ];
  });
  return encodeAlertRows(rows);
}

/** Quarantine rows as the JSON array quarantinedCte reads. */
export function encodeQuarantine(rows: readonly QuarantineRow[]): string {
  return JSON.stringify(
    rows.map((q) => ({
      hash: q.hash.toString('hex'),
      raw: q.text,
      bytes: q.bytes,
      reason: q.reason,
    })),
  );
}
