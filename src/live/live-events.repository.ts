// The statements on `live_events` (see the migration 1764500000200-live-events): reading the feed
// after a position under a snapshot the feed cursor can reason about, a resuming client's backlog,
// and the purge of rows past the resumption window.
import { Injectable } from '@nestjs/common';
import { Database } from '../database/database.js';
import type { FeedSnapshot } from './feed-cursor.js';

export interface FeedRow {
  id: bigint;
  type: string;
  /** The alerts (or incidents) the row's events are about; empty when read without them. */
  ids: string[];
}

interface RawRow {
  xmin: string;
  xmax: string;
  last_id: string;
  id: string | null;
  type: string | null;
  ids: string[] | null;
}

const toRow = (r: { id: string; type: string; ids: string[] | null }): FeedRow => ({
  id: BigInt(r.id),
  type: r.type,
  ids: r.ids ?? [],
});

@Injectable()
export class LiveEventsRepository {
  constructor(private readonly db: Database) {}

  /**
   * Up to `limit` rows after `position`, oldest first, with the snapshot they were read under
   * (one statement, so the rows and the snapshot agree). `withIds` false reads the rows' ids only:
   * what following the feed costs while no client is connected. The table comes before its
   * sequence in the FROM list, so it is locked first, as TRUNCATE … RESTART IDENTITY locks them:
   * the other order deadlocked with the test suite's reset (seen in the fresh-clone CI).
   */
  async readAfter(
    position: bigint,
    limit: number,
    withIds: boolean,
  ): Promise<{ snapshot: FeedSnapshot; rows: FeedRow[] }> {
    const raw = await this.db.query<RawRow>(
      `SELECT pg_snapshot_xmin(s.snap)::text AS xmin, pg_snapshot_xmax(s.snap)::text AS xmax,
         (CASE WHEN q.is_called THEN q.last_value ELSE q.last_value - 1 END)::text AS last_id,
         e.id::text AS id, e.type, e.ids
       FROM (SELECT pg_current_snapshot() AS snap) s
       LEFT JOIN (
         SELECT id, type, CASE WHEN $3 THEN ids END AS ids FROM live_events
         WHERE id > $1 ORDER BY id LIMIT $2
       ) e ON true
       CROSS JOIN live_events_id_seq q
       ORDER BY e.id`,
      [String(position), limit, withIds],
    );
    const [first] = raw;
    return {
      snapshot: {
        xmin: BigInt(first.xmin),
        xmax: BigInt(first.xmax),
        lastId: BigInt(first.last_id),
      },
      rows: raw.filter((r) => r.id !== null).map((r) => toRow(r as Parameters<typeof toRow>[0])),
    };
  }

  /** The newest row's id (0 when the feed is empty): where a replica starts following. */
  async latest(): Promise<bigint> {
    const [row] = await this.db.query<{ id: string }>(
      `SELECT coalesce(max(id), 0)::text AS id FROM live_events`,
    );
    return BigInt(row.id);
  }

  /**
   * A resuming client's backlog: rows `first` … `through` with their ids; `expired` when rows
   * from `first` on may be gone (the purge deletes a prefix of ids, so the oldest row left says
   * what remains: the client was away longer than the window), `too-many` when they hold more
   * than `maxEvents` events (rendering them would cost more than the client reloading its list).
   */
  async backlog(
    first: bigint,
    through: bigint,
    maxEvents: number,
  ): Promise<FeedRow[] | 'expired' | 'too-many'> {
    const [summary] = await this.db.query<{ oldest: string | null; events: number }>(
      `SELECT (SELECT min(id) FROM live_events)::text AS oldest,
         (SELECT coalesce(sum(cardinality(ids)), 0)::int FROM live_events
          WHERE id >= $1 AND id <= $2) AS events`,
      [String(first), String(through)],
    );
    if (summary.oldest === null || BigInt(summary.oldest) > first) return 'expired';
    if (summary.events > maxEvents) return 'too-many';
    const rows = await this.db.query<{ id: string; type: string; ids: string[] }>(
      `SELECT id::text AS id, type, ids FROM live_events WHERE id >= $1 AND id <= $2 ORDER BY id`,
      [String(first), String(through)],
    );
    return rows.map(toRow);
  }

  /**
   * Deletes the rows older than `windowSeconds`, as a prefix of ids (created_at is the writing
   * transaction's start, not quite in id order): a row still present means every later one is.
   */
  purge(windowSeconds: number): Promise<number> {
    return this.db.execute(
      `DELETE FROM live_events WHERE id <= (
         SELECT max(id) FROM live_events WHERE created_at < now() - make_interval(secs => $1))`,
      [windowSeconds],
    );
  }
}
