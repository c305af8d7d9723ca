import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Alerts, the ingestion bookkeeping (bookmark, runs, quarantine), runtime settings and the
 * enrichment context tables. SQL valid on PostgreSQL 15 (servers) and 18 (PGlite).
 */
export class AlertsAndIngestion1763800000000 implements MigrationInterface {
  name = 'AlertsAndIngestion1763800000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE alerts (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        source varchar(64) NOT NULL,
        external_id varchar(256),
        -- SHA-256 of the normalised alert; the dedup key when the upstream gives no id
        fingerprint bytea NOT NULL,
        origin varchar(16) NOT NULL DEFAULT 'upstream',
        severity varchar(16) NOT NULL,
        status varchar(16) NOT NULL DEFAULT 'open',
        description text NOT NULL,
        created_at timestamptz NOT NULL,
        ingested_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        src_ip inet,
        dst_ip inet,
        country char(2),
        user_name varchar(128),
        enrichment_type varchar(16) NOT NULL DEFAULT 'clean',
        enrichment jsonb NOT NULL DEFAULT '{"errors": []}',
        assignee_id uuid REFERENCES users (id) ON DELETE SET NULL,
        resolution varchar(32),
        event_id uuid,
        version integer NOT NULL DEFAULT 1,
        CONSTRAINT alerts_origin_known CHECK (origin IN ('upstream', 'event')),
        CONSTRAINT alerts_severity_known CHECK (severity IN ('low', 'medium', 'high', 'critical')),
        CONSTRAINT alerts_status_known CHECK (status IN ('open', 'acknowledged', 'resolved')),
        CONSTRAINT alerts_enrichment_type_known CHECK (enrichment_type IN ('tor_exit_node', 'clean')),
        CONSTRAINT alerts_resolution_known CHECK (
          resolution IS NULL OR resolution IN ('true_positive', 'false_positive', 'benign', 'duplicate'))
      )`);
    // Dedup: (source, external_id) when the upstream gives an id, else the fingerprint.
    await db.query(
      `CREATE UNIQUE INDEX alerts_source_external_id_key ON alerts (source, external_id) WHERE external_id IS NOT NULL`,
    );
    await db.query(
      `CREATE UNIQUE INDEX alerts_fingerprint_key ON alerts (fingerprint) WHERE external_id IS NULL`,
    );
    // Newest-first listing and keyset paging, alone and under the common equality filters.
    await db.query(`CREATE INDEX alerts_created_idx ON alerts (created_at DESC, id DESC)`);
    for (const column of [
      'severity',
      'status',
      'source',
      'country',
      'user_name',
      'enrichment_type',
    ]) {
      await db.query(
        `CREATE INDEX alerts_${column}_created_idx ON alerts (${column}, created_at DESC, id DESC)`,
      );
    }

    await db.query(`
      CREATE TABLE sync_state (
        id smallint PRIMARY KEY DEFAULT 1 CHECK (id = 1),
        bookmark timestamptz,
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await db.query(`INSERT INTO sync_state (id, bookmark) VALUES (1, NULL)`);

    await db.query(`
      CREATE TABLE sync_runs (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        trigger varchar(16) NOT NULL,
        started_at timestamptz NOT NULL DEFAULT now(),
        finished_at timestamptz,
        result varchar(16) NOT NULL DEFAULT 'running',
        fetched integer NOT NULL DEFAULT 0,
        inserted integer NOT NULL DEFAULT 0,
        duplicates integer NOT NULL DEFAULT 0,
        quarantined integer NOT NULL DEFAULT 0,
        pages integer NOT NULL DEFAULT 0,
        error text,
        host varchar(255),
        CONSTRAINT sync_runs_result_known CHECK (result IN ('running', 'success', 'failed', 'interrupted')),
        CONSTRAINT sync_runs_trigger_known CHECK (trigger IN ('startup', 'schedule', 'manual'))
      )`);
    await db.query(`CREATE INDEX sync_runs_started_idx ON sync_runs (started_at DESC)`);

    await db.query(`
      CREATE TABLE quarantine (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        run_id uuid REFERENCES sync_runs (id) ON DELETE SET NULL,
        -- SHA-256 of the raw record: the same bad record fetched again is stored once
        payload_hash bytea NOT NULL,
        payload jsonb NOT NULL,
        reason text NOT NULL,
        received_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT quarantine_payload_hash_key UNIQUE (payload_hash)
      )`);
    await db.query(`CREATE INDEX quarantine_received_idx ON quarantine (received_at DESC)`);

    await db.query(`
      CREATE TABLE app_settings (
        key varchar(64) PRIMARY KEY,
        value jsonb NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);

    // Enrichment context: who sits behind an internal address, which team owns a source.
    await db.query(`
      CREATE TABLE context_ip_users (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        network cidr NOT NULL,
        user_name varchar(128) NOT NULL,
        note text,
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT context_ip_users_network_key UNIQUE (network)
      )`);
    await db.query(`
      CREATE TABLE context_assets (
        source varchar(64) PRIMARY KEY,
        owner_team varchar(128) NOT NULL,
        criticality varchar(16),
        note text,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
  }

  async down(db: QueryRunner): Promise<void> {
    for (const table of [
      'context_assets',
      'context_ip_users',
      'app_settings',
      'quarantine',
      'sync_runs',
      'sync_state',
      'alerts',
    ]) {
      await db.query(`DROP TABLE ${table}`);
    }
  }
}
