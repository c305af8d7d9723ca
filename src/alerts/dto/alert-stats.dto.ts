// The statistics a dashboard draws, on the wire. AlertStats become this shape here and nowhere else.
import { ApiProperty } from '@nestjs/swagger';
import { type AlertStats, STATS_TOP } from '../alert-stats-sql.js';

const COUNT = { type: 'integer', minimum: 0 } as const;

export class SeverityCountsDto {
  @ApiProperty(COUNT) low: number;
  @ApiProperty(COUNT) medium: number;
  @ApiProperty(COUNT) high: number;
  @ApiProperty(COUNT) critical: number;
}

export class StatusCountsDto {
  @ApiProperty(COUNT) open: number;
  @ApiProperty(COUNT) acknowledged: number;
  @ApiProperty(COUNT) resolved: number;
}

export class EnrichmentTypeCountsDto {
  @ApiProperty(COUNT) tor_exit_node: number;
  @ApiProperty(COUNT) clean: number;
}

export class SourceCountDto {
  @ApiProperty({ example: 'firewall' }) source: string;
  @ApiProperty(COUNT) count: number;
}

export class CountryCountDto {
  @ApiProperty({
    type: String,
    nullable: true,
    example: 'DE',
    description: 'ISO 3166-1 alpha-2; null for alerts whose country is unknown',
  })
  country: string | null;

  @ApiProperty(COUNT) count: number;
}

export class OtherCountDto {
  @ApiProperty({ ...COUNT, description: 'Distinct values beyond the listed ones' })
  values: number;

  @ApiProperty({ ...COUNT, description: 'Alerts with those values' })
  count: number;
}

export class TimelineBucketDto extends SeverityCountsDto {
  @ApiProperty({
    format: 'date-time',
    example: '2024-05-01T13:00:00.000Z',
    description: 'Start of the UTC clock hour',
  })
  hour: string;

  @ApiProperty(COUNT) total: number;
}

const RANKED = `at most ${STATS_TOP}, by count descending, then by name`;

export class AlertStatsDto {
  @ApiProperty({ type: 'integer', example: 24, description: 'The window asked for, in hours' })
  hours: number;

  @ApiProperty({
    format: 'date-time',
    description: 'Start of the window (inclusive): `to` minus `hours`',
  })
  from: string;

  @ApiProperty({
    format: 'date-time',
    description: 'End of the window (inclusive): the database clock at the time of the request',
  })
  to: string;

  @ApiProperty({ ...COUNT, description: 'Alerts in the window' })
  total: number;

  @ApiProperty({ type: SeverityCountsDto, description: 'Every severity, 0 when none' })
  by_severity: SeverityCountsDto;

  @ApiProperty({ type: StatusCountsDto, description: 'Current status; every status, 0 when none' })
  by_status: StatusCountsDto;

  @ApiProperty({ type: EnrichmentTypeCountsDto, description: 'Every enrichment type, 0 when none' })
  by_enrichment_type: EnrichmentTypeCountsDto;

  @ApiProperty({ type: [SourceCountDto], description: `Sources, ${RANKED}` })
  by_source: SourceCountDto[];

  @ApiProperty({ type: OtherCountDto, description: 'The sources `by_source` leaves out' })
  by_source_other: OtherCountDto;

  @ApiProperty({
    type: [CountryCountDto],
    description: `Countries, ${RANKED}; unknown countries are one entry with \`country: null\`, \
ranked like the others`,
  })
  by_country: CountryCountDto[];

  @ApiProperty({ type: OtherCountDto, description: 'The countries `by_country` leaves out' })
  by_country_other: OtherCountDto;

  @ApiProperty({
    type: [TimelineBucketDto],
    description:
      'One entry per UTC clock hour the window touches, oldest first, hours without alerts ' +
      'included (`hours` + 1 entries: the first counts from `from`, the last up to `to`)',
  })
  timeline: TimelineBucketDto[];

  @ApiProperty({
    type: Number,
    nullable: true,
    example: 912.5,
    description:
      'Mean seconds from `ingested_at` to the first acknowledgement, over the ' +
      '`acknowledged_count` alerts of the window ever acknowledged; null when there is none',
  })
  mean_time_to_acknowledge_seconds: number | null;

  @ApiProperty({
    ...COUNT,
    description:
      'Alerts of the window acknowledged at least once, whatever their status now (so not ' +
      '`by_status.acknowledged`)',
  })
  acknowledged_count: number;

  @ApiProperty({
    type: Number,
    nullable: true,
    example: 7260.25,
    description:
      'Mean seconds from `ingested_at` to the first resolution, over the `resolved_count` ' +
      'alerts of the window ever resolved; null when there is none',
  })
  mean_time_to_resolve_seconds: number | null;

  @ApiProperty({ ...COUNT, description: 'Alerts of the window resolved at least once' })
  resolved_count: number;

  static fromStats(stats: AlertStats): AlertStatsDto {
    return {
      hours: stats.hours,
      from: stats.from.toISOString(),
      to: stats.to.toISOString(),
      total: stats.total,
      by_severity: stats.bySeverity,
      by_status: stats.byStatus,
      by_enrichment_type: stats.byEnrichmentType,
      by_source: stats.bySource.top.map(({ key, count }) => ({ source: key, count })),
      by_source_other: stats.bySource.other,
      by_country: stats.byCountry.top.map(({ key, count }) => ({ country: key, count })),
      by_country_other: stats.byCountry.other,
      timeline: stats.timeline.map(({ hour, total, low, medium, high, critical }) => ({
        hour: hour.toISOString(),
        total,
        low,
        medium,
        high,
        critical,
      })),
      mean_time_to_acknowledge_seconds: stats.timeToAcknowledge.meanSeconds,
      acknowledged_count: stats.timeToAcknowledge.alerts,
      mean_time_to_resolve_seconds: stats.timeToResolve.meanSeconds,
      resolved_count: stats.timeToResolve.alerts,
    };
  }
}
