import { Injectable } from '@nestjs/common';
import { NotFoundError } from '../../common/problem/domain-error.js';
import { parseCidr } from '../ip-address.js';
import { ContextRepository } from './context.repository.js';
import type {
  AssetOwner,
  IpUserMapping,
  NewAssetOwner,
  NewIpUserMapping,
} from './context.types.js';

/** The context tables as the admin API sees them. */
@Injectable()
export class ContextService {
  constructor(private readonly context: ContextRepository) {}

  listIpUsers(): Promise<IpUserMapping[]> {
    return this.context.listIpUsers();
  }

  /** The network is stored in canonical form (a single address becomes a /32 or /128). */
  createIpUser(mapping: NewIpUserMapping): Promise<IpUserMapping> {
    const cidr = parseCidr(mapping.network);
    if (!cidr.ok) throw new Error(`network ${cidr.reason}`); // the DTO has refused it already
    return this.context.insertIpUser({
      network: cidr.network,
      userName: mapping.userName.trim(),
      note: mapping.note?.trim() || null,
    });
  }

  async deleteIpUser(id: string): Promise<void> {
    if (!(await this.context.deleteIpUser(id))) throw new NotFoundError('IP user mapping', id);
  }

  listAssets(): Promise<AssetOwner[]> {
    return this.context.listAssets();
  }

  createAsset(asset: NewAssetOwner): Promise<AssetOwner> {
    return this.context.insertAsset({
      ...asset,
      ownerTeam: asset.ownerTeam.trim(),
      note: asset.note?.trim() || null,
    });
  }

  async deleteAsset(source: string): Promise<void> {
    if (!(await this.context.deleteAsset(source)))
      throw new NotFoundError('Asset owner for source', source);
  }
}
