// The ingestion pipeline: one sync follows the upstream's pages from the bookmark to the end,
// normalising, enriching and committing each page with the advanced bookmark in one transaction.
// A crash at any point leaves whole pages committed and the bookmark where they end, so the next
// sync (which starts SYNC_OVERLAP_SECONDS before the bookmark) neither loses nor doubles an alert.
import { BeforeApplicationShutdown, Inject, Injectable, Logger } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { createHash } from 'node:crypto';
import { hostname } from 'node:os';
import type { QueryRunner } from 'typeorm';
import { ingestionConfig } from '../config/ingestion.config.js';
import { EnrichmentService } from '../enrichment/enrichment.service.js';
import { MetricsService } from '../metrics/metrics.service.js';

import { normalizeAlert, NormalizedAlert } from './alert-normalizer.js';
import { SyncAlreadyRunningError } from './sync-already-running.error.js';
import {
  EncodedPage,
  QuarantineRow,
  SyncRepository,
  SyncRun,
  SyncTrigger,
} from './sync.repository.js';
import { PageRequest, UpstreamClient, UpstreamPage } from './upstream.client.js';

@Injectable()
export class SyncService implements BeforeApplicationShutdown {
  private readonly logger = new Logger(SyncService.name);
  private readonly host = `${hostname()}:${process.pid}`;
  /** In-process guard: the advisory lock is no mutex on embedded PGlite (one backend). */
  private active: { runId: string; done: Promise<SyncRun> } | null = null;
  private starting = false;
  private stopping = false;

  constructor(
    private readonly repository: SyncRepository,
    private readonly upstream: UpstreamClient,
    private readonly enrichment: EnrichmentService,
    private readonly metrics: MetricsService,
    @Inject(ingestionConfig.KEY) private readonly config: ConfigType<typeof ingestionConfig>,
  ) {}

  get running(): boolean {
    return this.active !== null || this.starting;
  }

  /**
   * Starts a sync and returns its run id as soon as it holds the cluster-wide lock; the pages are
   * processed in the background. Throws SyncAlreadyRunningError when one runs anywhere.
   */
  async start(trigger: SyncTrigger): Promise<{ runId: string; done: Promise<SyncRun> }> {
    if (this.running || this.stopping) throw new SyncAlreadyRunningError();
    this.starting = true;
    let session: QueryRunner | undefined;
    try {
      session = await this.repository.openSession();
      if (!(await this.repository.tryLock(session))) throw new SyncAlreadyRunningError();
      const orphans = await this.repository.markOrphansInterrupted(session);
      if (orphans)
        this.logger.warn(`Marked ${orphans} sync run(s) of a stopped process as interrupted`);
      const runId = await this.repository.startRun(session, trigger, this.host);
      const locked = session;
      const done = this.execute(locked, runId).finally(() => this.release(locked));
      this.active = { runId, done };
      return this.active;
    } catch (error) {
      if (session) await this.release(session);
      throw error;
    } finally {
      this.starting = false;
    }
  }

  private async release(session: QueryRunner): Promise<void> {
    this.active = null;
    try {
      await this.repository.unlock(session);
    } catch (error) {
      this.logger.warn(
        { err: error },
        'Could not release the sync lock (it goes with the connection)',
      );
    } finally {
      await session.release();
    }
  }

  /** Never rejects: whatever happens, the run ends recorded (if it can be) and the lock is freed. */
  private async execute(session: QueryRunner, runId: string): Promise<SyncRun> {
    const started = new Date();
    let result: 'success' | 'failed' | 'interrupted' = 'success';
    let error: string | null = null;
    try {
      const bookmark = await this.repository.bookmark(session);
      const since = bookmark
        ? new Date(bookmark.getTime() - this.config.overlapSeconds * 1000)
        : new Date(Date.now() - this.config.lookbackHours * 3600 * 1000);
      await this.followPages(session, runId, { since, limit: this.config.pageSize, cursor: null });
      if (this.stopping) result = 'interrupted';
    } catch (failure) {
      result = 'failed';
      error = failure instanceof Error ? failure.message : String(failure);
      this.logger.error({ err: failure, runId }, 'Sync failed');
    }
    let run: SyncRun | null = null;
    try {
      run = await this.repository.finishRun(session, runId, result, error);
    } catch (failure) {
      this.logger.error({ err: failure, runId }, 'Could not record the end of a sync run');
    }
    run ??= { ...EMPTY_RUN, id: runId, startedAt: started, finishedAt: new Date(), result, error };
    this.metrics.syncFinished({ result, durationSeconds: (Date.now() - started.getTime()) / 1000 });
    this.logger.log(
      {
        runId,
        result,
        fetched: run.fetched,
        inserted: run.inserted,
        duplicates: run.duplicates,
        quarantined: run.quarantined,
        durationMs: Date.now() - started.getTime(),
      },
      'Sync finished',
    );
    return run;
  }

  /**
   * A three-stage pipeline: page n+2 is fetched and page n+1 normalised, enriched and encoded
   * while page n commits, so the commit of n+1 can go out the moment n's returns. Commits stay
   * strictly in page order on the locked connection, so the bookmark only ever moves over
   * committed pages.
   */
  private async followPages(
    session: QueryRunner,
    runId: string,
    first: PageRequest,
  ): Promise<void> {
    let request: PageRequest | null = first;
    let pending: Promise<UpstreamPage> = this.upstream.fetchPage(first);
    let committing: Promise<void> | null = null;
    try {
      while (request) {
        let page: UpstreamPage | null = await pending;
        const next = this.nextRequest(request, page);
        if (next && !this.stopping) {
          pending = this.upstream.fetchPage(next);
          pending.catch(() => undefined); // observed when awaited; never an unhandled rejection
        }
        const preparing = this.prepare(runId, page);
        // A suspended async function keeps its locals alive: without this the raw records would
        // wait out the previous commit, survive young-generation GCs and be promoted for nothing.
        page = null;
        const prepared = await preparing;
        await committing;
        committing = this.repository
          .commitPage(session, prepared)
          .then(({ insertedBySource, quarantined }) =>
            this.metrics.pageCommitted(insertedBySource, quarantined),
          );
        committing.catch(() => undefined); // awaited on the next turn or in finally
        request = this.stopping ? null : next;
      }
    } finally {
      await committing;
    }
  }

  /** Follows next_cursor; for an upstream without cursors, a full page moves `since` forward. */
  private nextRequest(current: PageRequest, page: UpstreamPage): PageRequest | null {
    if (page.nextCursor) return { ...current, cursor: page.nextCursor };
    if (current.cursor || page.records.length < current.limit) return null;
    const newest = page.records
      .map((r) => normalizeAlert(r))
      .reduce(
        (max, r) => (r.ok && r.alert.createdAt > max ? r.alert.createdAt : max),
        current.since,
      );
    if (newest.getTime() <= current.since.getTime()) {
      this.logger.warn(
        'Upstream returned a full page without cursor or newer alerts; stopping here',
      );
      return null;
    }
    return { since: newest, limit: current.limit, cursor: null };
  }

  /** Normalises, enriches and encodes one page; malformed records become quarantine rows. */
  private async prepare(runId: string, page: UpstreamPage): Promise<EncodedPage> {
    const valid: NormalizedAlert[] = [];
    const quarantine: QuarantineRow[] = [];
    const now = Date.now();
    for (const record of page.records) {
      const result = normalizeAlert(record, now);
      if (result.ok) valid.push(result.alert);
      else
        quarantine.push({
          payload: record ?? null,
          reason: result.reason,
          payloadHash: hashPayload(record),
        });
    }
    const enrichments = await this.enrichment.enrich(valid);
    const bookmark = valid.reduce<Date | null>(
      (max, a) => (!max || a.createdAt > max ? a.createdAt : max),
      null,
    );
    return this.repository.encodePage({
      runId,
      fetched: page.records.length,
      alerts: valid,
      enrichments,
      quarantine,
      bookmark,
    });
  }

  /**
   * Lets a running sync finish its current page, then stops it (graceful shutdown); before the
   * listener and the database pool close, so that page still commits.
   */
  async beforeApplicationShutdown(): Promise<void> {
    this.stopping = true;
    await this.active?.done.catch(() => undefined);
  }
}

const EMPTY_RUN: Omit<SyncRun, 'id' | 'startedAt' | 'finishedAt' | 'result' | 'error'> = {
  trigger: 'manual',
  fetched: 0,
  inserted: 0,
  duplicates: 0,
  quarantined: 0,
  pages: 0,
  host: null,
};

function hashPayload(record: unknown): Buffer {
  return createHash('sha256')
    .update(JSON.stringify(record) ?? 'undefined')
    .digest();
}
