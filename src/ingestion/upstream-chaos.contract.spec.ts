// The client describes the upstream's chaos settings itself (dto/upstream-chaos.dto.ts) instead of
// importing the simulator's code; this spec is where the two sides meet, so a bound changed on one
// side alone fails here rather than as a 400 from the mock behind a 200 from the service's check.
import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { CHAOS_BOUNDS as MOCK_BOUNDS, validateChaosPatch } from '../../mock-api/chaos-config.js';
import { CHAOS_BOUNDS, UpdateUpstreamChaosDto } from './dto/upstream-chaos.dto.js';

const clientRefuses = (patch: Record<string, number>): boolean =>
  validateSync(plainToInstance(UpdateUpstreamChaosDto, patch)).length > 0;
const mockRefuses = (patch: Record<string, number>): boolean => !validateChaosPatch(patch).ok;

describe('upstream chaos settings: client and mock agree', () => {
  it('names the same settings with the same bounds', () => {
    expect(CHAOS_BOUNDS).toEqual(MOCK_BOUNDS);
  });

  it.each(Object.entries(CHAOS_BOUNDS))(
    '%s: both sides accept and refuse the same values',
    (field, bound) => {
      const step = bound.integer ? 1 : 0.001;
      const probes = [bound.min, bound.max, bound.min - step, bound.max + step];
      if (bound.integer) probes.push(bound.min + 0.5);
      for (const value of probes) {
        const patch = { [field]: value };
        expect({ value, refused: clientRefuses(patch) }).toEqual({
          value,
          refused: mockRefuses(patch),
        });
      }
    },
  );
});
