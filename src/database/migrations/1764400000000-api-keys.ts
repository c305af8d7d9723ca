import { MigrationInterface, QueryRunner } from 'typeorm';

const GROUPS_BEFORE = `ARRAY['admin', 'analyst']::text[]`;
const GROUPS = `ARRAY['admin', 'analyst', 'ingest']::text[]`;

/**
 * API keys (service accounts): machines authenticate with a long random secret instead of an
 * admin's password. Only the SHA-256 of the secret is stored (the secret is shown once, on
 * create); `prefix` is its first characters, enough to tell keys apart in a list and useless to
 * an attacker. A key is never deleted: revoking stamps `revoked_at`, so the list keeps who made
 * it and when it was last used.
 *
 * The new `ingest` group (may only push alerts) is open to users too: the users API validates
 * groups against the same list, so the users' check is widened to match.
 */
export class ApiKeys1764400000000 implements MigrationInterface {
  name = 'ApiKeys1764400000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE users DROP CONSTRAINT users_groups_known`);
    await db.query(
      `ALTER TABLE users ADD CONSTRAINT users_groups_known CHECK (groups <@ ${GROUPS})`,
    );
    await db.query(`
      CREATE TABLE api_keys (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        name varchar(60) NOT NULL,
        groups text[] NOT NULL,
        key_hash bytea NOT NULL,
        prefix varchar(16) NOT NULL,
        created_by uuid REFERENCES users (id) ON DELETE SET NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        expires_at timestamptz,
        last_used_at timestamptz,
        revoked_at timestamptz,
        CONSTRAINT api_keys_key_hash_key UNIQUE (key_hash),
        CONSTRAINT api_keys_groups_known CHECK (groups <@ ${GROUPS} AND cardinality(groups) > 0),
        CONSTRAINT api_keys_hash_is_sha256 CHECK (octet_length(key_hash) = 32)
      )`);
    // A live key's name is what audit records show (key:<name>): one live key per name, in any
    // case; a revoked key's name may be reused.
    await db.query(
      `CREATE UNIQUE INDEX api_keys_live_name_key ON api_keys (lower(name)) WHERE revoked_at IS NULL`,
    );
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE api_keys`);
    await db.query(`UPDATE users SET groups = array_remove(groups, 'ingest')`);
    await db.query(`ALTER TABLE users DROP CONSTRAINT users_groups_known`);
    await db.query(
      `ALTER TABLE users ADD CONSTRAINT users_groups_known CHECK (groups <@ ${GROUPS_BEFORE})`,
    );
  }
}
