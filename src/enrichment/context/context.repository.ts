import { Injectable } from '@nestjs/common';
import type { Severity } from '../../common/severity.js';
import { ConflictError } from '../../common/problem/domain-error.js';
import { Database, isUniqueViolation, type Queryable } from '../../database/database.js';
import type { ContextSnapshot } from './context-index.js';
import type {
  AssetOwner,
  IpUserMapping,
  NewAssetOwner,
  NewIpUserMapping,
} from './context.types.js';

interface IpUserRow {
  id: string;
  network: string;
  user_name: string;
  note: string | null;
  created_at: Date;
}
interface AssetRow {
  source: string;
  owner_team: string;
  criticality: Severity | null;
  note: string | null;
  created_at: Date;
}

const IP_USER_COLUMNS = 'id, network::text AS network, user_name, note, created_at';
const ASSET_COLUMNS = 'source, owner_team, criticality, note, created_at';

// Both tables and the version they are at, in one statement: one snapshot, so the version
// names exactly the rows read with it.
const SNAPSHOT_SQL = `
  SELECT (SELECT version::text FROM context_state WHERE id = 1) AS version,
         (SELECT coalesce(json_agg(json_build_object('network', network::text, 'userName', user_name)), '[]')
            FROM context_ip_users) AS "ipUsers",
         (SELECT coalesce(json_agg(json_build_object(
                   'source', source, 'ownerTeam', owner_team, 'criticality', criticality)), '[]')
            FROM context_assets) AS assets`;

const toMapping = (row: IpUserRow): IpUserMapping => ({
  id: row.id,
  network: row.network,
  userName: row.user_name,
  note: row.note,
  createdAt: row.created_at,
});
const toAsset = (row: AssetRow): AssetOwner => ({
  source: row.source,
  ownerTeam: row.owner_team,
  criticality: row.criticality,
  note: row.note,
  createdAt: row.created_at,
});

@Injectable()
export class ContextRepository {
  constructor(private readonly db: Database) {}

  /**
   * The context's version: it moves with every write to either table, in the writing
   * transaction (a trigger; see the ContextVersion migration). Null if its row is missing.
   */
  async version(): Promise<string | null> {
    const rows = await this.db.query<{ version: string }>(
      'SELECT version::text AS version FROM context_state WHERE id = 1',
    );
    return rows[0]?.version ?? null;
  }

  /** Both tables, whole, with the version they are at. */
  async snapshot(): Promise<ContextSnapshot> {
    const [row] = await this.db.query<ContextSnapshot>(SNAPSHOT_SQL);
    return row;
  }

  async listIpUsers(): Promise<IpUserMapping[]> {
    const rows = await this.db.query<IpUserRow>(
      `SELECT ${IP_USER_COLUMNS} FROM context_ip_users ORDER BY family(network), network, id`,
    );
    return rows.map(toMapping);
  }

  async insertIpUser(mapping: NewIpUserMapping): Promise<IpUserMapping> {
    const rows = await this.unique(
      `A user mapping for network ${mapping.network} already exists`,
      () =>
        this.db.query<IpUserRow>(
          `INSERT INTO context_ip_users (network, user_name, note) VALUES ($1::cidr, $2, $3)
           RETURNING ${IP_USER_COLUMNS}`,
          [mapping.network, mapping.userName, mapping.note],
        ),
    );
    return toMapping(rows[0]);
  }

  /** True when a row was deleted. */
  async deleteIpUser(id: string): Promise<boolean> {
    return this.deleted(`DELETE FROM context_ip_users WHERE id = $1`, [id]);
  }

  async listAssets(): Promise<AssetOwner[]> {
    const rows = await this.db.query<AssetRow>(
      `SELECT ${ASSET_COLUMNS} FROM context_assets ORDER BY source`,
    );
    return rows.map(toAsset);
  }

  async insertAsset(asset: NewAssetOwner): Promise<AssetOwner> {
    const rows = await this.unique(`An owner for source ${asset.source} already exists`, () =>
      this.db.query<AssetRow>(
        `INSERT INTO context_assets (source, owner_team, criticality, note) VALUES ($1, $2, $3, $4)
           RETURNING ${ASSET_COLUMNS}`,
        [asset.source, asset.ownerTeam, asset.criticality, asset.note],
      ),
    );
    return toAsset(rows[0]);
  }

  async deleteAsset(source: string): Promise<boolean> {
    return this.deleted(`DELETE FROM context_assets WHERE source = $1`, [source]);
  }

  /**
   * Inserts the given rows when both context tables are empty, atomically (concurrent replicas
   * starting at once seed once). Returns whether it seeded.
   */
  seedWhenEmpty(mappings: NewIpUserMapping[], assets: NewAssetOwner[]): Promise<boolean> {
    return this.db.transaction(async (tx) => {
      await tx.query('LOCK TABLE context_ip_users, context_assets IN SHARE ROW EXCLUSIVE MODE');
      const [{ rows }] = await tx.query<{ rows: string }>(
        `SELECT (SELECT count(*) FROM context_ip_users) + (SELECT count(*) FROM context_assets) AS rows`,
      );
      if (Number(rows) > 0) return false;
      await this.insertMany(tx, mappings, assets);
      return true;
    });
  }

  private async insertMany(
    db: Queryable,
    mappings: NewIpUserMapping[],
    assets: NewAssetOwner[],
  ): Promise<void> {
    await db.query(
      `INSERT INTO context_ip_users (network, user_name, note)
       SELECT * FROM unnest($1::cidr[], $2::text[], $3::text[])`,
      [
        mappings.map((m) => m.network),
        mappings.map((m) => m.userName),
        mappings.map((m) => m.note),
      ],
    );
    await db.query(
      `INSERT INTO context_assets (source, owner_team, criticality, note)
       SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[])`,
      [
        assets.map((a) => a.source),
        assets.map((a) => a.ownerTeam),
        assets.map((a) => a.criticality),
        assets.map((a) => a.note),
      ],
    );
  }

  private async deleted(sql: string, params: unknown[]): Promise<boolean> {
    return (await this.db.execute(sql, params)) > 0;
  }

  private async unique<T>(conflict: string, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (error) {
      if (isUniqueViolation(error)) {
        throw new ConflictError(conflict);
      }
      throw error;
    }
  }
}
