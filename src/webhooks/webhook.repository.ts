// Every statement on webhook_subscriptions and webhook_deliveries. Deliveries are written by the
// triggers on `alerts` (migration 1764400000200-webhooks), in the transaction that writes the
// alerts; this claims, records and reads them.
import { Injectable } from '@nestjs/common';
import { type AlertFilter, alertDetailsJsonSql } from '../alerts/alert-sql.js';
import type { AlertOrigin, AlertStatus } from '../alerts/alert.types.js';
import { fetchKeysetPage, type Page } from '../common/pagination/paginate.js';
import type { PageRequest } from '../common/pagination/page-request.js';
import { SqlConditions, type SqlQuery } from '../common/pagination/sql-conditions.js';
import type { Severity } from '../common/severity.js';
import { Database } from '../database/database.js';
import type { EnrichmentType } from '../enrichment/enrichment.types.js';
import type { Verdict } from './delivery-policy.js';
import type { WebhookEventType, WebhookFormat } from './webhook-payload.js';

export type AlertEvent = Exclude<WebhookEventType, 'webhook.test'>;
export type DeliveryStatus = 'pending' | 'delivered' | 'failed';

/** The alert list's filters a subscription can hold (a time window makes no sense for one). */
export type WebhookFilter = Pick<
  AlertFilter,
  'severities' | 'status' | 'source' | 'country' | 'user' | 'enrichmentType' | 'origin' | 'text'
>;

export interface SubscriptionFields {
  url: string;
  events: AlertEvent[];
  filter: WebhookFilter;
  format: WebhookFormat;
  enabled: boolean;
}

export interface WebhookSubscription extends SubscriptionFields {
  id: string;
  consecutiveFailures: number;
  pausedAt: Date | null;
  pausedReason: string | null;
  createdBy: string | null;
  createdAt: Date;
  updatedAt: Date;
}

export interface DeliveryRow {
  id: string;
  subscription_id: string;
  type: WebhookEventType;
  alert_ids: string[];
  status: DeliveryStatus;
  attempts: number;
  created_at: Date;
  next_attempt_at: Date;
  last_attempt_at: Date | null;
  last_status_code: number | null;
  last_error: string | null;
  latency_ms: number | null;
  delivered_at: Date | null;
  keyset_at: string;
}

/** A delivery this replica holds the lease of, with what it needs to send it. */
export interface ClaimedDelivery {
  id: string;
  type: WebhookEventType;
  createdAt: Date;
  /** This attempt's number (1 for the first). */
  attempts: number;
  /** The body as sent by the first attempt that failed; null until one did. */
  payload: Buffer | null;
  /**
   * With no payload kept: the alerts as they are now, the text of a JSON array rendered by
   * PostgreSQL (`[]` when none is left, or with a payload).
   */
  alertsJson: string;
  /** How many alerts `alertsJson` holds. */
  alertCount: number;
  subscriptionId: string;
  url: string;
  secret: string;
  format: WebhookFormat;
}

/** How a recorded attempt left its subscription. */
export interface Recorded {
  /** False when the delivery was no longer pending (another replica recorded it first). */
  recorded: boolean;
  /** Set when this attempt paused the subscription. */
  pausedReason: string | null;
}

interface SubscriptionRow {
  id: string;
  url: string;
  events: AlertEvent[];
  format: WebhookFormat;
  enabled: boolean;
  filter_severities: Severity[] | null;
  filter_status: AlertStatus | null;
  filter_source: string | null;
  filter_country: string | null;
  filter_user: string | null;
  filter_enrichment_type: EnrichmentType | null;
  filter_origin: AlertOrigin | null;
  filter_text: string | null;
  consecutive_failures: number;
  paused_at: Date | null;
  paused_reason: string | null;
  created_by: string | null;
  created_at: Date;
  updated_at: Date;
}

/** The filter's members and their columns. */
const FILTER_COLUMNS = {
  severities: 'filter_severities',
  status: 'filter_status',
  source: 'filter_source',
  country: 'filter_country',
  user: 'filter_user',
  enrichmentType: 'filter_enrichment_type',
  origin: 'filter_origin',
  text: 'filter_text',
} as const satisfies Record<keyof WebhookFilter, string>;

const SUBSCRIPTION_COLUMNS = `s.id, s.url, s.events, s.format, s.enabled,
  ${Object.values(FILTER_COLUMNS)
    .map((c) => `s.${c}`)
    .join(', ')},
  s.consecutive_failures, s.paused_at, s.paused_reason, u.username AS created_by, s.created_at,
  s.updated_at`;

function toSubscription(row: SubscriptionRow): WebhookSubscription {
  const filter: WebhookFilter = {};
  for (const [member, column] of Object.entries(FILTER_COLUMNS)) {
    const value = row[column];
    if (value !== null) Object.assign(filter, { [member]: value });
  }
  return {
    id: row.id,
    url: row.url,
    events: row.events,
    format: row.format,
    enabled: row.enabled,
    filter,
    consecutiveFailures: row.consecutive_failures,
    pausedAt: row.paused_at,
    pausedReason: row.paused_reason,
    createdBy: row.created_by,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

/** The filter as column values, every column given (null: any). */
function filterValues(filter: WebhookFilter): unknown[] {
  return (Object.keys(FILTER_COLUMNS) as Array<keyof WebhookFilter>).map((member) => {
    const value = filter[member];
    return Array.isArray(value) && value.length === 0 ? null : (value ?? null);
  });
}

@Injectable()
export class WebhookRepository {
  constructor(private readonly db: Database) {}

  // ---- subscriptions ----------------------------------------------------------------------

  private async readSubscription(where: string, params: unknown[]): Promise<WebhookSubscription[]> {
    const rows = await this.db.query<SubscriptionRow>(
      `SELECT ${SUBSCRIPTION_COLUMNS} FROM webhook_subscriptions s
       LEFT JOIN users u ON u.id = s.created_by ${where}`,
      params,
    );
    return rows.map(toSubscription);
  }

  async create(
    fields: SubscriptionFields,
    secret: string,
    createdBy: string | null,
  ): Promise<WebhookSubscription> {
    const columns = Object.values(FILTER_COLUMNS);
    const [row] = await this.db.query<{ id: string }>(
      `INSERT INTO webhook_subscriptions (url, events, format, enabled, secret, created_by,
         ${columns.join(', ')})
       VALUES ($1, $2, $3, $4, $5, $6, ${columns.map((_, i) => `$${i + 7}`).join(', ')})
       RETURNING id`,
      [
        fields.url,
        fields.events,
        fields.format,
        fields.enabled,
        secret,
        createdBy,
        ...filterValues(fields.filter),
      ],
    );
    return (await this.find(row.id))!;
  }

  list(): Promise<WebhookSubscription[]> {
    return this.readSubscription('ORDER BY s.created_at, s.id', []);
  }

  async find(id: string): Promise<WebhookSubscription | null> {
    const [subscription] = await this.readSubscription('WHERE s.id = $1', [id]);
    return subscription ?? null;
  }

  /**
   * Changes the given fields; `filter` is replaced whole. Enabling a subscription clears its
   * pause and its failure streak. Null when it does not exist.
   */
  async update(
    id: string,
    patch: Partial<SubscriptionFields>,
  ): Promise<WebhookSubscription | null> {
    const set = new SqlConditions();
    const assignments: string[] = ['updated_at = now()'];
    const assign = (column: string, value: unknown) =>
      assignments.push(`${column} = ${set.param(value)}`);
    if (patch.url !== undefined) assign('url', patch.url);
    if (patch.events !== undefined) assign('events', patch.events);
    if (patch.format !== undefined) assign('format', patch.format);
    if (patch.filter !== undefined) {
      const values = filterValues(patch.filter);
      Object.values(FILTER_COLUMNS).forEach((column, i) => assign(column, values[i]));
    }
    if (patch.enabled !== undefined) {
      assign('enabled', patch.enabled);
      if (patch.enabled) {
        assignments.push('paused_at = NULL', 'paused_reason = NULL', 'consecutive_failures = 0');
      }
    }
    const changed = await this.db.execute(
      `UPDATE webhook_subscriptions SET ${assignments.join(', ')} WHERE id = ${set.param(id)}`,
      set.params,
    );
    return changed ? this.find(id) : null;
  }

  /** Deletes the subscription and its delivery log. */
  async remove(id: string): Promise<boolean> {
    return (await this.db.execute('DELETE FROM webhook_subscriptions WHERE id = $1', [id])) > 0;
  }

  // ---- the delivery log -------------------------------------------------------------------

  deliveries(
    subscriptionId: string,
    status: DeliveryStatus | undefined,
    request: PageRequest,
  ): Promise<Page<DeliveryRow>> {
    const where = new SqlConditions()
      .equals('d.subscription_id', subscriptionId)
      .equals('d.status', status);
    return fetchKeysetPage<DeliveryRow>((q: SqlQuery) => this.db.query(q.sql, q.params), {
      select: `d.id, d.subscription_id, d.type, d.alert_ids, d.status, d.attempts, d.created_at,
        d.next_attempt_at, d.last_attempt_at, d.last_status_code, d.last_error, d.latency_ms,
        d.delivered_at`,
      from: 'webhook_deliveries d',
      where,
      order: { column: 'd.created_at', id: 'd.id', direction: request.direction },
      window: request.window,
    });
  }

  async delivery(id: string): Promise<DeliveryRow | null> {
    const [row] = await this.db.query<DeliveryRow>(
      `SELECT d.*, '' AS keyset_at FROM webhook_deliveries d WHERE d.id = $1`,
      [id],
    );
    return row ?? null;
  }

  // ---- the dispatcher's side --------------------------------------------------------------

  /**
   * Whether any delivery is due, and whether one-alert deliveries no attempt has sent yet are
   * among them (coalesce() has work): one table's partial index, so an idle poll costs next to
   * nothing and holds no lock a TRUNCATE of several tables could deadlock with (the claim below
   * locks two).
   */
  async due(): Promise<{ any: boolean; singles: boolean }> {
    const [row] = await this.db.query<{ any: boolean; singles: boolean }>(
      `SELECT EXISTS (SELECT 1 FROM webhook_deliveries
                      WHERE status = 'pending' AND next_attempt_at <= now()) AS any,
              EXISTS (SELECT 1 FROM webhook_deliveries
                      WHERE status = 'pending' AND next_attempt_at <= now() AND attempts = 0
                        AND cardinality(alert_ids) = 1) AS singles`,
    );
    return row;
  }

  /**
   * Merges the due one-alert deliveries no attempt has sent yet (events, PATCHes: one statement,
   * one alert each) into messages of up to 100 alerts per subscription and event type, oldest
   * first: 20 critical events a second are then a message or two per poll, not 20 requests. The
   * oldest of each group keeps its id and takes the others' alerts; the others go. No receiver has
   * seen their ids, and rows another replica holds are skipped. How many deliveries went.
   */
  coalesce(): Promise<number> {
    return this.db.execute(
      `WITH singles AS (
         SELECT d.id, d.subscription_id, d.type, d.alert_ids[1] AS alert_id, d.created_at
         FROM webhook_deliveries d
         WHERE d.status = 'pending' AND d.next_attempt_at <= now() AND d.attempts = 0
           AND cardinality(d.alert_ids) = 1
         ORDER BY d.created_at, d.id
         LIMIT 2000
         FOR UPDATE SKIP LOCKED
       ), groups AS (
         SELECT array_agg(c.id ORDER BY c.created_at, c.id) AS ids,
                array_agg(c.alert_id ORDER BY c.created_at, c.id) AS alert_ids
         FROM (
           SELECT s.*, (row_number() OVER (PARTITION BY s.subscription_id, s.type
                                           ORDER BY s.created_at, s.id) - 1) / 100 AS chunk
           FROM singles s
         ) c
         GROUP BY c.subscription_id, c.type, c.chunk
         HAVING count(*) > 1
       ), grown AS (
         UPDATE webhook_deliveries d SET alert_ids = g.alert_ids
         FROM groups g WHERE d.id = g.ids[1]
         RETURNING d.id
       )
       DELETE FROM webhook_deliveries d USING groups g
       WHERE d.id = ANY (g.ids[2:])`,
    );
  }

  /**
   * Up to `limit` due deliveries of enabled subscriptions, each claimed by this replica alone for
   * `leaseSeconds` (a committed claim moves it out of every other replica's reach; if this
   * process dies, it is due again when the lease ends, with the same id). Oldest due first.
   * Deliveries with no payload kept come with their alerts rendered in the same statement: one
   * statement per poll, not one more per delivery.
   */
  async claim(limit: number, leaseSeconds: number): Promise<ClaimedDelivery[]> {
    return this.db.query<ClaimedDelivery>(
      `WITH due AS (
         SELECT d.id FROM webhook_deliveries d
         WHERE d.status = 'pending' AND d.next_attempt_at <= now()
           AND EXISTS (SELECT 1 FROM webhook_subscriptions s
                       WHERE s.id = d.subscription_id AND s.enabled)
         ORDER BY d.next_attempt_at
         LIMIT $1
         FOR UPDATE SKIP LOCKED
       ), claimed AS (
         UPDATE webhook_deliveries d
         SET attempts = d.attempts + 1, next_attempt_at = now() + make_interval(secs => $2)
         FROM due, webhook_subscriptions s
         WHERE d.id = due.id AND s.id = d.subscription_id
         RETURNING d.id, d.type, d.alert_ids, d.created_at, d.attempts, d.payload,
                   s.id AS subscription_id, s.url, s.secret, s.format
       )
       SELECT c.id, c.type, c.created_at AS "createdAt", c.attempts,
              c.payload, c.subscription_id AS "subscriptionId", c.url, c.secret, c.format,
              r.json AS "alertsJson", r.n AS "alertCount"
       FROM claimed c
       CROSS JOIN LATERAL (
         ${alertDetailsJsonSql('CASE WHEN c.payload IS NULL THEN c.alert_ids END')}
       ) r`,
      [limit, leaseSeconds],
    );
  }

  /**
   * An attempt's outcome, and its subscription's failure streak: a delivery given up on adds one
   * (reaching `pauseAfter` disables the subscription, saying why), a delivered one ends it. Test
   * messages leave the streak alone.
   */
  async record(
    id: string,
    verdict: Verdict,
    latencyMs: number,
    pauseAfter: number,
    /** The body sent, to keep for the retries (null: keep what is kept). */
    body: Buffer | null,
  ): Promise<Recorded> {
    const status: DeliveryStatus =
      verdict.kind === 'delivered' ? 'delivered' : verdict.kind === 'retry' ? 'pending' : 'failed';
    const delay = verdict.kind === 'retry' ? verdict.delaySeconds : 0;
    const error = verdict.kind === 'delivered' ? null : verdict.error;
    const [row] = await this.db.query<{ recorded: number; paused_reason: string | null }>(
      `WITH d AS (
         UPDATE webhook_deliveries SET
           status = $2::text, last_attempt_at = now(), last_status_code = $3::int,
           last_error = $4::text,
           latency_ms = $5::int,
           delivered_at = CASE WHEN $2::text = 'delivered' THEN clock_timestamp() END,
           next_attempt_at = CASE WHEN $2::text = 'pending'
             THEN now() + make_interval(secs => $6::float8) ELSE next_attempt_at END,
           payload = CASE WHEN $2::text = 'pending' THEN coalesce(payload, $8::bytea) END
         WHERE id = $1 AND status = 'pending'
         RETURNING subscription_id, type, status
       ), s AS (
         UPDATE webhook_subscriptions s SET
           consecutive_failures = CASE WHEN d.status = 'failed'
             THEN s.consecutive_failures + 1 ELSE 0 END,
           enabled = s.enabled AND NOT (d.status = 'failed' AND s.consecutive_failures + 1 >= $7::int),
           paused_at = CASE WHEN d.status = 'failed' AND s.consecutive_failures + 1 >= $7::int
             AND s.enabled THEN now() ELSE s.paused_at END,
           paused_reason = CASE WHEN d.status = 'failed' AND s.consecutive_failures + 1 >= $7::int
             AND s.enabled
             THEN CASE WHEN s.consecutive_failures = 0 THEN 'Paused: a delivery failed'
                       ELSE format('Paused: %s deliveries in a row failed',
                                   s.consecutive_failures + 1) END
                  || '; the last: ' || $4::text
             ELSE s.paused_reason END
         FROM d
         WHERE s.id = d.subscription_id AND d.type <> 'webhook.test' AND d.status <> 'pending'
           AND (d.status = 'failed' OR s.consecutive_failures <> 0)
         RETURNING CASE WHEN NOT s.enabled AND s.paused_at = now() THEN s.paused_reason END
           AS paused_reason
       )
       SELECT (SELECT count(*)::int FROM d) AS recorded,
              (SELECT paused_reason FROM s LIMIT 1) AS paused_reason`,
      [id, status, verdict.status, error, Math.round(latencyMs), delay, pauseAfter, body],
    );
    return { recorded: row.recorded > 0, pausedReason: row.paused_reason };
  }

  /**
   * A test message for the subscription, claimed at once by the caller (who sends it now, once):
   * it appears in the delivery log like any other.
   */
  async insertTest(subscriptionId: string, leaseSeconds: number): Promise<ClaimedDelivery | null> {
    const [row] = await this.db.query<ClaimedDelivery>(
      `WITH d AS (
         INSERT INTO webhook_deliveries (subscription_id, type, attempts, next_attempt_at)
         SELECT id, 'webhook.test', 1, now() + make_interval(secs => $2)
         FROM webhook_subscriptions WHERE id = $1
         RETURNING *
       )
       SELECT d.id, d.type, d.created_at AS "createdAt", d.attempts,
              d.payload, s.id AS "subscriptionId", s.url, s.secret, s.format,
              '[]' AS "alertsJson", 0 AS "alertCount"
       FROM d JOIN webhook_subscriptions s ON s.id = d.subscription_id`,
      [subscriptionId, leaseSeconds],
    );
    return row ?? null;
  }

  /** Deletes delivered and failed deliveries older than `days` days; how many went. */
  purgeFinished(days: number): Promise<number> {
    return this.db.execute(
      `DELETE FROM webhook_deliveries
       WHERE status <> 'pending' AND created_at < now() - make_interval(days => $1::int)`,
      [days],
    );
  }

  /** Pending deliveries per subscription (a gauge read at scrape time). */
  pendingBySubscription(): Promise<Array<{ subscription_id: string; n: number }>> {
    return this.db.query(
      `SELECT subscription_id, count(*)::int AS n FROM webhook_deliveries
       WHERE status = 'pending' GROUP BY subscription_id`,
    );
  }
}
