import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Alerts a source pushes (POST /api/ingest/alerts) are stored with origin `push`.
 *
 * The new check admits every value the old one did, so no stored row can break it: it is added
 * NOT VALID (no scan of `alerts` under the ALTER's exclusive lock, which would stop every writer
 * for seconds at millions of alerts) and validated by a statement of its own, which scans under a
 * lock that lets reads and writes go on. Hence no transaction around the two; run again after a
 * stop between them, the first statement simply replaces the constraint once more.
 *
 * Down: the previous release knows no `push`, so pushed alerts become `upstream` alerts (they
 * came from a source outside Vigil, as synced ones do) rather than being deleted. TypeORM reverts
 * a migration in a transaction whatever `transaction` says, so that change and the narrower check
 * commit together.
 */
export class PushOrigin1764400000100 implements MigrationInterface {
  name = 'PushOrigin1764400000100';
  transaction = false;

  async up(db: QueryRunner): Promise<void> {
    await db.query(
      `ALTER TABLE alerts DROP CONSTRAINT alerts_origin_known,
         ADD CONSTRAINT alerts_origin_known CHECK (origin IN ('upstream', 'event', 'push')) NOT VALID`,
    );
    await db.query(`ALTER TABLE alerts VALIDATE CONSTRAINT alerts_origin_known`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`UPDATE alerts SET origin = 'upstream' WHERE origin = 'push'`);
    await db.query(
      `ALTER TABLE alerts DROP CONSTRAINT alerts_origin_known,
         ADD CONSTRAINT alerts_origin_known CHECK (origin IN ('upstream', 'event'))`,
    );
  }
}
