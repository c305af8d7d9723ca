import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsInt, IsOptional, Max, Min } from 'class-validator';
import { IntegerQuery } from '../../common/validation/query-fields.js';
import { jsonDepth, MAX_BODY_DEPTH } from '../../common/validation/validation.pipe.js';
import { QUARANTINE_TEXT_MAX } from '../record-rendering.js';
import type { QuarantinedRecord, SyncMode, SyncRun } from '../sync.repository.js';

const SYNC_MODES: SyncMode[] = ['incremental', 'reconcile'];

export class StartSyncDto {
  @ApiPropertyOptional({
    enum: SYNC_MODES,
    default: 'incremental',
    description:
      'incremental: from the bookmark; reconcile: re-read SYNC_RECONCILE_WINDOW_HOURS for alerts that reached the upstream late',
  })
  @IsOptional()
  @IsIn(SYNC_MODES)
  mode?: SyncMode;
}

export class SyncStartedDto {
  @ApiProperty({ format: 'uuid' })
  run_id: string;
}

export class SyncRunDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ enum: ['startup', 'schedule', 'manual'] }) trigger: string;
  @ApiProperty({ enum: SYNC_MODES }) mode: SyncMode;
  @ApiProperty({ format: 'date-time' }) started_at: string;
  @ApiProperty({ format: 'date-time', nullable: true, type: String }) finished_at: string | null;
  @ApiProperty({ enum: ['running', 'success', 'failed', 'interrupted'] }) result: string;
  @ApiProperty() fetched: number;
  @ApiProperty() inserted: number;
  @ApiProperty() duplicates: number;
  @ApiProperty() quarantined: number;
  @ApiProperty({
    description:
      'New alerts earlier syncs had missed: created at or before the bookmark the run began from',
  })
  late: number;
  @ApiProperty({
    description: 'New alerts dated more than SYNC_MAX_FUTURE_SECONDS ahead of the service clock',
  })
  future_dated: number;
  @ApiProperty() pages: number;
  @ApiProperty({ nullable: true, type: Number }) duration_ms: number | null;
  @ApiProperty({ nullable: true, type: String }) error: string | null;
  @ApiProperty({ nullable: true, type: String, description: 'host:pid of the replica that ran it' })
  host: string | null;

  static from(run: SyncRun): SyncRunDto {
    return {
      id: run.id,
      trigger: run.trigger,
      mode: run.mode,
      started_at: run.startedAt.toISOString(),
      finished_at: run.finishedAt?.toISOString() ?? null,
      result: run.result,
      fetched: run.fetched,
      inserted: run.inserted,
      duplicates: run.duplicates,
      quarantined: run.quarantined,
      late: run.late,
      future_dated: run.futureDated,
      pages: run.pages,
      duration_ms: run.finishedAt ? run.finishedAt.getTime() - run.startedAt.getTime() : null,
      error: run.error,
      host: run.host,
    };
  }
}

export class SyncRunListDto {
  @ApiProperty({ type: [SyncRunDto] }) runs: SyncRunDto[];
}

/**
 * The deepest quarantine offset: the count beside it is a PostgreSQL int, and a larger number
 * would not survive the trip to SQL (1e20 is not a bigint) as anything but a 500.
 */
export const QUARANTINE_MAX_OFFSET = 2_147_483_647;

export class ListRunsQuery {
  @IntegerQuery(1, 200, { default: 50 })
  limit?: number;
}

export class ListQuarantineQuery extends ListRunsQuery {
  @IntegerQuery(0, QUARANTINE_MAX_OFFSET, { default: 0 })
  offset?: number;
}

export class QuarantinedRecordDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({
    format: 'uuid',
    nullable: true,
    type: String,
    description:
      'The sync run that fetched the record; null for a pushed one (POST /api/ingest/alerts)',
  })
  run_id: string | null;
  @ApiProperty({
    // Any JSON value: a record that is not an object is quarantined for that very reason.
    anyOf: ['object', 'array', 'string', 'number', 'boolean', 'null'].map((type) => ({ type })),
    description: `The record as the upstream sent it; null when it is only kept in part (see raw) or nests deeper than ${MAX_BODY_DEPTH} levels`,
  })
  payload: unknown;
  @ApiProperty({
    description: `The record as JSON text, escaped (a NUL is the six characters \\u0000), at most ${QUARANTINE_TEXT_MAX} characters`,
  })
  raw: string;
  @ApiProperty({ description: 'UTF-8 bytes of the whole JSON text of the record' })
  size_bytes: number;
  @ApiProperty({ description: 'raw holds only the beginning of the record' }) truncated: boolean;
  @ApiProperty({ example: 'severity must be one of low, medium, high, critical' }) reason: string;
  @ApiProperty({ format: 'date-time' }) received_at: string;

  static from(record: QuarantinedRecord): QuarantinedRecordDto {
    const truncated = Buffer.byteLength(record.raw) < record.rawBytes;
    return {
      id: record.id,
      run_id: record.runId,
      payload: truncated ? null : shownWhole(record.raw),
      raw: record.raw,
      size_bytes: record.rawBytes,
      truncated,
      reason: record.reason,
      received_at: record.receivedAt.toISOString(),
    };
  }
}

/** The parsed record, unless it nests too deep to serialise safely. */
function shownWhole(raw: string): unknown {
  const value = JSON.parse(raw) as unknown;
  return jsonDepth(value) > MAX_BODY_DEPTH ? null : value;
}

export class QuarantineListDto {
  @ApiProperty({ type: [QuarantinedRecordDto] }) records: QuarantinedRecordDto[];
  @ApiProperty() total: number;
  @ApiProperty() limit: number;
  @ApiProperty() offset: number;
}

export class ServiceConfigDto {
  @ApiProperty({ minimum: 10, maximum: 86400, example: 60 })
  @Max(86400)
  @Min(10)
  @IsInt()
  sync_interval_seconds: number;
}
