import { FeedCursor, type FeedSnapshot } from './feed-cursor.js';

const rows = (...ids: number[]) => ids.map((id) => ({ id: BigInt(id) }));
const ids = (taken: { id: bigint }[]) => taken.map((r) => Number(r.id));
const snap = (xmin: number, xmax: number, lastId = 1_000): FeedSnapshot => ({
  xmin: BigInt(xmin),
  xmax: BigInt(xmax),
  lastId: BigInt(lastId),
});

describe(FeedCursor.name, () => {
  it('hands on contiguous rows and moves past them', () => {
    const sut = new FeedCursor(4n);
    expect(ids(sut.advance(rows(5, 6, 7), snap(100, 100)).rows)).toEqual([5, 6, 7]);
    expect(sut.position).toBe(7n);
    expect(sut.waiting).toBe(false);
    expect(ids(sut.advance(rows(), snap(100, 100)).rows)).toEqual([]);
    expect(sut.position).toBe(7n);
  });

  it('stops at a gap while a transaction that could own it runs, then hands on the late row first', () => {
    const sut = new FeedCursor(0n);
    // Row 2 is taken by transaction 50, still running when 1 and 3 are read (xmax 60).
    expect(ids(sut.advance(rows(1, 3), snap(50, 60)).rows)).toEqual([1]);
    expect(sut.waiting).toBe(true);
    expect(sut.position).toBe(1n);
    // Transaction 50 still runs: 3 stays held back.
    expect(ids(sut.advance(rows(3, 4), snap(50, 70)).rows)).toEqual([]);
    // It committed: 2 is there, and everything follows in order.
    expect(ids(sut.advance(rows(2, 3, 4), snap(70, 70)).rows)).toEqual([2, 3, 4]);
    expect(sut.waiting).toBe(false);
  });

  it('skips a gap left by a rollback once every older transaction has ended', () => {
    const sut = new FeedCursor(0n);
    expect(ids(sut.advance(rows(1, 3), snap(50, 60)).rows)).toEqual([1]);
    // Newer transactions (60+) may run; they cannot own id 2.
    expect(ids(sut.advance(rows(3, 5), snap(60, 65)).rows)).toEqual([3]);
    // 4 is a new gap, seen under xmax 65: waits for transactions below 65 again.
    expect(sut.waiting).toBe(true);
    expect(ids(sut.advance(rows(5), snap(64, 66)).rows)).toEqual([]);
    expect(ids(sut.advance(rows(5), snap(65, 66)).rows)).toEqual([5]);
    expect(sut.position).toBe(5n);
  });

  it('keeps the horizon of the snapshot that first saw the gap', () => {
    const sut = new FeedCursor(0n);
    sut.advance(rows(2), snap(10, 20));
    // A later look at the same gap must not push the horizon out (it would wait forever under load).
    expect(ids(sut.advance(rows(2), snap(15, 30)).rows)).toEqual([]);
    expect(ids(sut.advance(rows(2), snap(20, 40)).rows)).toEqual([2]);
  });

  it('starts again from 0 when the sequence went back (the table was emptied)', () => {
    const sut = new FeedCursor(40n);
    const result = sut.advance(rows(1, 2), snap(5, 5, 2));
    expect(result.reset).toBe(true);
    expect(ids(result.rows)).toEqual([1, 2]);
    expect(sut.position).toBe(2n);
  });
});
