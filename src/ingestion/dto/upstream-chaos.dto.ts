// The mock upstream's chaos settings as the service relays them (GET/PUT /api/upstream/chaos).
// CHAOS_BOUNDS is the client's own description of the upstream's admin API (GET/PUT /config,
// contract section 1), written here rather than imported from mock-api/: the client never leans
// on the simulator's code. A contract spec (upstream-chaos.contract.spec.ts) holds it to the
// mock's bounds, so a value the mock would refuse is refused here, with the service's
// problem+json, before the upstream is called.
import { applyDecorators } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsInt, IsNumber, IsOptional, Max, Min } from 'class-validator';

interface Bound {
  min: number;
  max: number;
  integer: boolean;
}

/** Every setting the upstream's /config takes, with the range it accepts. */
export const CHAOS_BOUNDS = {
  failure_rate: { min: 0, max: 1, integer: false },
  latency_ms: { min: 0, max: 60_000, integer: true },
  rate_limit_rate: { min: 0, max: 1, integer: false },
  malformed_rate: { min: 0, max: 1, integer: false },
  late_rate: { min: 0, max: 1, integer: false },
  late_seconds: { min: 0, max: 604_800, integer: true },
} as const satisfies Record<string, Bound>;

type ChaosField = keyof typeof CHAOS_BOUNDS;

/** The upstream's chaos settings: one number per field of CHAOS_BOUNDS. */
export type ChaosConfig = Record<ChaosField, number>;

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
