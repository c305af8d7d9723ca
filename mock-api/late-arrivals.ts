// Late arrivals (chaos late_rate, late_seconds): a late alert keeps its true created_at but is
// hidden until late_seconds after it. Whether alert #i is late is a pure function of
// (seed, i, late_rate), so tests can compute what a page holds at any clock. Only alerts created
// in the last late_seconds can be hidden, so everything older needs no hashing at all.
import type { AlertTimeline } from './alert-timeline.js';
import type { ChaosConfig } from './chaos-config.js';
import { unitHash } from './prng.js';

export type LateSettings = Pick<ChaosConfig, 'late_rate' | 'late_seconds'>;

// Keeps the late decision independent of the alert's own draws and of malformed_rate's.
const LATE_SALT = 0x6c617465;

/** True when alert #index arrives late at `lateRate`. Raising the rate only adds alerts. */
export function isLate(seed: number, index: number, lateRate: number): boolean {
  return lateRate > 0 && unitHash(seed, index, LATE_SALT) < lateRate;
}

/** Epoch ms from which /alerts serves alert #index, created at `createdAtMs`. */
export function visibleFrom(
  seed: number,
  index: number,
  createdAtMs: number,
  late: LateSettings,
): number {
  return isLate(seed, index, late.late_rate) ? createdAtMs + late.late_seconds * 1000 : createdAtMs;
}

/**
 * The alerts that exist at `now` are [0, to). Those in [from, to) were created within the last
 * late_seconds and are hidden if late; those below `from` are visible whatever they are.
 * `from === to` when nothing can be hidden.
 */
export function lateWindow(
  timeline: AlertTimeline,
  now: number,
  late: LateSettings,
): { from: number; to: number } {
  const to = timeline.availableAt(now);
  if (late.late_rate <= 0 || late.late_seconds <= 0) return { from: to, to };
  return { from: timeline.firstAtOrAfter(now - late.late_seconds * 1000 + 1, to), to };
}

/** The indices that exist at `now` but are not served yet because they are late, ascending. */
export function hiddenIndices(
  seed: number,
  timeline: AlertTimeline,
  now: number,
  late: LateSettings,
): number[] {
  const { from, to } = lateWindow(timeline, now, late);
  const hidden: number[] = [];
  for (let index = from; index < to; index++) {
    if (isLate(seed, index, late.late_rate)) hidden.push(index);
  }
  return hidden;
}
