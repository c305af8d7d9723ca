import fc from 'fast-check';
import {
  classifyResponse,
  MAX_RETRY_AFTER_SECONDS,
  networkFailure,
  parseRetryAfter,
  verdict,
} from './delivery-policy.js';

const NOW = new Date('2026-12-06T12:00:00Z');
const SCHEDULE = [5, 30, 120];

describe('classifyResponse', () => {
  it('delivers on any 2xx', () => {
    for (const status of [200, 201, 202, 204, 299])
      expect(classifyResponse(status, {}, '')).toEqual({ kind: 'delivered', status });
  });

  it('retries 408, 429 and 5xx, keeping a short excerpt of the answer', () => {
    for (const status of [408, 429, 500, 502, 503, 599]) {
      const result = classifyResponse(status, {}, `  busy\n\n${'x'.repeat(500)}`);
      expect(result.kind).toBe('retryable');
      if (result.kind === 'retryable') {
        expect(result.error.startsWith(`HTTP ${status}: busy x`)).toBe(true);
        expect(result.error.length).toBeLessThanOrEqual(`HTTP ${status}: `.length + 200);
      }
    }
  });

  it('fails other answers at once, redirects included (they are not followed)', () => {
    expect(classifyResponse(400, {}, 'bad')).toEqual({
      kind: 'rejected',
      status: 400,
      error: 'HTTP 400: bad',
    });
    expect(classifyResponse(410, {}, '')).toEqual({
      kind: 'rejected',
      status: 410,
      error: 'HTTP 410',
    });
    expect(classifyResponse(302, { location: 'http://elsewhere/' }, '')).toEqual({
      kind: 'rejected',
      status: 302,
      error: 'HTTP 302: redirect to http://elsewhere/ not followed',
    });
  });

  it("reads a 429's Retry-After", () => {
    expect(classifyResponse(429, { retryAfter: '42' }, '', NOW)).toMatchObject({
      retryAfterSeconds: 42,
    });
  });
});

describe('parseRetryAfter', () => {
  it('takes delta-seconds and HTTP dates, capped at a day; nothing else', () => {
    expect(parseRetryAfter('120', NOW)).toBe(120);
    expect(parseRetryAfter('Sun, 06 Dec 2026 12:01:30 GMT', NOW)).toBe(90);
    expect(parseRetryAfter('Sun, 06 Dec 2026 11:00:00 GMT', NOW)).toBe(0);
    expect(parseRetryAfter('999999999', NOW)).toBe(MAX_RETRY_AFTER_SECONDS);
    expect(parseRetryAfter('soon', NOW)).toBeNull();
    expect(parseRetryAfter('-5', NOW)).toBeNull();
    expect(parseRetryAfter(null, NOW)).toBeNull();
  });
});

describe('verdict', () => {
  const failure = networkFailure('ECONNREFUSED');

  it('waits the schedule for attempt n, within ±20 %', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: SCHEDULE.length }),
        fc.double({ min: 0, max: 0.999999, noNaN: true }),
        (attempts, random) => {
          const next = verdict(failure, attempts, SCHEDULE, () => random);
          expect(next.kind).toBe('retry');
          if (next.kind !== 'retry') return;
          const base = SCHEDULE[attempts - 1];
          expect(next.delaySeconds).toBeGreaterThanOrEqual(base * 0.8);
          expect(next.delaySeconds).toBeLessThan(base * 1.2);
        },
      ),
    );
  });

  it('gives up after the first attempt and one retry per scheduled delay', () => {
    const last = verdict(failure, SCHEDULE.length + 1, SCHEDULE);
    expect(last).toEqual({
      kind: 'failed',
      status: null,
      error: 'ECONNREFUSED (gave up after 4 attempts)',
    });
    expect(verdict(failure, 1, [])).toMatchObject({ kind: 'failed' });
  });

  it('lets a longer Retry-After win, and a shorter one not', () => {
    const busy = classifyResponse(429, { retryAfter: '600' }, '');
    expect(verdict(busy, 1, SCHEDULE, () => 0.5)).toMatchObject({
      kind: 'retry',
      delaySeconds: 600,
    });
    const soon = classifyResponse(429, { retryAfter: '1' }, '');
    expect(verdict(soon, 2, SCHEDULE, () => 0.5)).toMatchObject({
      kind: 'retry',
      delaySeconds: 30,
    });
  });

  it('fails a rejected attempt whatever the schedule left', () => {
    expect(verdict(classifyResponse(404, {}, ''), 1, SCHEDULE)).toEqual({
      kind: 'failed',
      status: 404,
      error: 'HTTP 404',
    });
    expect(verdict(classifyResponse(204, {}, ''), 3, SCHEDULE)).toEqual({
      kind: 'delivered',
      status: 204,
    });
  });
});
