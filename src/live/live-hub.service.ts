// The live feed on one replica: follows `live_events` (written by triggers on every replica's
// commits) and sends each row's events to this replica's stream clients.
//
// - Following: one LISTEN connection outside the pool (reconnected with backoff when it drops)
//   wakes a read on every commit; a timer reads every second anyway (a notification missed while
//   reconnecting, the embedded database, which does not deliver them), every 250 ms while clients
//   wait and nothing notifies. Reads go through FeedCursor, which never hands on a row past one
//   that may still commit.
// - Rendering: only while a client is connected, once per replica (not per client), a chunk of
//   alerts per statement so a 1,000-alert page neither holds the event loop nor one huge string.
// - Resuming: a client with Last-Event-ID gets the rows it missed rendered for it alone (within
//   the window; past it, or past MAX_BACKLOG_EVENTS, one `resync` event tells it to reload),
//   while the live rows that arrive meanwhile wait in its queue.
// - Bounds: MAX_CLIENTS streams per replica, Nest's per-client buffer (the controller's
//   maxPendingDataLength: a client that stops reading is dropped and resumes), a queue bound while
//   catching up, a lifetime after which a stream ends and the client reconnects (and is
//   authenticated again).
// - Access: every RECHECK a stream's caller is checked again (StreamAccess); one no longer allowed
//   (deactivated, logged out, regrouped, its key revoked, its token or key expired) is ended, and
//   its reconnection is refused as any request of its would be.
import {
  BeforeApplicationShutdown,
  Inject,
  Injectable,
  Logger,
  OnApplicationBootstrap,
} from '@nestjs/common';
import pg from 'pg';
import { Observable, type Subscriber } from 'rxjs';
import { ShutdownService } from '../common/lifecycle/shutdown.service.js';
import { InvalidInputError } from '../common/problem/domain-error.js';
import { Database } from '../database/database.js';
import { FeedCursor } from './feed-cursor.js';
import { LiveEventsRepository, type FeedRow } from './live-events.repository.js';
import {
  formatEventId,
  isAfter,
  type LivePosition,
  parseEventId,
  throughRow,
} from './live-position.js';
import {
  LIVE_RENDERERS,
  type LiveMessage,
  type LiveRenderer,
  type LiveStream,
} from './live-renderer.js';
import { LiveStreamUnavailableError } from './live-stream-unavailable.error.js';

/** The channel the triggers notify (migration 1764500000200-live-events). */
const LIVE_CHANNEL = 'vigil_live';

export const LIVE_LIMITS = {
  /** How long events stay resumable (rows are purged after it; the purge runs every minute). */
  windowSeconds: 300,
  heartbeatMs: 15_000,
  maxClients: 500,
  /** Characters of events waiting for one client before it is dropped (Nest's maxPendingDataLength). */
  clientBufferChars: 8 * 1024 * 1024,
  /** Events a resuming client may be sent from the backlog (more: one `resync`). */
  maxBacklogEvents: 10_000,
  /** Live events queued for a client while its backlog is sent (more: the stream ends). */
  maxQueuedEvents: 20_000,
  /** A stream ends after this; the client reconnects with Last-Event-ID and its current token. */
  maxStreamMs: 30 * 60_000,
  /** How often a stream's caller is checked again: the bound on receiving after losing access. */
  recheckMs: 5_000,
  /** The reconnection delay clients are told (`retry:`). */
  retryMs: 2_000,
} as const;

const RENDER_CHUNK = 200;
const READ_LIMIT = 100;
const POLL_MS = 1_000;
const FAST_POLL_MS = 250;
const PURGE_MS = 60_000;
const RECONNECT_MIN_MS = 1_000;
const RECONNECT_MAX_MS = 30_000;

interface Queued {
  row: bigint;
  index: number;
  message?: LiveMessage;
}

/**
 * Whether a stream's caller may still read it: true, false (it is ended), or a throw when that
 * cannot be known now (the database: the stream goes on and is checked again).
 */
export type StreamAccess = () => Promise<boolean>;

class LiveClient {
  catchingUp = false;
  queued: Queued[] = [];
  readonly openedAt = Date.now();
  checking = false;

  constructor(
    readonly subscriber: Subscriber<LiveMessage>,
    public position: LivePosition,
    readonly access: StreamAccess,
  ) {}

  /** Sends event `index` of `row` unless already sent; no message: all of `row` is sent. */
  deliver(row: bigint, index: number, message?: LiveMessage): void {
    if (this.catchingUp) {
      if (this.queued.push({ row, index, message }) > LIVE_LIMITS.maxQueuedEvents) this.end();
      return;
    }
    if (!isAfter(row, index, this.position)) return;
    if (message) this.subscriber.next(message);
    this.position = { row, index };
  }

  end(): void {
    this.catchingUp = false;
    this.queued = [];
    this.subscriber.complete();
  }
}

@Injectable()
export class LiveHub implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(LiveHub.name);
  private readonly clients = new Set<LiveClient>();
  private readonly renderers = new Map<string, LiveRenderer>();
  private cursor = new FeedCursor(0n);
  /** Every client has been sent every event of the rows up to here (or joined after them). */
  private delivered = 0n;
  /** The row whose events are being sent, while they are. */
  private sending: bigint | undefined;
  private reading: Promise<void> | null = null;
  private again = false;
  private lastReadAt = 0;
  private failing = false;
  private listener: pg.Client | null = null;
  private reconnect: NodeJS.Timeout | null = null;
  private reconnectMs = RECONNECT_MIN_MS;
  private readonly timers: NodeJS.Timeout[] = [];
  private stopped = false;

  constructor(
    private readonly events: LiveEventsRepository,
    private readonly db: Database,
    private readonly shutdown: ShutdownService,
    @Inject(LIVE_RENDERERS) renderers: LiveRenderer[],
  ) {
    for (const renderer of renderers) {
      for (const type of renderer.types) this.renderers.set(type, renderer);
    }
  }

  /** Streams open on this replica. */
  get clientCount(): number {
    return this.clients.size;
  }

  async onApplicationBootstrap(): Promise<void> {
    // Where following starts: events committed before this replica started are a backlog only.
    const latest = await this.events.latest();
    this.cursor = new FeedCursor(latest);
    this.delivered = latest;
    this.timers.push(
      setInterval(() => this.tick(), FAST_POLL_MS).unref(),
      setInterval(() => this.heartbeat(), LIVE_LIMITS.heartbeatMs).unref(),
      setInterval(() => void this.purge(), PURGE_MS).unref(),
      setInterval(() => void this.recheck(), LIVE_LIMITS.recheckMs).unref(),
    );
    void this.listen();
  }

  /** Streams end before the HTTP server closes, which would otherwise wait for them. */
  async beforeApplicationShutdown(): Promise<void> {
    this.stopped = true;
    for (const timer of this.timers) clearInterval(timer);
    if (this.reconnect) clearTimeout(this.reconnect);
    for (const client of this.clients) client.end();
    this.clients.clear();
    const listener = this.listener;
    this.listener = null;
    await listener?.end().catch(() => undefined);
    await this.reading;
  }

  /**
   * A stream of events from now, or after the event `lastEventId` names, for as long as `access`
   * says yes. Refused (before anything is sent, so as problem+json) when the id is not one of ours
   * or no stream can be taken.
   */
  open(lastEventId: string | undefined, access: StreamAccess): LiveStream {
    let resumeAfter: LivePosition | undefined;
    if (lastEventId !== undefined && lastEventId.trim() !== '') {
      resumeAfter = parseEventId(lastEventId);
      if (!resumeAfter)
        throw new InvalidInputError([
          {
            field: 'last-event-id',
            message: 'Last-Event-ID must be the id of an event this stream sent',
          },
        ]);
    }
    if (this.stopped || this.shutdown.draining)
      throw new LiveStreamUnavailableError('The service is stopping; connect again');
    if (this.clients.size >= LIVE_LIMITS.maxClients)
      throw new LiveStreamUnavailableError(
        `This replica serves its maximum of ${LIVE_LIMITS.maxClients} streams; retry later`,
      );
    return new Observable<LiveMessage>((subscriber) => {
      const client = this.join(subscriber, access, resumeAfter);
      return () => this.clients.delete(client);
    });
  }

  private join(
    subscriber: Subscriber<LiveMessage>,
    access: StreamAccess,
    resumeAfter?: LivePosition,
  ): LiveClient {
    const current = this.sending ?? this.delivered;
    const position = resumeAfter ?? throughRow(current);
    const client = new LiveClient(subscriber, position, access);
    this.clients.add(client);
    // Its first message sets its Last-Event-ID: a client that drops before any event resumes
    // from where it joined, not from whenever it reconnects.
    const { row, index } = position;
    subscriber.next({
      id: formatEventId(row, index === Infinity ? undefined : index),
      retry: LIVE_LIMITS.retryMs,
    });
    // A client ahead of this replica (it resumes from one that has read further) only waits.
    const caughtUp = row > current || (row === current && index === Infinity);
    if (!caughtUp) {
      client.catchingUp = true;
      void this.catchUp(client, index === Infinity ? row + 1n : row, current);
    }
    return client;
  }

  /** Sends a resuming client the rows `first` … `through`, then what arrived meanwhile. */
  private async catchUp(client: LiveClient, first: bigint, through: bigint): Promise<void> {
    const send = (row: bigint, index: number, message?: LiveMessage) => {
      if (isAfter(row, index, client.position)) {
        if (message) client.subscriber.next(message);
        client.position = { row, index };
      }
    };
    try {
      const backlog = await this.events.backlog(first, through, LIVE_LIMITS.maxBacklogEvents);
      if (typeof backlog === 'string') {
        client.subscriber.next(resyncMessage(through, backlog));
      } else {
        for (const row of backlog) {
          if (client.subscriber.closed) return;
          await this.render(row, (index, message) => send(row.id, index, message));
          send(row.id, Infinity);
        }
      }
      if (client.position.row < through) client.position = throughRow(through);
    } catch (error) {
      this.logger.warn({ err: error }, 'Could not send a resuming client its backlog; ending it');
      client.end();
      return;
    }
    client.catchingUp = false;
    const queued = client.queued;
    client.queued = [];
    for (const { row, index, message } of queued) client.deliver(row, index, message);
  }

  /** Renders `row`'s events a chunk at a time; stops early when `stop` says so. */
  private async render(
    row: FeedRow,
    emit: (index: number, message: LiveMessage) => void,
    stop: () => boolean = () => false,
  ): Promise<void> {
    const renderer = this.renderers.get(row.type);
    if (!renderer) return;
    for (let start = 0; start < row.ids.length; start += RENDER_CHUNK) {
      const chunk = row.ids.slice(start, start + RENDER_CHUNK);
      const rendered = await renderer.render(chunk);
      const indexOf = new Map(chunk.map((id, i) => [id, start + i]));
      for (const { id, json } of rendered) {
        const index = indexOf.get(id)!;
        emit(index, { type: row.type, id: formatEventId(row.id, index), data: json });
      }
      if (stop()) return;
    }
  }

  private tick(): void {
    const idle = Date.now() - this.lastReadAt;
    const unnotified = this.clients.size > 0 && this.listener === null;
    if (this.cursor.waiting || unnotified || idle >= POLL_MS) this.requestRead();
  }

  private requestRead(): void {
    if (this.stopped) return;
    if (this.reading) {
      this.again = true;
      return;
    }
    this.reading = this.readLoop().finally(() => (this.reading = null));
  }

  private async readLoop(): Promise<void> {
    do {
      this.again = false;
      try {
        if (await this.readOnce()) this.again = true;
        if (this.failing) this.logger.log('Following the live feed again');
        this.failing = false;
      } catch (error) {
        if (!this.failing) this.logger.warn({ err: error }, 'Could not read the live feed');
        this.failing = true;
        return;
      }
    } while (this.again && !this.stopped);
  }

  /** One read of the feed and the sending of what it hands on; true when more is waiting. */
  private async readOnce(): Promise<boolean> {
    this.lastReadAt = Date.now();
    const withIds = this.clients.size > 0;
    const { snapshot, rows } = await this.events.readAfter(
      this.cursor.position,
      READ_LIMIT,
      withIds,
    );
    // A client joined during the read: read again, with what it needs rendered.
    if (!withIds && this.clients.size > 0) return true;
    const advance = this.cursor.advance(rows, snapshot);
    if (advance.reset) {
      this.restart();
      return true;
    }
    for (const row of advance.rows) {
      if (this.clients.size > 0) {
        this.sending = row.id;
        await this.render(
          row,
          (index, message) => this.fanOut(row.id, index, message),
          () => this.clients.size === 0,
        );
      }
      this.delivered = row.id;
      this.sending = undefined;
      this.fanOut(row.id, Infinity);
    }
    return rows.length === READ_LIMIT;
  }

  private fanOut(row: bigint, index: number, message?: LiveMessage): void {
    for (const client of this.clients) client.deliver(row, index, message);
  }

  /** The feed's sequence went back (its table was emptied): every client starts over. */
  private restart(): void {
    this.logger.warn('The live feed was emptied; clients are told to reload');
    this.delivered = 0n;
    for (const client of this.clients) {
      client.queued = [];
      client.catchingUp = false;
      client.subscriber.next(resyncMessage(0n, 'reset'));
      client.position = throughRow(0n);
    }
  }

  private heartbeat(): void {
    const now = Date.now();
    for (const client of this.clients) {
      if (now - client.openedAt > LIVE_LIMITS.maxStreamMs) client.end();
      else client.subscriber.next({ comment: 'heartbeat' });
    }
  }

  /** Ends the streams whose caller may no longer read them; one check at a time per stream. */
  private async recheck(): Promise<void> {
    await Promise.all(
      [...this.clients].map(async (client) => {
        if (client.checking) return;
        client.checking = true;
        try {
          if (!(await client.access())) client.end();
        } catch {
          // Not a refusal (the database): the stream goes on until a check can say.
        } finally {
          client.checking = false;
        }
      }),
    );
  }

  private async purge(): Promise<void> {
    try {
      await this.events.purge(LIVE_LIMITS.windowSeconds);
    } catch (error) {
      this.logger.warn({ err: error }, 'Could not purge the live feed');
    }
  }

  private async listen(): Promise<void> {
    const client = this.db.dedicatedClient('vigil-live');
    client.on('notification', () => {
      if (this.clients.size > 0) this.requestRead();
    });
    client.on('error', (error) => this.lost(client, error));
    client.on('end', () => this.lost(client, new Error('connection closed')));
    try {
      await client.connect();
      await client.query(`LISTEN ${LIVE_CHANNEL}`);
      if (this.stopped) {
        await client.end();
        return;
      }
      this.listener = client;
      this.reconnectMs = RECONNECT_MIN_MS;
      this.requestRead(); // what committed while nobody listened
    } catch (error) {
      this.lost(client, error);
    }
  }

  private lost(client: pg.Client, error: unknown): void {
    if (this.stopped || this.reconnect) return;
    if (this.listener === client) this.listener = null;
    this.logger.warn(
      { err: error },
      `Not listening for live events; polling, reconnecting in ${this.reconnectMs / 1000} s`,
    );
    void client.end().catch(() => undefined);
    this.reconnect = setTimeout(() => {
      this.reconnect = null;
      void this.listen();
    }, this.reconnectMs).unref();
    this.reconnectMs = Math.min(this.reconnectMs * 2, RECONNECT_MAX_MS);
  }
}

/** Tells a client it missed events it cannot be sent (it reloads what it shows). */
function resyncMessage(through: bigint, reason: string): LiveMessage {
  return { type: 'resync', id: formatEventId(through), data: JSON.stringify({ reason }) };
}
