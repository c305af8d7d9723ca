// Sends the outbox. Every replica polls for due deliveries every WEBHOOK_POLL_INTERVAL_MS (and
// again as soon as a slot frees while there is a backlog), claims them under a lease (FOR UPDATE
// SKIP LOCKED, so each is claimed by one replica), renders the body (kept on the row when an
// attempt fails, so every retry sends the same bytes), signs it to the Standard Webhooks spec with
// the delivery's id as
// `webhook-id`, and records the outcome: delivered, retried on the schedule, or failed (a
// subscription failing WEBHOOK_PAUSE_AFTER_FAILURES deliveries in a row is paused). A process
// that dies mid-delivery leaves its claims to expire; another replica (or its restart) sends
// them again with the same `webhook-id`, which is how the receiver deduplicates.
import {
  BeforeApplicationShutdown,
  Inject,
  Injectable,
  Logger,
  OnApplicationBootstrap,
} from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import axios, { type AxiosInstance, isAxiosError } from 'axios';
import { webhookConfig } from '../config/webhook.config.js';
import { MetricsService } from '../metrics/metrics.service.js';
import {
  type AttemptResult,
  classifyResponse,
  networkFailure,
  verdict as decide,
} from './delivery-policy.js';
import { renderBody } from './webhook-payload.js';
import { signature, signingKey } from './webhook-signature.js';
import { type ClaimedDelivery, WebhookRepository } from './webhook.repository.js';

/** Bytes of a receiver's answer read (for the log's error); the rest is not waited for. */
const MAX_ANSWER_BYTES = 64 * 1024;

/** Finished deliveries are purged from the log about this often (per replica). */
const PURGE_EVERY_MS = 3_600_000;

@Injectable()
export class WebhookDispatcher implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(WebhookDispatcher.name);
  private readonly http: AxiosInstance;
  private readonly inFlight = new Set<Promise<void>>();
  private timer: NodeJS.Timeout | null = null;
  private polling: Promise<void> | null = null;
  /** Every slot was taken at the last look: a slot that frees looks again at once. */
  private saturated = false;
  private stopped = false;
  private lastPurge = 0;

  constructor(
    private readonly repository: WebhookRepository,
    private readonly metrics: MetricsService,
    @Inject(webhookConfig.KEY) private readonly config: ConfigType<typeof webhookConfig>,
  ) {
    this.http = axios.create({
      timeout: config.timeoutMs,
      maxRedirects: 0,
      maxContentLength: MAX_ANSWER_BYTES,
      responseType: 'text',
      // Bodies go out as the Buffers they are (axios would parse a JSON string again) and
      // answers come back as text.
      transformRequest: (data: unknown) => data,
      transformResponse: (data: unknown) => data,
      validateStatus: () => true,
      // The proxy variables of the environment are not a receiver's concern.
      proxy: false,
    });
    metrics.gauge(
      'vigil_webhook_pending_deliveries',
      'Deliveries waiting to be sent (or retried), by subscription id',
      async (set) => {
        for (const row of await this.repository.pendingBySubscription())
          set(row.n, { subscription: row.subscription_id });
      },
      ['subscription'],
    );
  }

  /** How long a claim is this replica's: the request's timeout twice over, and a margin. */
  get leaseSeconds(): number {
    return Math.ceil((2 * this.config.timeoutMs) / 1000) + 5;
  }

  onApplicationBootstrap(): void {
    this.schedule(0);
  }

  /** Stops claiming; deliveries in flight finish (each bounded by WEBHOOK_TIMEOUT_SECONDS). */
  async beforeApplicationShutdown(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.polling;
    await Promise.allSettled([...this.inFlight]);
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = null;
      if (this.polling) return; // the running look schedules the next
      this.polling = this.poll()
        .then(
          (again) => (again ? 0 : this.config.pollIntervalMs),
          (error: unknown) => {
            this.logger.warn({ err: error }, 'Could not look for webhook deliveries');
            return this.config.pollIntervalMs * 4;
          },
        )
        .then((next) => {
          this.polling = null;
          this.schedule(next);
        });
    }, delayMs);
    this.timer.unref();
  }

  /** One look for due deliveries; true when it filled every free slot (look again at once). */
  private async poll(): Promise<boolean> {
    if (Date.now() - this.lastPurge > PURGE_EVERY_MS) {
      this.lastPurge = Date.now();
      const purged = await this.repository.purgeFinished(this.config.logDays);
      if (purged) this.logger.log(`Purged ${purged} finished webhook deliveries from the log`);
    }
    const free = this.config.concurrency - this.inFlight.size;
    if (this.stopped) return false;
    if (free <= 0) {
      this.saturated = true;
      return false;
    }
    const due = await this.repository.due();
    if (!due.any) {
      this.saturated = false;
      return false;
    }
    if (due.singles) await this.repository.coalesce();
    const claimed = await this.repository.claim(free, this.leaseSeconds);
    this.saturated = claimed.length === free;
    for (const delivery of claimed) {
      const task: Promise<void> = this.deliver(delivery)
        .catch((error: unknown) =>
          this.logger.error({ err: error, delivery: delivery.id }, 'Webhook delivery failed'),
        )
        .finally(() => {
          this.inFlight.delete(task);
          // A backlog does not wait out a poll interval for each free slot.
          if (this.saturated) this.schedule(0);
        });
      this.inFlight.add(task);
    }
    return this.saturated;
  }

  /** One attempt at a claimed delivery, recorded. */
  async deliver(delivery: ClaimedDelivery, final = false): Promise<void> {
    const body = delivery.payload ?? render(delivery);
    const started = performance.now();
    // Alerts purged (RETENTION_DAYS) while a paused subscription held their message: nothing
    // is left to say, and an empty message would look like a bug to its receiver.
    const result: AttemptResult =
      body === null
        ? {
            kind: 'rejected',
            status: null,
            error: 'its alerts were purged before it could be sent',
          }
        : await this.send(delivery, body);
    const latencyMs = performance.now() - started;
    let verdict = decide(result, delivery.attempts, this.config.retryScheduleSeconds);
    if (final && verdict.kind === 'retry') {
      verdict = { kind: 'failed', status: verdict.status, error: verdict.error };
    }
    const recorded = await this.repository.record(
      delivery.id,
      verdict,
      latencyMs,
      this.config.pauseAfterFailures,
      // Kept for the retries (the same bytes each time); a finished delivery keeps none.
      verdict.kind === 'retry' && delivery.payload === null ? body : null,
    );
    if (recorded.recorded && delivery.type !== 'webhook.test') {
      const outcome = verdict.kind === 'retry' ? 'retry' : verdict.kind;
      const sinceWritten =
        verdict.kind === 'delivered'
          ? (Date.now() - delivery.createdAt.getTime()) / 1000
          : undefined;
      this.metrics.webhookAttempt(delivery.subscriptionId, outcome, sinceWritten);
    }
    if (recorded.pausedReason) {
      this.logger.warn(
        { subscription: delivery.subscriptionId, reason: recorded.pausedReason },
        'Webhook subscription paused',
      );
    }
  }

  private async send(delivery: ClaimedDelivery, body: Buffer): Promise<AttemptResult> {
    const now = new Date();
    const seconds = Math.floor(now.getTime() / 1000);
    try {
      const response = await this.http.post<string>(delivery.url, body, {
        headers: {
          'content-type': 'application/json',
          'user-agent': 'Vigil-Webhooks/1',
          'webhook-id': delivery.id,
          'webhook-timestamp': String(seconds),
          'webhook-signature': signature(signingKey(delivery.secret), delivery.id, seconds, body),
        },
      });
      const header = (name: string): string | null => {
        const value: unknown = response.headers[name];
        return typeof value === 'string' ? value : null;
      };
      return classifyResponse(
        response.status,
        { retryAfter: header('retry-after'), location: header('location') },
        typeof response.data === 'string' ? response.data : '',
        now,
      );
    } catch (error) {
      return networkFailure(describeFailure(error, this.config.timeoutMs));
    }
  }
}

/**
 * The body of a delivery with no payload kept, from its alerts as the claim rendered them; null
 * when none of them is left.
 */
function render(delivery: ClaimedDelivery): Buffer | null {
  if (delivery.alertCount === 0 && delivery.type !== 'webhook.test') return null;
  return Buffer.from(
    renderBody(delivery.format, delivery.type, delivery.createdAt, delivery.alertsJson),
  );
}

/** A request that got no usable answer, said without the URL (it may hold a token). */
function describeFailure(error: unknown, timeoutMs: number): string {
  if (isAxiosError(error)) {
    if (error.code === 'ECONNABORTED' || error.code === 'ETIMEDOUT')
      return `no answer within ${timeoutMs / 1000} s`;
    if (error.code === 'ERR_BAD_RESPONSE' && /maxContentLength/.test(error.message))
      return `the answer was over ${MAX_ANSWER_BYTES} bytes`;
    return error.code ? `${error.code}: ${error.message}` : error.message;
  }
  return error instanceof Error ? error.message : String(error);
}
