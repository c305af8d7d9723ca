import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A version for the enrichment context, so each replica can hold the two context tables in
 * memory and still enrich every batch with what is committed: a batch asks for the version (one
 * row) and re-reads the tables only when it changed. A statement trigger on both tables bumps it
 * in the writing transaction, whatever wrote (the API, the demo seed, psql); a TRUNCATE
 * included.
 */
export class ContextVersion1764000000100 implements MigrationInterface {
  name = 'ContextVersion1764000000100';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE context_state (
        id smallint PRIMARY KEY CHECK (id = 1),
        version bigint NOT NULL
      )`);
    await db.query(`INSERT INTO context_state (id, version) VALUES (1, 0)`);
    await db.query(`
      CREATE FUNCTION context_changed() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        UPDATE context_state SET version = version + 1 WHERE id = 1;
        RETURN NULL;
      END
      $$`);
    for (const table of ['context_ip_users', 'context_assets']) {
      await db.query(
        `CREATE TRIGGER ${table}_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON ${table}
         FOR EACH STATEMENT EXECUTE FUNCTION context_changed()`,
      );
    }
  }

  async down(db: QueryRunner): Promise<void> {
    for (const table of ['context_ip_users', 'context_assets']) {
      await db.query(`DROP TRIGGER ${table}_changed ON ${table}`);
    }
    await db.query(`DROP FUNCTION context_changed()`);
    await db.query(`DROP TABLE context_state`);
  }
}
