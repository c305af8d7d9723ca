// How far the live feed has been read, and which rows it may hand on without ever skipping one
// that commits later. Row ids come from a sequence, so they are taken in order but may commit out
// of order: with rows 7 and 9 visible, 8 may belong to a transaction still running (or to one
// that rolled back and never will). The cursor hands on the rows up to the first such gap and
// waits there until every transaction that could own the gap has ended: the ids below a visible
// row were taken before it, by transactions older than the snapshot that saw it (xid < its xmax),
// so once a later snapshot's xmin reaches that xmax, the gap is either filled or final.
// Pure: the hub reads rows and snapshots, this decides.

export interface FeedSnapshot {
  /** The oldest transaction still running (pg_snapshot_xmin). */
  xmin: bigint;
  /** The first transaction id not yet assigned (pg_snapshot_xmax). */
  xmax: bigint;
  /** The last id the feed's sequence handed out (below the position: the table was emptied). */
  lastId: bigint;
}

export type Advance<R> =
  | { reset: false; rows: R[] }
  /** The sequence went back (TRUNCATE … RESTART IDENTITY): reading starts again from 0. */
  | { reset: true; rows: R[] };

export class FeedCursor {
  private gap: { at: bigint; horizon: bigint } | undefined;

  constructor(private read: bigint) {}

  /** Every row up to here has been handed on or is known never to exist. */
  get position(): bigint {
    return this.read;
  }

  /** Whether a gap holds rows back (the next read should not wait for a notification). */
  get waiting(): boolean {
    return this.gap !== undefined;
  }

  /**
   * The rows to hand on, in order, from `rows` (ascending, all after the position, read under
   * `snapshot`); the position moves past them.
   */
  advance<R extends { id: bigint }>(rows: readonly R[], snapshot: FeedSnapshot): Advance<R> {
    if (snapshot.lastId < this.read) {
      this.read = 0n;
      this.gap = undefined;
      return { reset: true, rows: this.advance(rows, snapshot).rows };
    }
    const taken: R[] = [];
    let expected = this.read + 1n;
    for (const row of rows) {
      if (row.id < expected) continue; // (read before a reset, or twice)
      if (row.id > expected) {
        const settled = this.gap?.at === expected && snapshot.xmin >= this.gap.horizon;
        if (!settled) {
          if (this.gap?.at !== expected) this.gap = { at: expected, horizon: snapshot.xmax };
          break;
        }
        this.gap = undefined;
      }
      taken.push(row);
      expected = row.id + 1n;
    }
    if (taken.length > 0) {
      this.read = expected - 1n;
      if (this.gap && this.gap.at <= this.read) this.gap = undefined;
    }
    return { reset: false, rows: taken };
  }
}
