// The ingestion pipeline: one sync follows the upstream's pages from the bookmark to the end,
// normalising, enriching and committing each page with the advanced bookmark in one transaction.
// A crash at any point leaves whole pages committed and the bookmark where they end, so the next
// sync (which starts SYNC_OVERLAP_SECONDS before the bookmark) neither loses nor doubles an alert.
//
// The upstream is untrusted input: a record that cannot be stored is quarantined alone (its page
// commits without it); a date ahead of this service's clock never drags the bookmark past
// now + SYNC_MAX_FUTURE_SECONDS; a page of any length is committed in batches of SYNC_PAGE_SIZE
// records (the bookmark moves with the last); a repeated cursor, a page that does not move
// forward, SYNC_MAX_PAGES and SYNC_MAX_RUN_SECONDS end a run as failed, saying why. A
// reconciliation run re-reads SYNC_RECONCILE_WINDOW_HOURS for alerts that reached the upstream
// after the syncs had passed their time, and skips the ones already stored before enriching.
import { BeforeApplicationShutdown, Inject, Injectable, Logger } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { createHash } from 'node:crypto';
import { hostname } from 'node:os';
import { AlertStore } from '../alerts/alert.store.js';
import { ingestionConfig } from '../config/ingestion.config.js';
import type { Session } from '../database/database.js';
import { EnrichmentService } from '../enrichment/enrichment.service.js';
import { MetricsService } from '../metrics/metrics.service.js';
import { normalizeAlert, NormalizedAlert } from './alert-normalizer.js';
import { LARGE_PAGE_CHARS } from './page-budget.js';
import { renderRecord } from './record-rendering.js';
import { type QuarantineRow, screenRecord } from './record-screening.js';
import { SyncAlreadyRunningError } from './sync-already-running.error.js';
import { EncodedPage, SyncMode, SyncRepository, SyncRun, SyncTrigger } from './sync.repository.js';
import { PageRequest, UpstreamClient, UpstreamPage } from './upstream.client.js';

/** Ends a run as failed with its message, after what it fetched so far has committed. */
class SyncStopped extends Error {
  override readonly name = 'SyncStopped';
}

/** What every batch of a run needs to know about the run. */
interface RunContext {
  runId: string;
  mode: SyncMode;
  /** The bookmark as the run found it: alerts at or before it that the run stores were late. */
  startBookmark: Date | null;
  /** Aborted by shutdown or SYNC_MAX_RUN_SECONDS; ends an upstream request in flight. */
  signal: AbortSignal;
}

/** A page being committed batch by batch: its newest alert moves the bookmark at the end. */
interface PageProgress {
  newest: number | null;
}

/** Characters of upstream text (a cursor) quoted in a run's error. */
const QUOTED_MAX = 80;

@Injectable()
export class SyncService implements BeforeApplicationShutdown {
  private readonly logger = new Logger(SyncService.name);
  private readonly host = `${hostname()}:${process.pid}`;
  /** In-process guard: the advisory lock is no mutex on embedded PGlite (one backend). */
  private active: { runId: string; done: Promise<SyncRun>; stop: AbortController } | null = null;
  private starting = false;
  private stopping = false;

  constructor(
    private readonly repository: SyncRepository,
    private readonly alerts: AlertStore,
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
  async start(
    trigger: SyncTrigger,
    mode: SyncMode = 'incremental',
  ): Promise<{ runId: string; done: Promise<SyncRun> }> {
    if (this.running || this.stopping) throw new SyncAlreadyRunningError();
    this.starting = true;
    let session: Session | undefined;
    try {
      session = await this.repository.openSession();
      if (!(await this.repository.tryLock(session))) throw new SyncAlreadyRunningError();
      const orphans = await this.repository.markOrphansInterrupted(session);
      if (orphans)
        this.logger.warn(`Marked ${orphans} sync run(s) of a stopped process as interrupted`);
      const runId = await this.repository.startRun(session, trigger, mode, this.host);
      const locked = session;
      const stop = new AbortController();
      const done = this.execute(locked, runId, mode, stop).finally(() => this.release(locked));
      this.active = { runId, done, stop };
      return this.active;
    } catch (error) {
      if (session) await this.release(session);
      throw error;
    } finally {
      this.starting = false;
    }
  }

  private async release(session: Session): Promise<void> {
    this.active = null;
    let unlocked = false;
    try {
      await this.repository.unlock(session);
      unlocked = true;
    } catch (error) {
      this.logger.warn(
        { err: error },
        'Could not release the sync lock (it goes with the connection, which is closed)',
      );
    } finally {
      // A connection that may still hold the lock is closed, never handed to the pool.
      session.release(!unlocked);
    }
  }

  /** Never rejects: whatever happens, the run ends recorded (if it can be) and the lock is freed. */
  private async execute(
    session: Session,
    runId: string,
    mode: SyncMode,
    stop: AbortController,
  ): Promise<SyncRun> {
    const started = new Date();
    const limitSeconds = this.config.maxRunSeconds;
    const deadline = setTimeout(
      () =>
        stop.abort(
          new SyncStopped(
            `The run was stopped after ${limitSeconds} s (SYNC_MAX_RUN_SECONDS); ` +
              `what it fetched until then is stored; ${resumes(mode)}`,
          ),
        ),
      limitSeconds * 1000,
    );
    let result: 'success' | 'failed' | 'interrupted' = 'success';
    let error: string | null = null;
    try {
      const bookmark = await this.repository.bookmark(session);
      const context: RunContext = { runId, mode, startBookmark: bookmark, signal: stop.signal };
      const since = this.firstSince(mode, bookmark);
      await this.followPages(session, context, { since, limit: this.config.pageSize });
      if (this.stopping) result = 'interrupted';
      else if (stop.signal.aborted) throw stop.signal.reason;
    } catch (failure) {
      // A run cut short by its own deadline says so, whatever the request in flight reported.
      const cause: unknown =
        stop.signal.reason instanceof SyncStopped ? stop.signal.reason : failure;
      if (this.stopping && !(cause instanceof SyncStopped)) {
        result = 'interrupted';
      } else {
        result = 'failed';
        error = cause instanceof Error ? cause.message : String(cause);
        this.logger.error({ err: cause, runId }, 'Sync failed');
      }
    } finally {
      clearTimeout(deadline);
    }
    let run: SyncRun | null = null;
    try {
      run = await this.repository.finishRun(session, runId, result, error);
    } catch (failure) {
      this.logger.error({ err: failure, runId }, 'Could not record the end of a sync run');
    }
    run ??= {
      ...EMPTY_RUN,
      id: runId,
      mode,
      startedAt: started,
      finishedAt: new Date(),
      result,
      error,
    };
    this.metrics.syncFinished({
      result,
      mode,
      durationSeconds: (Date.now() - started.getTime()) / 1000,
    });
    this.logger.log(
      {
        runId,
        mode,
        result,
        fetched: run.fetched,
        inserted: run.inserted,
        duplicates: run.duplicates,
        quarantined: run.quarantined,
        late: run.late,
        futureDated: run.futureDated,
        durationMs: Date.now() - started.getTime(),
      },
      'Sync finished',
    );
    return run;
  }

  /**
   * Where a run starts reading. Incremental: the bookmark (never past now + the skew allowed, in
   * case an older release let a wrong clock push it there) less the overlap; the first run looks
   * DEFAULT_LOOKBACK_HOURS back. Reconcile: the window, or earlier when the bookmark trails it
   * (reading from the window would pass over what the syncs have not reached yet).
   */
  private firstSince(mode: SyncMode, bookmark: Date | null): Date {
    const now = Date.now();
    const lookback = now - this.config.lookbackHours * 3_600_000;
    if (!bookmark) {
      return new Date(
        mode === 'reconcile'
          ? Math.min(lookback, now - this.config.reconcile.windowHours * 3_600_000)
          : lookback,
      );
    }
    const resume =
      Math.min(bookmark.getTime(), now + this.config.maxFutureSeconds * 1000) -
      this.config.overlapSeconds * 1000;
    if (mode === 'incremental') return new Date(resume);
    return new Date(Math.min(resume, now - this.config.reconcile.windowHours * 3_600_000));
  }

  /**
   * A three-stage pipeline: page n+1 is fetched while page n's batches are normalised, enriched
   * and encoded, each batch while the previous one commits, so a commit goes out the moment the
   * previous one returns. Commits stay strictly in order on the locked connection, so the
   * bookmark only ever moves over committed pages. After a page over LARGE_PAGE_CHARS the next
   * one is fetched only once it is stored: two large pages are never held at once.
   */
  private async followPages(
    session: Session,
    context: RunContext,
    first: PageRequest,
  ): Promise<void> {
    let request: PageRequest | null = first;
    let pending: Promise<UpstreamPage> = this.upstream.fetchPage(first, context.signal);
    let committing: Promise<void> | null = null;
    const cursors = new Map<string, number>(); // cursor -> the page that returned it
    let previousSignature: string | null = null;
    let pages = 0;
    try {
      while (request) {
        let page: UpstreamPage | null = await pending;
        pages += 1;
        const { next, stalled } = this.nextRequest(request, page);
        const signature = pageSignature(page);
        const stop =
          stalled ??
          this.loopReason(page, cursors, pages, signature, previousSignature) ??
          (next ? this.limitReason(pages, context.mode) : null);
        previousSignature = signature;
        const prefetch = page.chars <= LARGE_PAGE_CHARS;
        const fetchNext = () => {
          if (!next || stop || this.stopping || context.signal.aborted) return;
          pending = this.upstream.fetchPage(next, context.signal);
          pending.catch(() => undefined); // observed when awaited; never an unhandled rejection
        };
        if (prefetch) fetchNext();
        const progress: PageProgress = { newest: null };
        const records = page.records;
        // A suspended async function keeps its locals alive: without this the raw records would
        // wait out the previous commit, survive young-generation GCs and be promoted for nothing.
        page = null;
        const batch = this.config.pageSize;
        for (let from = 0; from === 0 || from < records.length; from += batch) {
          const last = from + batch >= records.length;
          const prepared = await this.prepare(
            context,
            records.slice(from, from + batch),
            progress,
            last,
          );
          await committing;
          committing = this.repository
            .commitPage(session, prepared)
            .then((committed) => this.metrics.pageCommitted(committed));
          committing.catch(() => undefined); // awaited on the next turn or in finally
        }
        if (stop) throw new SyncStopped(stop);
        if (!prefetch) {
          await committing;
          fetchNext();
        }
        request = this.stopping || context.signal.aborted ? null : next;
      }
    } finally {
      await committing;
    }
  }

  /** A cursor met before in this run, or the previous page served again: the upstream loops. */
  private loopReason(
    page: UpstreamPage,
    cursors: Map<string, number>,
    pages: number,
    signature: string | null,
    previousSignature: string | null,
  ): string | null {
    if (signature !== null && signature === previousSignature) {
      return (
        `The upstream served page ${pages} with the same ${page.records.length} records as ` +
        'page ' +
        `${pages - 1}: the pages do not move forward; stopping`
      );
    }
    const cursor = page.nextCursor;
    if (cursor === null) return null;
    // Digests, not the cursors: a run of SYNC_MAX_PAGES long cursors would hold megabytes.
    const key = createHash('sha256').update(cursor).digest('base64');
    const seen = cursors.get(key);
    if (seen !== undefined) {
      return (
        `The upstream repeated the cursor ${quote(cursor)} (returned with pages ${seen} and ` +
        `${pages}): its pages loop; stopping`
      );
    }
    cursors.set(key, pages);
    return null;
  }

  /** SYNC_MAX_PAGES or SYNC_MAX_RUN_SECONDS reached while the upstream has more. */
  private limitReason(pages: number, mode: SyncMode): string | null {
    if (pages < this.config.maxPages) return null;
    return (
      `The run stopped after ${pages} pages (SYNC_MAX_PAGES); what it fetched is stored; ` +
      resumes(mode)
    );
  }

  /**
   * Follows next_cursor; for an upstream without cursors, a full page moves `since` forward. A
   * full page with nothing newer than `since` cannot be paged past: `stalled` says so.
   */
  private nextRequest(
    current: PageRequest,
    page: UpstreamPage,
  ): { next: PageRequest | null; stalled: string | null } {
    if (page.nextCursor) return { next: { ...current, cursor: page.nextCursor }, stalled: null };
    if (current.cursor || page.records.length < current.limit) return { next: null, stalled: null };
    // Paging position, not the bookmark: it follows the upstream's order, future dates included.
    const newest = page.records
      .map((r) => normalizeAlert(r))
      .reduce(
        (max, r) => (r.ok && r.alert.createdAt > max ? r.alert.createdAt : max),
        current.since,
      );
    if (newest.getTime() <= current.since.getTime()) {
      const stalled =
        `The upstream answered a full page of ${page.records.length} records without a ` +
        `next_cursor and none newer than since=${current.since.toISOString()}: it cannot be ` +
        'paged past them (give it cursors, or raise SYNC_PAGE_SIZE)';
      return { next: null, stalled };
    }
    return { next: { since: newest, limit: current.limit, cursor: null }, stalled: null };
  }

  /**
   * Normalises, enriches and encodes one batch; records that cannot be stored become quarantine
   * rows, alerts the store already holds are counted and skipped before enrichment.
   */
  private async prepare(
    context: RunContext,
    records: readonly unknown[],
    progress: PageProgress,
    last: boolean,
  ): Promise<EncodedPage> {
    const valid: NormalizedAlert[] = [];
    const quarantine: QuarantineRow[] = [];
    for (const record of records) {
      const screened = screenRecord(record);
      if (screened.ok) valid.push(screened.alert);
      else quarantine.push(screened.quarantine);
    }
    for (const alert of valid) {
      const at = alert.createdAt.getTime();
      if (progress.newest === null || at > progress.newest) progress.newest = at;
    }
    const futureAfter = Date.now() + this.config.maxFutureSeconds * 1000;
    const fresh = await this.withoutKnown(valid, context, futureAfter);
    const enrichments = await this.enrichment.enrich(fresh);
    return this.repository.encodePage({
      runId: context.runId,
      fetched: records.length,
      alertCount: valid.length,
      alerts: fresh,
      enrichments,
      quarantine,
      // A wrong clock upstream must not move the bookmark past what this clock allows: the
      // alerts that arrive meanwhile would never be asked for.
      bookmark:
        last && progress.newest !== null ? new Date(Math.min(progress.newest, futureAfter)) : null,
      pageDone: last,
      lateUpTo: context.startBookmark,
      futureAfter: new Date(futureAfter),
    });
  }

  /**
   * Leaves out the alerts the store already holds, before they cost enrichment and a rewrite. A
   * reconciliation looks up every alert (it re-reads mostly known ones); an incremental sync only
   * those at or before its first bookmark (the overlap) and those dated past the skew allowed,
   * which a previous run may have stored beyond the bookmark. Newer ones skip the lookup.
   */
  private async withoutKnown(
    alerts: NormalizedAlert[],
    context: RunContext,
    futureAfter: number,
  ): Promise<NormalizedAlert[]> {
    const bookmark = context.startBookmark?.getTime() ?? null;
    // New alerts are newer than the bookmark; a future-dated one may be stored although it is.
    const candidates =
      context.mode === 'reconcile'
        ? alerts
        : alerts.filter((a) => {
            const at = a.createdAt.getTime();
            return (bookmark !== null && at <= bookmark) || at > futureAfter;
          });
    if (candidates.length === 0) return alerts;
    const known = await this.alerts.knownKeys(candidates);
    if (known.size === 0) return alerts;
    const skip = new Set(candidates.filter((_, i) => known.has(i)));
    return alerts.filter((a) => !skip.has(a));
  }

  /**
   * Lets a running sync finish its current page, then stops it (graceful shutdown); before the
   * listener and the database pool close, so that page still commits. A page still being fetched
   * is abandoned: the next sync fetches it again.
   */
  async beforeApplicationShutdown(): Promise<void> {
    this.stopping = true;
    this.active?.stop.abort(new Error('the service is shutting down'));
    await this.active?.done.catch(() => undefined);
  }
}

const EMPTY_RUN: Omit<SyncRun, 'id' | 'mode' | 'startedAt' | 'finishedAt' | 'result' | 'error'> = {
  trigger: 'manual',
  fetched: 0,
  inserted: 0,
  duplicates: 0,
  quarantined: 0,
  late: 0,
  futureDated: 0,
  pages: 0,
  host: null,
};

/** What happens after a run stopped by a limit, for its error. */
function resumes(mode: SyncMode): string {
  return mode === 'reconcile'
    ? 'the next reconciliation reads its window again from the start'
    : 'the next sync goes on from the bookmark';
}

/** Upstream text in a run's error: JSON-quoted (no control characters) and short. */
function quote(text: string): string {
  const cut = text.length > QUOTED_MAX ? `${text.slice(0, QUOTED_MAX)}…` : text;
  return JSON.stringify(cut);
}

/** What tells two non-empty pages apart cheaply: their length and first and last records. */
function pageSignature(page: UpstreamPage): string | null {
  const { records } = page;
  if (records.length === 0) return null;
  const edge = (record: unknown) => renderRecord(record, 0).sha256.toString('base64');
  return `${records.length}:${edge(records[0])}:${edge(records[records.length - 1])}`;
}
