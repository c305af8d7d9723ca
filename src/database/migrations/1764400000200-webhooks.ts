import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Webhook subscriptions and their transactional outbox.
 *
 * - `webhook_subscriptions`: a target URL, the events it wants, its filter (the alert list's
 *   filters that make sense for a stream of alerts, one nullable column each: null matches all),
 *   its signing secret, and whether it is enabled or paused (and why).
 * - `webhook_deliveries`: the outbox. One row is one message to one subscription: its id is the
 *   `webhook-id` every attempt carries, `alert_ids` the alerts it reports (at most BATCH), and
 *   `payload` the body as the first failed attempt sent it, so every retry sends the same bytes.
 *
 * Statement-level AFTER INSERT / UPDATE triggers on `alerts` write the deliveries in the
 * transaction that writes the alerts, whoever writes them (a sync's page, an event, a push, a
 * PATCH, a bulk change): a rolled-back alert leaves no delivery, a committed one cannot lose its
 * delivery. The alerts of one statement are batched per subscription, BATCH to a delivery, so a
 * bulk change of 10,000 alerts is 100 messages, not 10,000. With no enabled subscription for the
 * event, a statement pays one look at the (small) subscriptions table.
 */
const BATCH = 100;

/** An alert `n` matches subscription `s`'s filter (each filter column null = any). */
const MATCHES = `(s.filter_severities IS NULL OR n.severity = ANY (s.filter_severities))
  AND (s.filter_status IS NULL OR n.status = s.filter_status)
  AND (s.filter_source IS NULL OR n.source = s.filter_source)
  AND (s.filter_country IS NULL OR n.country = s.filter_country)
  AND (s.filter_user IS NULL OR n.user_name = s.filter_user)
  AND (s.filter_enrichment_type IS NULL OR n.enrichment_type = s.filter_enrichment_type)
  AND (s.filter_origin IS NULL OR n.origin = s.filter_origin)
  AND (s.filter_text IS NULL OR strpos(lower(n.description), lower(s.filter_text)) > 0)`;

/**
 * The trigger function `name`: for the alerts `alerts` (a FROM list naming the statement's rows
 * `n`, with `where` to keep only some), one delivery per enabled subscription wanting `event` and
 * BATCH matching alerts.
 */
export const outboxFunction = (name: string, event: string, alerts: string, where = 'true') => `
  CREATE FUNCTION ${name}() RETURNS trigger LANGUAGE plpgsql AS $$
  BEGIN
    IF EXISTS (SELECT 1 FROM webhook_subscriptions WHERE enabled AND '${event}' = ANY (events)) THEN
      INSERT INTO webhook_deliveries (subscription_id, type, alert_ids)
      SELECT m.sid, '${event}', array_agg(m.id ORDER BY m.created_at, m.id)
      FROM (
        SELECT s.id AS sid, n.id, n.created_at,
          (row_number() OVER (PARTITION BY s.id ORDER BY n.created_at, n.id) - 1) / ${BATCH} AS chunk
        FROM ${alerts} JOIN webhook_subscriptions s ON ${MATCHES}
        WHERE s.enabled AND '${event}' = ANY (s.events) AND ${where}
      ) m
      GROUP BY m.sid, m.chunk;
    END IF;
    RETURN NULL;
  END $$`;

/** The `alert.changed` outbox trigger's function as this migration made it (…400 replaces it). */
export const CHANGED_OUTBOX_FUNCTION = outboxFunction(
  'webhook_outbox_changed',
  'alert.changed',
  'new_rows n JOIN old_rows o ON o.id = n.id',
  `(n.status, n.assignee_id, n.resolution)
     IS DISTINCT FROM (o.status, o.assignee_id, o.resolution)`,
);

export class Webhooks1764400000200 implements MigrationInterface {
  name = 'Webhooks1764400000200';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE webhook_subscriptions (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        url text NOT NULL,
        events text[] NOT NULL,
        format varchar(16) NOT NULL DEFAULT 'standard',
        enabled boolean NOT NULL DEFAULT true,
        secret text NOT NULL,
        filter_severities text[],
        filter_status varchar(16),
        filter_source varchar(64),
        filter_country char(2),
        filter_user varchar(128),
        filter_enrichment_type varchar(16),
        filter_origin varchar(16),
        filter_text varchar(200),
        consecutive_failures int NOT NULL DEFAULT 0,
        paused_at timestamptz,
        paused_reason text,
        created_by uuid REFERENCES users (id) ON DELETE SET NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT webhook_events_known CHECK (
          cardinality(events) > 0 AND events <@ ARRAY['alert.created', 'alert.changed']::text[]),
        CONSTRAINT webhook_format_known CHECK (format IN ('standard', 'slack')),
        CONSTRAINT webhook_url_http CHECK (url ~ '^https?://')
      )`);
    await db.query(`
      CREATE TABLE webhook_deliveries (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        subscription_id uuid NOT NULL REFERENCES webhook_subscriptions (id) ON DELETE CASCADE,
        type varchar(32) NOT NULL,
        alert_ids uuid[] NOT NULL DEFAULT '{}',
        created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
        status varchar(16) NOT NULL DEFAULT 'pending',
        attempts int NOT NULL DEFAULT 0,
        next_attempt_at timestamptz NOT NULL DEFAULT now(),
        last_attempt_at timestamptz,
        last_status_code int,
        last_error text,
        latency_ms int,
        delivered_at timestamptz,
        payload bytea,
        CONSTRAINT webhook_delivery_status_known CHECK (status IN ('pending', 'delivered', 'failed'))
      )`);
    // The dispatcher's claim reads due rows only; the log reads a subscription's newest first.
    await db.query(`CREATE INDEX webhook_deliveries_due_idx ON webhook_deliveries (next_attempt_at)
      WHERE status = 'pending'`);
    await db.query(`CREATE INDEX webhook_deliveries_log_idx
      ON webhook_deliveries (subscription_id, created_at DESC, id DESC)`);

    await db.query(outboxFunction('webhook_outbox_created', 'alert.created', 'new_rows n'));
    // A change is one the workflow makes (status, assignee, resolution); the filter is matched
    // against the alert as changed.
    await db.query(CHANGED_OUTBOX_FUNCTION);
    await db.query(`
      CREATE TRIGGER alerts_webhook_created AFTER INSERT ON alerts
      REFERENCING NEW TABLE AS new_rows
      FOR EACH STATEMENT EXECUTE FUNCTION webhook_outbox_created()`);
    await db.query(`
      CREATE TRIGGER alerts_webhook_changed AFTER UPDATE ON alerts
      REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
      FOR EACH STATEMENT EXECUTE FUNCTION webhook_outbox_changed()`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TRIGGER alerts_webhook_changed ON alerts`);
    await db.query(`DROP TRIGGER alerts_webhook_created ON alerts`);
    await db.query(`DROP FUNCTION webhook_outbox_changed()`);
    await db.query(`DROP FUNCTION webhook_outbox_created()`);
    await db.query(`DROP TABLE webhook_deliveries`);
    await db.query(`DROP TABLE webhook_subscriptions`);
  }
}
