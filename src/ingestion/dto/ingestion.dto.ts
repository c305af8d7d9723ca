import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsInt, IsOptional, Max, Min } from 'class-validator';
import type { QuarantinedRecord, SyncRun } from '../sync.repository.js';

const toInt = ({ value }: { value: unknown }) =>
  typeof value === 'string' && /^-?\d+$/.test(value) ? Number(value) : value;

export class SyncStartedDto {
  @ApiProperty({ format: 'uuid' })
  run_id: string;
}

export class SyncRunDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ enum: ['startup', 'schedule', 'manual'] }) trigger: string;
  @ApiProperty({ format: 'date-time' }) started_at: string;
  @ApiProperty({ format: 'date-time', nullable: true, type: String }) finished_at: string | null;
  @ApiProperty({ enum: ['running', 'success', 'failed', 'interrupted'] }) result: string;
  @ApiProperty() fetched: number;
  @ApiProperty() inserted: number;
  @ApiProperty() duplicates: number;
  @ApiProperty() quarantined: number;
  @ApiProperty() pages: number;
  @ApiProperty({ nullable: true, type: Number }) duration_ms: number | null;
  @ApiProperty({ nullable: true, type: String }) error: string | null;
  @ApiProperty({ nullable: true, type: String, description: 'host:pid of the replica that ran it' })
  host: string | null;

  static from(run: SyncRun): SyncRunDto {
    return {
      id: run.id,
      trigger: run.trigger,
      started_at: run.startedAt.toISOString(),
      finished_at: run.finishedAt?.toISOString() ?? null,
      result: run.result,
      fetched: run.fetched,
      inserted: run.inserted,
      duplicates: run.duplicates,
      quarantined: run.quarantined,
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

export class ListRunsQuery {
  @ApiPropertyOptional({ minimum: 1, maximum: 200, default: 50 })
  @IsOptional()
  @Transform(toInt)
  @Max(200)
  @Min(1)
  @IsInt()
  limit?: number;
}

export class ListQuarantineQuery extends ListRunsQuery {
  @ApiPropertyOptional({ minimum: 0, default: 0 })
  @IsOptional()
  @Transform(toInt)
  @Min(0)
  @IsInt()
  offset?: number;
}

export class QuarantinedRecordDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ format: 'uuid', nullable: true, type: String }) run_id: string | null;
  @ApiProperty({ description: 'The record exactly as the upstream sent it' }) payload: unknown;
  @ApiProperty({ example: 'severity must be one of low, medium, high, critical' }) reason: string;
  @ApiProperty({ format: 'date-time' }) received_at: string;

  static from(record: QuarantinedRecord): QuarantinedRecordDto {
    return {
      id: record.id,
      run_id: record.runId,
      payload: record.payload,
      reason: record.reason,
      received_at: record.receivedAt.toISOString(),
    };
  }
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
