import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import type { PushOutcome, PushResult, PushStatus } from '../push-ingestion.service.js';

/** Records in one push at most (an upstream page's bound, contract section 1). */
export const PUSH_MAX_RECORDS = 1000;

const PUSH_STATUSES: PushStatus[] = ['stored', 'duplicate', 'quarantined'];

const STANDARD_EXAMPLE = {
  id: 'edr-7f3a-000123',
  source: 'edr',
  severity: 'high',
  description: 'Credential dumping tool executed on host fin-ws-042',
  created_at: '2026-12-06T10:15:00Z',
  src_ip: '10.20.1.42',
  dst_ip: '185.220.101.1',
};

const LEGACY_EXAMPLE = {
  alertId: 'waf-991',
  source: 'waf',
  criticality: 3,
  summary: 'SQL injection attempt blocked on /login',
  sourceAddress: '10.0.4.7',
  destinationAddress: '203.0.113.9',
  timestamp: '2026-12-06T10:16:30Z',
};

/**
 * `POST /api/ingest/alerts`. Documentation only: the body is read by PushedRecords, which checks
 * the envelope, not by the validation pipe (see pushed-records.decorator.ts).
 */
export class PushAlertsDto {
  @ApiProperty({
    type: 'array',
    minItems: 1,
    maxItems: PUSH_MAX_RECORDS,
    // Any JSON value: a record that is not an alert is quarantined for that very reason.
    items: {
      anyOf: ['object', 'array', 'string', 'number', 'boolean', 'null'].map((type) => ({ type })),
    },
    example: [STANDARD_EXAMPLE, LEGACY_EXAMPLE],
    description:
      `1 to ${PUSH_MAX_RECORDS} upstream records, each in either shape the sync reads ` +
      '(contract section 1): standard `{id?, source, severity, description, created_at, ' +
      'src_ip?, dst_ip?}` or legacy `{alertId?, source, criticality: 1..4, summary, timestamp, ' +
      'sourceAddress?, destinationAddress?}`. Each record is judged alone: one that is not a ' +
      'valid alert is quarantined with the reason, the others are stored.',
  })
  alerts: unknown[];
}

export class PushRecordResultDto {
  @ApiProperty({
    type: 'integer',
    minimum: 0,
    maximum: PUSH_MAX_RECORDS - 1,
    description: 'Position of the record in `alerts`',
  })
  index: number;

  @ApiProperty({
    enum: PUSH_STATUSES,
    description:
      'stored: a new alert (origin `push`); duplicate: an alert with the same dedup key ' +
      '(`(source, id)`, else the fingerprint of its content) was already stored, by an earlier ' +
      'push or sync or an earlier record of this batch; quarantined: not a valid alert, kept in ' +
      'the quarantine (`GET /api/sync/quarantine`, `run_id` null) with `reason`',
  })
  status: PushStatus;

  @ApiPropertyOptional({
    format: 'uuid',
    description:
      'stored: the new alert; duplicate: the alert already stored under the key (absent only if ' +
      'it was deleted by retention meanwhile). Absent when quarantined',
  })
  id?: string;

  @ApiPropertyOptional({
    example: 'severity must be one of low, medium, high, critical',
    description: 'quarantined: why the record is not a valid alert',
  })
  reason?: string;

  static from(outcome: PushOutcome): PushRecordResultDto {
    const { index, status, id, reason } = outcome;
    return {
      index,
      status,
      ...(id !== undefined && { id }),
      ...(reason !== undefined && { reason }),
    };
  }
}

export class PushResultDto {
  @ApiProperty({ type: [PushRecordResultDto], description: 'One per record, in the order sent' })
  results: PushRecordResultDto[];

  @ApiProperty({ type: 'integer', minimum: 0, description: 'Records stored as new alerts' })
  stored: number;

  @ApiProperty({
    type: 'integer',
    minimum: 0,
    description: 'Records whose alert was already stored',
  })
  duplicates: number;

  @ApiProperty({ type: 'integer', minimum: 0, description: 'Records quarantined' })
  quarantined: number;

  static from(result: PushResult): PushResultDto {
    return {
      results: result.results.map((r) => PushRecordResultDto.from(r)),
      stored: result.stored,
      duplicates: result.duplicates,
      quarantined: result.quarantined,
    };
  }
}
