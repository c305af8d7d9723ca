// When alert #i was created. Index 0..backlog-1 is the backlog, spread evenly over the 24 h before
// the mock started; index backlog+k is the k-th live arrival at startedAt + k * 60000 / rate.
// created_at never decreases with the index, so "since" is a binary search, not a scan, and
// nothing is ever materialised.

export const DAY_MS = 86_400_000;
/** index * DAY_MS stays a safe integer up to here. */
export const MAX_BACKLOG = 100_000_000;
/** 10,000 alerts a second. */
export const MAX_RATE = 600_000;

// Bound once: createdAt runs per alert served (see prng.ts).
const { floor } = Math;

export interface TimelineOptions {
  /** Epoch milliseconds the mock started at. */
  startedAt: number;
  backlog: number;
  /** Live arrivals per minute; 0 turns them off. */
  ratePerMinute: number;
}

export class AlertTimeline {
  readonly startedAt: number;
  readonly backlog: number;
  readonly ratePerMinute: number;

  constructor({ startedAt, backlog, ratePerMinute }: TimelineOptions) {
    if (!Number.isSafeInteger(startedAt)) throw new RangeError('startedAt must be epoch ms');
    if (!Number.isSafeInteger(backlog) || backlog < 0 || backlog > MAX_BACKLOG) {
      throw new RangeError(`backlog must be an integer 0..${MAX_BACKLOG}`);
    }
    if (!Number.isFinite(ratePerMinute) || ratePerMinute < 0 || ratePerMinute > MAX_RATE) {
      throw new RangeError(`ratePerMinute must be 0..${MAX_RATE}`);
    }
    this.startedAt = startedAt;
    this.backlog = backlog;
    this.ratePerMinute = ratePerMinute;
  }

  /** created_at of alert #index, epoch ms. */
  createdAt(index: number): number {
    if (index < this.backlog) {
      return this.startedAt - DAY_MS + floor((index * DAY_MS) / this.backlog);
    }
    return this.startedAt + floor(((index - this.backlog) * 60_000) / this.ratePerMinute);
  }

  /** How many alerts exist at `now`: the backlog plus every arrival with created_at <= now. */
  availableAt(now: number): number {
    if (this.ratePerMinute === 0 || now < this.startedAt) return this.backlog;
    // An estimate from the rate, then corrected against createdAt itself so that rounding can
    // never disagree with what a page shows.
    let k = floor(((now - this.startedAt) * this.ratePerMinute) / 60_000);
    while (this.createdAt(this.backlog + k + 1) <= now) k++;
    while (k >= 0 && this.createdAt(this.backlog + k) > now) k--;
    return this.backlog + k + 1;
  }

  /** The lowest index in [0, end) created at or after `ms`; `end` when there is none. */
  firstAtOrAfter(ms: number, end: number): number {
    let low = 0;
    let high = end;
    while (low < high) {
      const mid = floor((low + high) / 2);
      if (this.createdAt(mid) < ms) low = mid + 1;
      else high = mid;
    }
    return low;
  }
}
