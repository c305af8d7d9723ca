import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The `ip` pivot (`GET /api/alerts?ip=`, `GET /api/events?ip=`, `GET /api/alerts/{id}/related`):
 * a plain btree on each address column of `alerts` and `events`. The filter is
 * `(src_ip <<= $ip OR dst_ip <<= $ip)`; PostgreSQL turns `<<=` of a constant into a range on a
 * btree (network_subset_support), so a rare address or network is a BitmapOr of two index ranges,
 * and a common one (10.0.0.0/8 on a store whose sources are all internal) walks the newest-first
 * index and stops at the page. A btree was measured cheaper to maintain than GiST `inet_ops` and
 * serves the same plans (README "Pivots"); no composite with `created_at`: the OR of two columns
 * cannot be read in order from either one.
 *
 * Built CONCURRENTLY (outside a transaction), so writers go on while a large store is indexed; an
 * index left invalid by an interrupted build is dropped and built again when the migration reruns.
 */
const INDEXES = [
  ['alerts_src_ip_idx', 'alerts', 'src_ip'],
  ['alerts_dst_ip_idx', 'alerts', 'dst_ip'],
  ['events_src_ip_idx', 'events', 'src_ip'],
  ['events_dst_ip_idx', 'events', 'dst_ip'],
] as const;

export class IpPivots1764500000000 implements MigrationInterface {
  name = 'IpPivots1764500000000';
  transaction = false;

  async up(db: QueryRunner): Promise<void> {
    for (const [index, table, column] of INDEXES) {
      const [existing] = (await db.query(
        `SELECT i.indisvalid AS valid FROM pg_index i
         WHERE i.indexrelid = to_regclass($1)`,
        [index],
      )) as Array<{ valid: boolean }>;
      if (existing?.valid) continue;
      if (existing) await db.query(`DROP INDEX CONCURRENTLY ${index}`);
      await db.query(`CREATE INDEX CONCURRENTLY ${index} ON ${table} (${column})`);
    }
  }

  async down(db: QueryRunner): Promise<void> {
    for (const [index] of INDEXES) await db.query(`DROP INDEX IF EXISTS ${index}`);
  }
}
