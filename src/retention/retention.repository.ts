// The retention purge's own tables (events, quarantine, finished sync runs) and its lock; the
// alerts go through the alert store, in the same transaction. Each batch is its own short
// transaction holding a transaction-level advisory lock, so replicas never purge at the same
// time and no lock outlives a batch.
import { Injectable } from '@nestjs/common';
import type { Transaction } from '../database/database.js';

/** pg_advisory_xact_lock key for "a purge batch is running" ('VGLR'). */
const PURGE_LOCK_KEY = 0x56474c52;

export interface PurgeCounts {
  alerts: number;
  events: number;
  quarantine: number;
  syncRuns: number;
}

@Injectable()
export class RetentionRepository {
  /** Takes the purge lock for the rest of `tx`; false when another replica holds it. */
  async tryLock(tx: Transaction): Promise<boolean> {
    const [{ locked }] = await tx.query<{ locked: boolean }>(
      'SELECT pg_try_advisory_xact_lock($1) AS locked',
      [PURGE_LOCK_KEY],
    );
    return locked;
  }

  /**
   * Deletes up to `batch` each of the events, quarantine records and finished sync runs older
   * than `days` days, oldest first.
   */
  async purgeOlderThan(
    tx: Transaction,
    days: number,
    batch: number,
  ): Promise<Omit<PurgeCounts, 'alerts'>> {
    const cutoff = `now() - make_interval(days => $1::int)`;
    const [counts] = await tx.query<Omit<PurgeCounts, 'alerts'>>(
      `WITH events_gone AS (
         DELETE FROM events WHERE id IN (
           SELECT id FROM events WHERE occurred_at < ${cutoff} ORDER BY occurred_at LIMIT $2)
         RETURNING 1
       ), quarantine_gone AS (
         DELETE FROM quarantine WHERE id IN (
           SELECT id FROM quarantine WHERE received_at < ${cutoff} ORDER BY received_at LIMIT $2)
         RETURNING 1
       ), runs_gone AS (
         DELETE FROM sync_runs WHERE id IN (
           SELECT id FROM sync_runs WHERE result <> 'running' AND finished_at < ${cutoff}
           ORDER BY finished_at LIMIT $2)
         RETURNING 1
       )
       SELECT (SELECT count(*)::int FROM events_gone) AS events,
              (SELECT count(*)::int FROM quarantine_gone) AS quarantine,
              (SELECT count(*)::int FROM runs_gone) AS "syncRuns"`,
      [days, batch],
    );
    return counts;
  }
}
