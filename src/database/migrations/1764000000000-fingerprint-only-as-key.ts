import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * An alert's fingerprint is its dedup key only when the upstream gave no id; for every other
 * alert it was a SHA-256 computed, sent and stored for nothing (about a tenth of the CPU a sync
 * spends normalising, enriching and encoding an alert). It is now null for those, and a check
 * keeps every alert with one key or the other. Fingerprints already stored stay: harmless, and
 * rewriting every row is not worth it.
 */
export class FingerprintOnlyAsKey1764000000000 implements MigrationInterface {
  name = 'FingerprintOnlyAsKey1764000000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE alerts ALTER COLUMN fingerprint DROP NOT NULL`);
    await db.query(
      `ALTER TABLE alerts ADD CONSTRAINT alerts_dedup_key_present
         CHECK (external_id IS NOT NULL OR fingerprint IS NOT NULL)`,
    );
  }

  async down(db: QueryRunner): Promise<void> {
    // Any value satisfies NOT NULL again: these rows are keyed by (source, external_id).
    await db.query(
      `UPDATE alerts SET fingerprint = sha256(convert_to(source || ' ' || external_id, 'UTF8'))
       WHERE fingerprint IS NULL`,
    );
    await db.query(`ALTER TABLE alerts DROP CONSTRAINT alerts_dedup_key_present`);
    await db.query(`ALTER TABLE alerts ALTER COLUMN fingerprint SET NOT NULL`);
  }
}
