// The SQL of the retention purge. Each batch is its own short transaction holding a
// transaction-level advisory lock, so replicas never purge at the same time and no lock outlives
// a batch; the history's append-only trigger is told this is a declared purge.
import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';

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
  constructor(private readonly dataSource: DataSource) {}

  /**
   * Deletes up to `batch` alerts created more than `days` days ago (their history goes with
   * them), then as many events, quarantine records and finished sync runs of that age. Null
   * when another replica holds the purge lock.
   */
  async purgeBatch(days: number, batch: number): Promise<PurgeCounts | null> {
    return this.dataSource.transaction(async (tx) => {
      const [{ locked }] = await tx.query<Array<{ locked: boolean }>>(
        'SELECT pg_try_advisory_xact_lock($1) AS locked',
        [PURGE_LOCK_KEY],
      );
      if (!locked) return null;
      await tx.query(`SET LOCAL vigil.history_purge = 'on'`);
      const cutoff = `now() - make_interval(days => $1::int)`;
      const [counts] = await tx.query<PurgeCounts[]>(
        `WITH alerts_gone AS (
           DELETE FROM alerts WHERE id IN (
             SELECT id FROM alerts WHERE created_at < ${cutoff} ORDER BY created_at LIMIT $2)
           RETURNING 1
         ), events_gone AS (
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
         SELECT (SELECT count(*)::int FROM alerts_gone) AS alerts,
                (SELECT count(*)::int FROM events_gone) AS events,
                (SELECT count(*)::int FROM quarantine_gone) AS quarantine,
                (SELECT count(*)::int FROM runs_gone) AS "syncRuns"`,
        [days, batch],
      );
      return counts;
    });
  }
}
