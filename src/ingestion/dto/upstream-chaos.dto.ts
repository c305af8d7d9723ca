// The mock upstream's chaos settings as the service relays them (GET/PUT /api/upstream/chaos).
// The bounds are the mock's own (mock-api/chaos-config.ts), so a value the mock would refuse is
// refused here, with the service's problem+json, before the upstream is called.
import { applyDecorators } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsInt, IsNumber, IsOptional, Max, Min } from 'class-validator';
import { CHAOS_BOUNDS, type ChaosConfig } from '../../../mock-api/chaos-config.js';

type ChaosField = keyof ChaosConfig;

const bounds = (field: ChaosField) => ({
  minimum: CHAOS_BOUNDS[field].min,
  maximum: CHAOS_BOUNDS[field].max,
  type: CHAOS_BOUNDS[field].integer ? ('integer' as const) : ('number' as const),
});

/** Optional, a finite number (an integer where the mock wants one) within the mock's bounds. */
const Setting = (field: ChaosField) =>
  applyDecorators(
    ApiPropertyOptional(bounds(field)),
    IsOptional(),
    Max(CHAOS_BOUNDS[field].max),
    Min(CHAOS_BOUNDS[field].min),
    CHAOS_BOUNDS[field].integer ? IsInt() : IsNumber({ allowNaN: false, allowInfinity: false }),
  );

export class UpstreamChaosDto implements ChaosConfig {
  @ApiProperty({ ...bounds('failure_rate'), description: 'Share of /alerts requests answered 500' })
  failure_rate: number;

  @ApiProperty({ ...bounds('latency_ms'), description: 'Delay before every /alerts response' })
  latency_ms: number;

  @ApiProperty({
    ...bounds('rate_limit_rate'),
    description: 'Share of /alerts requests answered 429 with Retry-After',
  })
  rate_limit_rate: number;

  @ApiProperty({
    ...bounds('malformed_rate'),
    description: 'Share of alerts served malformed (the same alerts on every fetch)',
  })
  malformed_rate: number;

  @ApiProperty({
    ...bounds('late_rate'),
    description:
      'Share of alerts that arrive late: served with their true created_at, but only ' +
      'late_seconds after it (the same alerts on every fetch)',
  })
  late_rate: number;

  @ApiProperty({
    ...bounds('late_seconds'),
    description: 'How long after its created_at a late alert becomes visible, in seconds',
  })
  late_seconds: number;
}

/** A partial update: settings left out keep their value on the upstream. */
export class UpdateUpstreamChaosDto implements Partial<ChaosConfig> {
  @Setting('failure_rate') failure_rate?: number;
  @Setting('latency_ms') latency_ms?: number;
  @Setting('rate_limit_rate') rate_limit_rate?: number;
  @Setting('malformed_rate') malformed_rate?: number;
  @Setting('late_rate') late_rate?: number;
  @Setting('late_seconds') late_seconds?: number;
}
