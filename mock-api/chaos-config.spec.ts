import { validateChaosPatch } from './chaos-config.js';

describe(validateChaosPatch.name, () => {
  it('accepts a partial update of known settings within bounds', () => {
    expect(validateChaosPatch({ failure_rate: 0, latency_ms: 60_000 })).toEqual({
      ok: true,
      patch: { failure_rate: 0, latency_ms: 60_000 },
    });
    expect(validateChaosPatch({ rate_limit_rate: 1, malformed_rate: 0.25 })).toMatchObject({
      ok: true,
    });
    expect(validateChaosPatch({})).toEqual({ ok: true, patch: {} });
  });

  it('accepts late arrivals from none to all, up to 7 days late', () => {
    expect(validateChaosPatch({ late_rate: 0.1, late_seconds: 7200 })).toEqual({
      ok: true,
      patch: { late_rate: 0.1, late_seconds: 7200 },
    });
    expect(validateChaosPatch({ late_rate: 1, late_seconds: 604_800 })).toMatchObject({
      ok: true,
    });
    expect(validateChaosPatch({ late_rate: 0, late_seconds: 0 })).toMatchObject({ ok: true });
  });

  it.each([
    [{ failure_rate: 1.01 }, 'failure_rate'],
    [{ failure_rate: -0.1 }, 'failure_rate'],
    [{ failure_rate: '0.5' }, 'failure_rate'],
    [{ failure_rate: null }, 'failure_rate'],
    [{ latency_ms: 60_001 }, 'latency_ms'],
    [{ latency_ms: 1.5 }, 'latency_ms'],
    [{ rate_limit_rate: true }, 'rate_limit_rate'],
    [{ malformed_rate: 2 }, 'malformed_rate'],
    [{ late_rate: 1.5 }, 'late_rate'],
    [{ late_rate: -0.01 }, 'late_rate'],
    [{ late_rate: '0.1' }, 'late_rate'],
    [{ late_seconds: 604_801 }, 'late_seconds'],
    [{ late_seconds: -60 }, 'late_seconds'],
    [{ late_seconds: 1.5 }, 'late_seconds'],
    [{ late_seconds: Number.POSITIVE_INFINITY }, 'late_seconds'],
    [{ chaos_monkey: 1 }, 'chaos_monkey'],
  ])('refuses %p naming %s', (body, field) => {
    const sut = validateChaosPatch(body);
    expect(sut).toEqual({ ok: false, errors: [expect.objectContaining({ field })] });
  });

  it('names every bad field at once', () => {
    const sut = validateChaosPatch({
      failure_rate: 2,
      latency_ms: -1,
      nope: 0,
      malformed_rate: 0.5,
    });
    expect(!sut.ok && sut.errors.map((e) => e.field)).toEqual([
      'failure_rate',
      'latency_ms',
      'nope',
    ]);
  });

  it.each([[null], [[]], ['{}'], [3]])('refuses a body that is not an object: %p', (body) => {
    expect(validateChaosPatch(body)).toMatchObject({ ok: false });
  });
});
