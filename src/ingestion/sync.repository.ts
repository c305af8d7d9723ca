// All SQL of the sync. A sync runs on one dedicated connection (QueryRunner) that holds the
// session-level advisory lock for its whole duration, and commits each page (alerts, quarantine,
// bookmark, run counters) in one transaction on that connection.
import { Injectable } from '@nestjs/common';
import type { ClientBase } from 'pg';
import { DataSource, QueryRunner } from 'typeorm';
import type { EnrichedAlert } from '../enrichment/enrichment.service.js';
import type { NormalizedAlert } from './alert-normalizer.js';
import type { FailureStreak } from './sync-circuit.js';

/** pg_advisory_lock key for "a sync is running" ('VIGL' as an int). */
const SYNC_LOCK_KEY = 0x5649474c;

export type SyncTrigger = 'startup' | 'schedule' | 'manual';
/** incremental: from the bookmark; reconcile: re-reads a window for alerts that arrived late. */
export type SyncMode = 'incremental' | 'reconcile';
export type SyncResult = 'running' | 'success' | 'failed' | 'interrupted';

export interface QuarantineRow {
  /** SHA-256 of the record's whole JSON text: the same bad record is kept once. */
  hash: Buffer;
  /** The record's JSON text, cut at QUARANTINE_TEXT_MAX characters. */
  text: string;
  /** UTF-8 bytes of the whole text. */
  bytes: number;
  reason: string;
}

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

/** A dedup key of an alert the store may already hold. */
export interface AlertKey {
  source: string;
  externalId: string | null;
  /** Hex; set when externalId is null. */
  fingerprint: string | null;
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

/** The columns of a run, named as SyncRun names them, so rows need no mapping. */
const RUN_COLUMNS = `id, trigger, mode, started_at AS "startedAt", finished_at AS "finishedAt", result,
  fetched, inserted, duplicates, quarantined, late, future_dated AS "futureDated", pages, error, host`;

/**
 * A JSON text as a jsonb parameter in binary format: a version byte (1) and the UTF-8 text. pg
 * sends a Buffer parameter as it is, so the encoding is paid while the previous page commits,
 * not while PostgreSQL waits for this one.
 */
function jsonbParameter(json: string): Buffer {
  const bytes = Buffer.allocUnsafe(Buffer.byteLength(json) + 1);
  bytes[0] = 1;
  bytes.write(json, 1);
  return bytes;
}

/** TypeORM types raw results as `any`; this names what the SQL returns. */
function sql<T>(session: QueryRunner, text: string, params?: unknown[]): Promise<T> {
  return session.query(text, params) as Promise<T>;
}

@Injectable()
export class SyncRepository {
  constructor(private readonly dataSource: DataSource) {}

  async openSession(): Promise<QueryRunner> {
    const runner = this.dataSource.createQueryRunner();
    await runner.connect();
    return runner;
  }

  async tryLock(session: QueryRunner): Promise<boolean> {
    const [row] = await sql<Array<{ locked: boolean }>>(
      session,
      'SELECT pg_try_advisory_lock($1) AS locked',
      [SYNC_LOCK_KEY],
    );
    return row.locked;
  }

  async unlock(session: QueryRunner): Promise<void> {
    await session.query('SELECT pg_advisory_unlock($1)', [SYNC_LOCK_KEY]);
  }

  /** Runs still 'running' while we hold the lock belonged to a process that died. */
  async markOrphansInterrupted(session: QueryRunner): Promise<number> {
    const [, count] = await sql<[unknown, number]>(
      session,
      `UPDATE sync_runs SET result = 'interrupted', finished_at = now(),
         error = coalesce(error, 'the process running this sync stopped before it finished')
       WHERE result = 'running'`,
    );
    return count;
  }

  async startRun(
    session: QueryRunner,
    trigger: SyncTrigger,
    mode: SyncMode,
    host: string,
  ): Promise<string> {
    const [row] = await sql<Array<{ id: string }>>(
      session,
      'INSERT INTO sync_runs (trigger, mode, host) VALUES ($1, $2, $3) RETURNING id',
      [trigger, mode, host],
    );
    return row.id;
  }

  /**
   * Which of `keys` the store already holds, as their positions: a sync skips enriching and
   * sending those (a reconciliation re-reads mostly known alerts). Read on the pool, so it sees
   * what is committed; an alert committed meanwhile is still kept once by the insert's ON
   * CONFLICT, which remains the guarantee.
   */
  async knownAlerts(keys: readonly AlertKey[]): Promise<Set<number>> {
    const ids: [string[], string[], number[]] = [[], [], []];
    const prints: [string[], number[]] = [[], []];
    keys.forEach((key, i) => {
      if (key.externalId !== null) {
        ids[0].push(key.source);
        ids[1].push(key.externalId);
        ids[2].push(i);
      } else if (key.fingerprint !== null) {
        prints[0].push(key.fingerprint);
        prints[1].push(i);
      }
    });
    const rows = await this.dataSource.query<Array<{ i: number }>>(
      `SELECT k.i FROM unnest($1::text[], $2::text[], $3::int[]) AS k(source, external_id, i)
       WHERE EXISTS (SELECT 1 FROM alerts a WHERE a.source = k.source AND a.external_id = k.external_id)
       UNION ALL
       SELECT f.i FROM unnest($4::text[], $5::int[]) AS f(fingerprint, i)
       WHERE EXISTS (SELECT 1 FROM alerts a
                     WHERE a.fingerprint = decode(f.fingerprint, 'hex') AND a.external_id IS NULL)`,
      [...ids, ...prints],
    );
    return new Set(rows.map((r) => r.i));
  }

  /**
   * The run in progress on any replica, if its process still holds the sync lock (a run a killed
   * process left 'running' is no running sync; the next one marks it interrupted).
   */
  async runningRun(): Promise<SyncRun | null> {
    const rows = await this.dataSource.query<SyncRun[]>(
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
    const [row] = await this.dataSource.query<Array<{ at: Date | null }>>(
      `SELECT max(started_at) AS at FROM sync_runs WHERE mode = 'reconcile' AND result <> 'failed'`,
    );
    return row?.at ?? null;
  }

  /** The newest created_at committed; on the sync's own session, or any pool connection. */
  async bookmark(session?: QueryRunner): Promise<Date | null> {
    const rows = (await (session ?? this.dataSource).query(
      'SELECT bookmark FROM sync_state WHERE id = 1',
    )) as Array<{ bookmark: Date | null }>;
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
    const { enrichments } = page;
    const rows = page.alerts.map((a, i) => {
      const e = enrichments[i];
      return [
        a.source,
        a.externalId,
        a.fingerprint,
        a.severity,
        a.description,
        a.createdAt.toISOString(),
        a.srcIp,
        a.dstIp,
        e.country,
        e.user,
        e.enrichmentType,
        e.enrichment,
      ];
    });
    const quarantine = page.quarantine.map((q) => ({
      hash: q.hash.toString('hex'),
      raw: q.text,
      bytes: q.bytes,
      reason: q.reason,
    }));
    return {
      runId: page.runId,
      fetched: page.fetched,
      alertCount: page.alertCount,
      alerts: jsonbParameter(JSON.stringify(rows)),
      quarantine: JSON.stringify(quarantine),
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
   * It goes to the session's pg client directly: pg writes the statement to the socket within
   * query() when the connection is idle, whereas TypeORM's query() first awaits twice, long
   * enough for the sync to start normalising the next page and keep PostgreSQL waiting for this
   * one (about 7 ms a page, a fifth of the commit).
   */
  async commitPage(session: QueryRunner, page: EncodedPage): Promise<PageResult> {
    const client = (session as QueryRunner & { databaseConnection: ClientBase }).databaseConnection;
    const { rows } = await client.query<PageResult>(
      `WITH inserted AS (
         INSERT INTO alerts (source, external_id, fingerprint, severity, description, created_at,
                             src_ip, dst_ip, country, user_name, enrichment_type, enrichment)
         SELECT r->>0, r->>1, decode(r->>2, 'hex'), r->>3, r->>4, (r->>5)::timestamptz,
                (r->>6)::inet, (r->>7)::inet, r->>8, r->>9, r->>10, r->11
         FROM jsonb_array_elements($1::jsonb) AS r
         ON CONFLICT DO NOTHING
         RETURNING source, created_at
       ), quarantined AS (
         INSERT INTO quarantine (run_id, payload_hash, raw, raw_bytes, reason)
         SELECT $3, decode(hash, 'hex'), raw, bytes, reason
         FROM jsonb_to_recordset($2::jsonb) AS q(hash text, raw text, bytes int, reason text)
         ON CONFLICT (payload_hash) DO NOTHING
         RETURNING 1
       ), counted AS (
         SELECT count(*)::int AS n_inserted,
                (count(*) FILTER (WHERE created_at <= $7::timestamptz))::int AS n_late,
                (count(*) FILTER (WHERE created_at > $8::timestamptz))::int AS n_future_dated
         FROM inserted
       ), bookmark AS (
         UPDATE sync_state
         SET bookmark = GREATEST(coalesce(bookmark, $4::timestamptz), $4::timestamptz), updated_at = now()
         WHERE id = 1 AND $4::timestamptz IS NOT NULL
         RETURNING 1
       )
       UPDATE sync_runs SET
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
      [
        page.alerts,
        page.quarantine,
        page.runId,
        page.bookmark,
        page.fetched,
        page.alertCount,
        page.lateUpTo,
        page.futureAfter,
        page.pageDone ? 1 : 0,
      ],
    );
    if (!rows[0]) throw new Error(`sync run ${page.runId} no longer exists`);
    return rows[0];
  }

  /** Null when the run's row is gone (deleted while the sync ran). */
  async finishRun(
    session: QueryRunner,
    runId: string,
    result: SyncResult,
    error: string | null,
  ): Promise<SyncRun | null> {
    const [rows] = await sql<[SyncRun[], number]>(
      session,
      `UPDATE sync_runs SET result = $2, error = $3, finished_at = now() WHERE id = $1 RETURNING ${RUN_COLUMNS}`,
      [runId, result, error],
    );
    return rows[0] ?? null;
  }

  async listRuns(limit: number): Promise<SyncRun[]> {
    const rows: SyncRun[] = await this.dataSource.query(
      `SELECT ${RUN_COLUMNS} FROM sync_runs ORDER BY started_at DESC, id DESC LIMIT $1`,
      [limit],
    );
    return rows;
  }

  /** The newest finished run, and the newest successful one (for /health). */
  async latestFinished(): Promise<{ last: SyncRun | null; lastSuccess: SyncRun | null }> {
    const [last, success] = await Promise.all([
      this.dataSource.query<SyncRun[]>(
        `SELECT ${RUN_COLUMNS} FROM sync_runs WHERE result <> 'running' ORDER BY finished_at DESC LIMIT 1`,
      ),
      this.dataSource.query<SyncRun[]>(
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
      this.dataSource.query<QuarantinedRecord[]>(
        `SELECT id, run_id AS "runId", coalesce(raw, payload::text) AS raw,
                coalesce(raw_bytes, octet_length(payload::text)) AS "rawBytes", reason,
                received_at AS "receivedAt"
         FROM quarantine ORDER BY received_at DESC, id DESC LIMIT $1 OFFSET $2`,
        [limit, offset],
      ),
      this.dataSource.query<Array<{ total: number }>>(
        'SELECT count(*)::int AS total FROM quarantine',
      ),
    ]);
    return { records, total };
  }

  /** Failed runs since the last successful one, on any replica (the circuit breaker's input). */
  async failureStreak(): Promise<FailureStreak> {
    const [row] = await this.dataSource.query<FailureStreak[]>(
      `SELECT count(*)::int AS failures, max(finished_at) AS "lastFailureAt" FROM sync_runs
       WHERE result = 'failed' AND started_at > coalesce(
         (SELECT max(started_at) FROM sync_runs WHERE result = 'success'), '-infinity')`,
    );
    return row;
  }
}
