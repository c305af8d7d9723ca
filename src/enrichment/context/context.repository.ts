import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager, QueryFailedError } from 'typeorm';
import type { Severity } from '../../alerts/alert.types.js';
import { ConflictError } from '../../common/problem/domain-error.js';
import type {
  AssetOwner,
  ContextMatches,
  IpUserMapping,
  NewAssetOwner,
  NewIpUserMapping,
} from './context.types.js';

const PG_UNIQUE_VIOLATION = '23505';

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
interface MatchRow {
  kind: 'ip' | 'asset';
  i: number;
  user_name: string | null;
  network: string | null;
  owner_team: string | null;
  criticality: Severity | null;
}

const IP_USER_COLUMNS = 'id, network::text AS network, user_name, note, created_at';
const ASSET_COLUMNS = 'source, owner_team, criticality, note, created_at';

// For each distinct address the most specific (longest prefix) network holding it, and for each
// distinct source its owner: one round trip per batch, whatever its size.
const LOOKUP_SQL = `
  SELECT 'ip' AS kind, ips.i::int AS i, hit.user_name, hit.network::text AS network,
         NULL::text AS owner_team, NULL::text AS criticality
    FROM unnest($1::inet[]) WITH ORDINALITY AS ips (ip, i)
    CROSS JOIN LATERAL (
      SELECT u.user_name, u.network
        FROM context_ip_users u
       WHERE u.network >>= ips.ip
       ORDER BY masklen(u.network) DESC
       LIMIT 1
    ) hit
  UNION ALL
  SELECT 'asset', s.i::int, NULL, NULL, a.owner_team, a.criticality
    FROM unnest($2::text[]) WITH ORDINALITY AS s (source, i)
    JOIN context_assets a ON a.source = s.source`;

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

/** Anything with `query(sql, params)` answering rows: the DataSource, or a transaction's manager. */
type Queryable = Pick<DataSource, 'query'> | EntityManager;

@Injectable()
export class ContextRepository {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * `ips` must be canonical addresses (see lookupAddress); `sources` as stored. Both without
   * duplicates. Answers only what matched.
   */
  async lookup(ips: readonly string[], sources: readonly string[]): Promise<ContextMatches> {
    const matches: ContextMatches = { ipUsers: new Map(), assets: new Map() };
    if (ips.length === 0 && sources.length === 0) return matches;
    const rows: MatchRow[] = await this.dataSource.query(LOOKUP_SQL, [ips, sources]);
    for (const row of rows) {
      if (row.kind === 'ip') {
        matches.ipUsers.set(ips[row.i - 1], { userName: row.user_name!, network: row.network! });
      } else {
        matches.assets.set(sources[row.i - 1], {
          ownerTeam: row.owner_team!,
          criticality: row.criticality,
        });
      }
    }
    return matches;
  }

  async listIpUsers(): Promise<IpUserMapping[]> {
    const rows: IpUserRow[] = await this.dataSource.query(
      `SELECT ${IP_USER_COLUMNS} FROM context_ip_users ORDER BY family(network), network, id`,
    );
    return rows.map(toMapping);
  }

  async insertIpUser(mapping: NewIpUserMapping): Promise<IpUserMapping> {
    const rows: IpUserRow[] = await this.unique(
      `A user mapping for network ${mapping.network} already exists`,
      () =>
        this.dataSource.query(
          `INSERT INTO context_ip_users (network, user_name, note) VALUES ($1::cidr, $2, $3)
           RETURNING ${IP_USER_COLUMNS}`,
          [mapping.network, mapping.userName, mapping.note],
        ),
    );
    return toMapping(rows[0]);
  }

  /** True when a row was deleted. */
  async deleteIpUser(id: string): Promise<boolean> {
    return this.deleted(`DELETE FROM context_ip_users WHERE id = $1 RETURNING 1`, [id]);
  }

  async listAssets(): Promise<AssetOwner[]> {
    const rows: AssetRow[] = await this.dataSource.query(
      `SELECT ${ASSET_COLUMNS} FROM context_assets ORDER BY source`,
    );
    return rows.map(toAsset);
  }

  async insertAsset(asset: NewAssetOwner): Promise<AssetOwner> {
    const rows: AssetRow[] = await this.unique(
      `An owner for source ${asset.source} already exists`,
      () =>
        this.dataSource.query(
          `INSERT INTO context_assets (source, owner_team, criticality, note) VALUES ($1, $2, $3, $4)
           RETURNING ${ASSET_COLUMNS}`,
          [asset.source, asset.ownerTeam, asset.criticality, asset.note],
        ),
    );
    return toAsset(rows[0]);
  }

  async deleteAsset(source: string): Promise<boolean> {
    return this.deleted(`DELETE FROM context_assets WHERE source = $1 RETURNING 1`, [source]);
  }

  /**
   * Inserts the given rows when both context tables are empty, atomically (concurrent replicas
   * starting at once seed once). Returns whether it seeded.
   */
  seedWhenEmpty(mappings: NewIpUserMapping[], assets: NewAssetOwner[]): Promise<boolean> {
    return this.dataSource.transaction(async (manager) => {
      await manager.query(
        'LOCK TABLE context_ip_users, context_assets IN SHARE ROW EXCLUSIVE MODE',
      );
      const [{ rows }]: Array<{ rows: number }> = await manager.query(
        `SELECT (SELECT count(*) FROM context_ip_users) + (SELECT count(*) FROM context_assets) AS rows`,
      );
      if (Number(rows) > 0) return false;
      await this.insertMany(manager, mappings, assets);
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
    const rows: unknown[] = await this.dataSource.query(
      `WITH d AS (${sql}) SELECT 1 FROM d`,
      params,
    );
    return rows.length > 0;
  }

  private async unique<T>(conflict: string, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (error) {
      if (
        error instanceof QueryFailedError &&
        (error.driverError as { code?: string } | undefined)?.code === PG_UNIQUE_VIOLATION
      ) {
        throw new ConflictError(conflict);
      }
      throw error;
    }
  }
}
