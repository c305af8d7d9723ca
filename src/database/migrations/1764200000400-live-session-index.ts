import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Every authenticated request asks whether its session (refresh-token family) still has an
 * unrevoked token. With only the family index that reads each of the family's rows (one per
 * refresh, hundreds over a week) once the family is revoked; this partial index answers from the
 * index alone, live or revoked, whatever the family's length.
 */
export class LiveSessionIndex1764200000400 implements MigrationInterface {
  name = 'LiveSessionIndex1764200000400';

  async up(db: QueryRunner): Promise<void> {
    await db.query(
      `CREATE INDEX refresh_tokens_live_family_idx ON refresh_tokens (family_id, user_id)
        WHERE revoked_at IS NULL`,
    );
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP INDEX refresh_tokens_live_family_idx`);
  }
}
