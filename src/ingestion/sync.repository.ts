// The sync's own SQL (runs, bookmark, quarantine). A sync runs on one dedicated connection (a
// Session) that holds the session-level advisory lock for its whole duration, and commits each
// page (alerts through the alert store, quarantine, bookmark, run counters) in one statement on
// that connection.
import { Injectable } from '@nestjs/common';
import { AlertStore } from '../alerts/alert.store.js';
import { Database, type Session } from '../database/database.js';
import type { EnrichedAlert } from '../enrichment/enrichment.service.js';
import type { NormalizedAlert } from './alert-normalizer.js';
import { quarantinedCte } from './quarantine-sql.js';
import { encodeAlerts, encodeQuarantine, type QuarantineRow } from './record-screening.js';
import type { FailureStreak } from './sync-circuit.js';

/** pg_advisory_lock key for "a sync is running" ('VIGL' as an int). */
const SYNC_LOCK_KEY = 0x5649474c;

export type SyncTrigger = 'startup' | 'schedule' | 'manual';
/** incremental: from the bookmark; reconcile: re-reads a window for alerts that arrived late. */
export type SyncMode = 'incremental' | 'reconcile';
export type SyncResult = 'running' | 'success' | 'failed' | 'interrupted';

/**
 * One batch of a page (a page is committed in batches of at most SYNC_PAGE_SIZE records, so a
 * page of any length costs the memory of one batch).
 */
export interface PageCommit {
  runId: string;
  /** Records of the batch, valid or not. */
  fetched: number;
  /** How many of them were valid alerts (new, duplicates and known). */
  alertCount: number;
  /** The alerts to insert (known duplicates left out), and their enrichment, in the same order. */
  alerts: readonly NormalizedAlert[];
  enrichments: readonly EnrichedAlert[];
  quarantine: readonly QuarantineRow[];
  /** Where the bookmark moves: set on a page's last batch only, null when it stays. */
  bookmark: Date | null;
  /** The last batch of its page (the run counts a page then). */
  pageDone: boolean;
  /** Alerts created at or before this instant that the batch stores were missed earlier: late. */
  lateUpTo: Date | null;
  /** Alerts created after this instant are counted as future-dated (clock skew). */
  futureAfter: Date;
}

export interface PageResult {
  inserted: number;
  quarantined: number;
  /** New alerts that earlier syncs had missed (created at or before the run's first bookmark). */
  late: number;
  /** New alerts dated more than SYNC_MAX_FUTURE_SECONDS ahead of the service's clock. */
  futureDated: number;
  /** New alerts of the page by source (duplicates not counted). */
  insertedBySource: Record<string, number>;
}

/** A page ready to commit: its rows already serialised the way the commit statement reads them. */
export interface EncodedPage {
  runId: string;
  fetched: number;
  /** How many valid alerts the batch had (inserted + duplicates). */
  alertCount: number;
  /** The JSON array of alert rows in jsonb's binary wire format (see jsonbParameter). */
  alerts: Buffer;
  /** JSON array of quarantine rows. */
  quarantine: string;
  bookmark: Date | null;
  pageDone: boolean;
  lateUpTo: Date | null;
  futureAfter: Date;
}

export interface SyncRun {
  id: string;
  trigger: SyncTrigger;
  mode: SyncMode;
  startedAt: Date;
  finishedAt: Date | null;
  result: SyncResult;
  fetched: number;
  inserted: number;
  duplicates: number;
  quarantined: number;
  late: number;
  futureDated: number;
  pages: number;
  error: string | null;
  host: string | null;
}

export interface QuarantinedRecord {
  id: string;
  runId: string | null;
  /** The record's JSON text (cut at QUARANTINE_TEXT_MAX characters). */
  raw: string;
  /** UTF-8 bytes of the record's whole JSON text. */
  rawBytes: number;
  reason: string;
  receivedAt: Date;
}

/** A page's quarantine rows ($2) for its run ($3). */
const PAGE_QUARANTINED = quarantinedCte('$2', '$3');

/** The columns of a run, named as SyncRun names them, so rows need no mapping. */
const RUN_COLUMNS = `id, trigger, mode, started_at AS "startedAt", finished_at AS "finishedAt", result,
  fetched, inserted, duplicates, quarantined, late, future_dated AS "futureDated", pages, error, host`;

@Injectable()
export class SyncRepository {
  constructor(
    private readonly db: Database,
    private readonly alerts: AlertStore,
  ) {}

  openSession(): Promise<Session> {
    return this.db.session();
  }

  async tryLock(session: Session): Promise<boolean> {
    const [row] = await session.query<{ locked: boolean }>(
      'SELECT pg_try_advisory_lock($1) AS locked',
      [SYNC_LOCK_KEY],
    );
    return row.locked;
  }

  async unlock(session: Session): Promise<void> {
    await session.query('SELECT pg_advisory_unlock($1)', [SYNC_LOCK_KEY]);
  }

  /** Runs still 'running' while we hold the lock belonged to a process that died. */
  markOrphansInterrupted(session: Session): Promise<number> {
    return session.execute(
      `UPDATE sync_runs SET result = 'interrupted', finished_at = now(),
         error = coalesce(error, 'the process running this sync stopped before it finished')
       WHERE result = 'running'`,
    );
  }

  async startRun(
    session: Session,
    trigger: SyncTrigger,
    mode: SyncMode,
    host: string,
  ): Promise<string> {
    const [row] = await session.query<{ id: string }>(
      'INSERT INTO sync_runs (trigger, mode, host) VALUES ($1, $2, $3) RETURNING id',
      [trigger, mode, host],
    );
    return row.id;
  }

  /**
   * The run in progress on any replica, if its process still holds the sync lock (a run a killed
   * process left 'running' is no running sync; the next one marks it interrupted).
   */
  async runningRun(): Promise<SyncRun | null> {
    const rows = await this.db.query<SyncRun>(
      `SELECT ${RUN_COLUMNS} FROM sync_runs
       WHERE result = 'running' AND EXISTS (
         SELECT 1 FROM pg_locks
         WHERE locktype = 'advisory' AND granted AND classid = 0 AND objid = $1 AND objsubid = 1)
       ORDER BY started_at DESC LIMIT 1`,
      [SYNC_LOCK_KEY],
    );
    return rows[0] ?? null;
  }

  /** When the newest reconciliation that did not fail started, on any replica. */
  async lastReconcileStartedAt(): Promise<Date | null> {
    const [row] = await this.db.query<{ at: Date | null }>(
      `SELECT max(started_at) AS at FROM sync_runs WHERE mode = 'reconcile' AND result <> 'failed'`,
    );
    return row?.at ?? null;
  }

  /** The newest created_at committed; on the sync's own session, or any pool connection. */
  async bookmark(session?: Session): Promise<Date | null> {
    const rows = await (session ?? this.db).query<{ bookmark: Date | null }>(
      'SELECT bookmark FROM sync_state WHERE id = 1',
    );
    return rows[0]?.bookmark ?? null;
  }

  /**
   * Serialises a page for commitPage: pure and synchronous, so a sync encodes a page while the
   * previous one commits and then holds a buffer and a string, not thousands of objects, until
   * its turn. Each alert is a JSON array in the column order of commitPage's INSERT: read back by
   * position, PostgreSQL parses a page in about 60% of the time objects with keys took
   * (jsonb_to_recordset).
   */
  encodePage(page: PageCommit): EncodedPage {
    return {
      runId: page.runId,
      fetched: page.fetched,
      alertCount: page.alertCount,
      alerts: encodeAlerts(page.alerts, page.enrichments),
      quarantine: encodeQuarantine(page.quarantine),
      bookmark: page.bookmark,
      pageDone: page.pageDone,
      lateUpTo: page.lateUpTo,
      futureAfter: page.futureAfter,
    };
  }

  /**
   * One page, atomically and in one statement (a single statement is its own transaction): new
   * alerts, new quarantine records, the bookmark and the run's counters. Rows travel as one JSON
   * parameter (see encodePage), which costs far less to build than a dozen escaped arrays.
   *
   * The alerts go through the store (its `inserted` CTE); this adds the sync's tables. The
   * statement is written to the session's socket within the call: the sync normalises the next
   * page meanwhile, and PostgreSQL never waits for it (a TypeORM-style query path that awaited
   * first cost about 7 ms a page, a fifth of the commit).
   */
  async commitPage(session: Session, page: EncodedPage): Promise<PageResult> {
    const rows = await this.alerts.insertPage<PageResult>(session, page.alerts, {
      ctes: `${PAGE_QUARANTINED}, counted AS (
         SELECT count(*)::int AS n_inserted,
                (count(*) FILTER (WHERE created_at <= $7::timestamptz))::int AS n_late,
                (count(*) FILTER (WHERE created_at > $8::timestamptz))::int AS n_future_dated
         FROM inserted
       ), bookmark AS (
         UPDATE sync_state
         SET bookmark = GREATEST(coalesce(bookmark, $4::timestamptz), $4::timestamptz), updated_at = now()
         WHERE id = 1 AND $4::timestamptz IS NOT NULL
         RETURNING 1
       )`,
      final: `UPDATE sync_runs SET
         pages = pages + $9::int,
         fetched = fetched + $5,
         inserted = inserted + counted.n_inserted,
         duplicates = duplicates + $6 - counted.n_inserted,
         quarantined = quarantined + (SELECT count(*) FROM quarantined),
         late = late + counted.n_late,
         future_dated = future_dated + counted.n_future_dated
       FROM counted
       WHERE id = $3
       RETURNING counted.n_inserted AS inserted,
                 (SELECT count(*) FROM quarantined)::int AS quarantined,
                 counted.n_late AS late,
                 counted.n_future_dated AS "futureDated",
                 (SELECT coalesce(jsonb_object_agg(source, n), '{}')
                  FROM (SELECT source, count(*)::int AS n FROM inserted GROUP BY source) s)
                   AS "insertedBySource"`,
      params: [
        page.quarantine,
        page.runId,
        page.bookmark,
        page.fetched,
        page.alertCount,
        page.lateUpTo,
        page.futureAfter,
        page.pageDone ? 1 : 0,
      ],
    });
    if (!rows[0]) throw new Error(`sync run ${page.runId} no longer exists`);
    return rows[0];
  }

  /** Null when the run's row is gone (deleted while the sync ran). */
  async finishRun(
    session: Session,
    runId: string,
    result: SyncResult,
    error: string | null,
  ): Promise<SyncRun | null> {
    const rows = await session.query<SyncRun>(
      `UPDATE sync_runs SET result = $2, error = $3, finished_at = now() WHERE id = $1 RETURNING ${RUN_COLUMNS}`,
      [runId, result, error],
    );
    return rows[0] ?? null;
  }

  async listRuns(limit: number): Promise<SyncRun[]> {
    const rows = await this.db.query<SyncRun>(
      `SELECT ${RUN_COLUMNS} FROM sync_runs ORDER BY started_at DESC, id DESC LIMIT $1`,
      [limit],
    );
    return rows;
  }

  /** The newest finished run, and the newest successful one (for /health). */
  async latestFinished(): Promise<{ last: SyncRun | null; lastSuccess: SyncRun | null }> {
    const [last, success] = await Promise.all([
      this.db.query<SyncRun>(
        `SELECT ${RUN_COLUMNS} FROM sync_runs WHERE result <> 'running' ORDER BY finished_at DESC LIMIT 1`,
      ),
      this.db.query<SyncRun>(
        `SELECT ${RUN_COLUMNS} FROM sync_runs WHERE result = 'success' ORDER BY finished_at DESC LIMIT 1`,
      ),
    ]);
    return {
      last: last[0] ?? null,
      lastSuccess: success[0] ?? null,
    };
  }

  async listQuarantine(
    limit: number,
    offset: number,
  ): Promise<{ records: QuarantinedRecord[]; total: number }> {
    const [records, [{ total }]] = await Promise.all([
      // Records quarantined before raw text was kept have only their jsonb payload.
      this.db.query<QuarantinedRecord>(
        `SELECT id, run_id AS "runId", coalesce(raw, payload::text) AS raw,
                coalesce(raw_bytes, octet_length(payload::text)) AS "rawBytes", reason,
                received_at AS "receivedAt"
         FROM quarantine ORDER BY received_at DESC, id DESC LIMIT $1 OFFSET $2`,
        [limit, offset],
      ),
      this.db.query<{ total: number }>('SELECT count(*)::int AS total FROM quarantine'),
    ]);
    return { records, total };
  }

  /** Failed runs since the last successful one, on any replica (the circuit breaker's input). */
  async failureStreak(): Promise<FailureStreak> {
    const [row] = await this.db.query<FailureStreak>(
      `SELECT count(*)::int AS failures, max(finished_at) AS "lastFailureAt" FROM sync_runs
       WHERE result = 'failed' AND started_at > coalesce(
         (SELECT max(started_at) FROM sync_runs WHERE result = 'success'), '-infinity')`,
    );
    return row;
  }
}
