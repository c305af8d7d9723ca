// Small, fast, seedable randomness. Every alert is derived from hash32(seed, index, ...), so alert
// #i can be rebuilt on demand without generating alerts 0..i-1 first.

const GOLDEN = 0x9e3779b9;
// Bound once: each alert makes ~50 of these calls, and a global lookup is slow inside a vm
// context (Jest runs the specs in one), several times slower than the arithmetic itself.
const { floor, imul } = Math;

/** MurmurHash3's 32-bit finaliser: a bijective avalanche of one 32-bit word. */
function fmix32(value: number): number {
  let h = value >>> 0;
  h ^= h >>> 16;
  h = imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/**
 * Hashes non-negative integers (each up to 2^53) to an unsigned 32-bit integer. Numbers above
 * 2^32 contribute both halves, so index 2^32 + 1 does not collide with index 1.
 */
export function hash32(...values: number[]): number {
  let h = GOLDEN;
  for (const value of values) {
    const low = value >>> 0;
    const high = floor(value / 0x1_0000_0000) >>> 0;
    h = fmix32(imul(h ^ low, 0xcc9e2d51) + GOLDEN);
    if (high !== 0) h = fmix32(imul(h ^ high, 0x1b873593) + GOLDEN);
  }
  return fmix32(h ^ values.length);
}

/** hash32 scaled to [0, 1). */
export function unitHash(...values: number[]): number {
  return hash32(...values) / 0x1_0000_0000;
}

/** mulberry32: a 32-bit-state generator of floats in [0, 1), plenty for fake telemetry. */
export function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = imul(t ^ (t >>> 15), t | 1);
    t ^= t + imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 0x1_0000_0000;
  };
}

/** Helpers over one generator, in the order an alert draws its fields. */
export class Draw {
  constructor(private readonly next: () => number) {}

  /** True with probability `p`. */
  chance(p: number): boolean {
    return this.next() < p;
  }

  /** An integer in [min, max]. */
  int(min: number, max: number): number {
    return min + floor(this.next() * (max - min + 1));
  }

  pick<T>(items: readonly T[]): T {
    return items[floor(this.next() * items.length)];
  }

  /** Picks by weight: `[[value, weight], ...]` (weights need not sum to 1). */
  weighted<T>(items: readonly (readonly [T, number])[]): T {
    let total = 0;
    for (const [, weight] of items) total += weight;
    let r = this.next() * total;
    for (const [value, weight] of items) {
      r -= weight;
      if (r < 0) return value;
    }
    return items[items.length - 1][0];
  }
}
