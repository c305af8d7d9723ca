// Turns one upstream record (standard or legacy shape) into a NormalizedAlert, or says exactly
// why it cannot: the reason goes to the quarantine with the raw record.
import { hash } from 'node:crypto';
import { isIP } from 'node:net';
import { SEVERITIES, type Severity } from '../alerts/alert.types.js';

export interface NormalizedAlert {
  source: string;
  /** The upstream's id; null when it gave none (then the fingerprint is the dedup key). */
  externalId: string | null;
  /**
   * The dedup key of an alert without an upstream id: SHA-256 of the normalised content, as 64
   * hex digits (stored as bytea). Null when there is an id, which is the key then.
   */
  fingerprint: string | null;
  severity: Severity;
  description: string;
  createdAt: Date;
  srcIp: string | null;
  dstIp: string | null;
}

export type NormalizeResult = { ok: true; alert: NormalizedAlert } | { ok: false; reason: string };

const LEGACY_CRITICALITY: Record<number, Severity> = {
  1: 'low',
  2: 'medium',
  3: 'high',
  4: 'critical',
};
const MAX_DESCRIPTION = 5000;
const MAX_SOURCE = 64;
const MAX_EXTERNAL_ID = 256;
/** Clock skew tolerated for alerts dated in the future. */
const FUTURE_TOLERANCE_MS = 24 * 3600 * 1000;
const ISO_8601 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/;

class Rejection extends Error {}

function fail(reason: string): never {
  throw new Rejection(reason);
}

function text(
  record: Record<string, unknown>,
  field: string,
  max: number,
  required = true,
): string | null {
  const value = record[field];
  if (value === undefined || value === null || value === '') {
    if (required) fail(`${field} is missing`);
    return null;
  }
  if (typeof value !== 'string') fail(`${field} must be a string`);
  const trimmed = value.trim();
  if (!trimmed) fail(`${field} is blank`);
  if (trimmed.length > max) fail(`${field} is longer than ${max} characters`);
  return trimmed;
}

function identifier(record: Record<string, unknown>, field: string): string | null {
  const value = record[field];
  if (value === undefined || value === null || value === '') return null;
  if (typeof value === 'number' && Number.isSafeInteger(value)) return String(value);
  if (typeof value !== 'string') fail(`${field} must be a string or an integer`);
  if (value.length > MAX_EXTERNAL_ID) fail(`${field} is longer than ${MAX_EXTERNAL_ID} characters`);
  return value;
}

function ip(record: Record<string, unknown>, field: string): string | null {
  const value = record[field];
  if (value === undefined || value === null || value === '') return null;
  if (typeof value !== 'string' || isIP(value) === 0)
    fail(`${field} is not a valid IPv4 or IPv6 address`);
  return value.toLowerCase();
}

function timestamp(record: Record<string, unknown>, field: string, now: number): Date {
  const value = record[field];
  if (value === undefined || value === null || value === '') fail(`${field} is missing`);
  if (typeof value !== 'string' || !ISO_8601.test(value))
    fail(`${field} is not an ISO 8601 timestamp`);
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) fail(`${field} is not a valid date`);
  if (date.getTime() > now + FUTURE_TOLERANCE_MS) fail(`${field} is more than 24 h in the future`);
  return date;
}

function severity(value: unknown): Severity {
  if (typeof value !== 'string') fail('severity must be a string');
  const lower = value.trim().toLowerCase() as Severity;
  if (!SEVERITIES.includes(lower)) fail(`severity must be one of ${SEVERITIES.join(', ')}`);
  return lower;
}

function criticality(value: unknown): Severity {
  const mapped = typeof value === 'number' ? LEGACY_CRITICALITY[value] : undefined;
  if (!mapped) fail('criticality must be an integer from 1 to 4');
  return mapped;
}

/**
 * SHA-256 over the normalised content, so the same alert always gets the same key. Hex from the
 * one-shot hash: no Hash object and no Buffer per alert (the commit sends hex anyway).
 */
function fingerprintOf(alert: NormalizedAlert): string {
  const canonical = JSON.stringify([
    alert.source,
    alert.severity,
    alert.description,
    alert.createdAt.toISOString(),
    alert.srcIp,
    alert.dstIp,
  ]);
  return hash('sha256', canonical, 'hex');
}

export function normalizeAlert(raw: unknown, now = Date.now()): NormalizeResult {
  try {
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
      fail('record is not a JSON object');
    const record = raw as Record<string, unknown>;
    const legacy = 'alertId' in record || 'criticality' in record || 'summary' in record;
    const alert: NormalizedAlert = legacy
      ? {
          source: text(record, 'source', MAX_SOURCE)!.toLowerCase(),
          externalId: identifier(record, 'alertId'),
          severity: criticality(record.criticality),
          description: text(record, 'summary', MAX_DESCRIPTION)!,
          createdAt: timestamp(record, 'timestamp', now),
          srcIp: ip(record, 'sourceAddress'),
          dstIp: ip(record, 'destinationAddress'),
          fingerprint: null,
        }
      : {
          source: text(record, 'source', MAX_SOURCE)!.toLowerCase(),
          externalId: identifier(record, 'id'),
          severity: severity(record.severity),
          description: text(record, 'description', MAX_DESCRIPTION)!,
          createdAt: timestamp(record, 'created_at', now),
          srcIp: ip(record, 'src_ip'),
          dstIp: ip(record, 'dst_ip'),
          fingerprint: null,
        };
    if (alert.externalId === null) alert.fingerprint = fingerprintOf(alert);
    return { ok: true, alert };
  } catch (error) {
    if (error instanceof Rejection) return { ok: false, reason: error.message };
    throw error;
  }
}
