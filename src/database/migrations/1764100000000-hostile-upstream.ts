import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * What an untrusted upstream needs of the schema:
 * - quarantined records are kept as their JSON text (`raw`, cut at a bound, with the whole
 *   text's size in `raw_bytes`) rather than as jsonb, which refuses NUL, unpaired surrogates and
 *   deep nesting: one such record used to fail its whole page. Records quarantined before keep
 *   their `payload`; the previous release still writes `payload`, so both stay allowed.
 * - a run records its mode (`reconcile` re-reads a window for alerts that reached the upstream
 *   late), how many of those it found (`late`), and how many alerts it stored dated more than
 *   SYNC_MAX_FUTURE_SECONDS ahead (`future_dated`). Defaults keep the previous release's inserts
 *   valid.
 */
export class HostileUpstream1764100000000 implements MigrationInterface {
  name = 'HostileUpstream1764100000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      ALTER TABLE quarantine
        ALTER COLUMN payload DROP NOT NULL,
        ADD COLUMN raw text,
        ADD COLUMN raw_bytes integer,
        ADD CONSTRAINT quarantine_record_kept CHECK (payload IS NOT NULL OR raw IS NOT NULL)`);
    await db.query(`
      ALTER TABLE sync_runs
        ADD COLUMN mode varchar(16) NOT NULL DEFAULT 'incremental',
        ADD COLUMN late integer NOT NULL DEFAULT 0,
        ADD COLUMN future_dated integer NOT NULL DEFAULT 0,
        ADD CONSTRAINT sync_runs_mode_known CHECK (mode IN ('incremental', 'reconcile'))`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`
      ALTER TABLE sync_runs DROP CONSTRAINT sync_runs_mode_known,
        DROP COLUMN future_dated, DROP COLUMN late, DROP COLUMN mode`);
    // Text-only records cannot go back to a NOT NULL jsonb column as they are.
    await db.query(`DELETE FROM quarantine WHERE payload IS NULL`);
    await db.query(`
      ALTER TABLE quarantine DROP CONSTRAINT quarantine_record_kept,
        DROP COLUMN raw_bytes, DROP COLUMN raw, ALTER COLUMN payload SET NOT NULL`);
  }
}
