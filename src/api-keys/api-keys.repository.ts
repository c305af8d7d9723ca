import { Injectable } from '@nestjs/common';
import { ConflictError } from '../common/problem/domain-error.js';
import { Database, isUniqueViolation } from '../database/database.js';
import type { Group } from '../users/user.js';
import type { ApiKey, ApiKeyCredential } from './api-key.js';

export interface NewApiKey {
  name: string;
  groups: Group[];
  keyHash: Buffer;
  prefix: string;
  createdBy: string | null;
  expiresAt: Date | null;
}

interface ApiKeyRow {
  id: string;
  name: string;
  groups: Group[];
  prefix: string;
  created_by: string | null;
  created_by_username: string | null;
  created_at: Date;
  expires_at: Date | null;
  last_used_at: Date | null;
  revoked_at: Date | null;
}

/** The listed columns of `k`, with the creator's username from `u`. */
const KEY_COLUMNS = `k.id, k.name, k.groups, k.prefix, k.created_by, u.username AS created_by_username,
  k.created_at, k.expires_at, k.last_used_at, k.revoked_at`;

@Injectable()
export class ApiKeysRepository {
  constructor(private readonly db: Database) {}

  async insert(key: NewApiKey): Promise<ApiKey> {
    try {
      const [row] = await this.db.query<ApiKeyRow>(
        `WITH k AS (
           INSERT INTO api_keys (name, groups, key_hash, prefix, created_by, expires_at)
           VALUES ($1, $2::text[], $3, $4, $5, $6) RETURNING *
         )
         SELECT ${KEY_COLUMNS} FROM k LEFT JOIN users u ON u.id = k.created_by`,
        [key.name, key.groups, key.keyHash, key.prefix, key.createdBy, key.expiresAt],
      );
      return toApiKey(row);
    } catch (error) {
      if (isUniqueViolation(error)) {
        throw new ConflictError(`An API key named ${key.name} exists and is not revoked`);
      }
      throw error;
    }
  }

  /** Every key, revoked and expired ones too, newest first. */
  async list(): Promise<ApiKey[]> {
    const rows = await this.db.query<ApiKeyRow>(
      `SELECT ${KEY_COLUMNS} FROM api_keys k LEFT JOIN users u ON u.id = k.created_by
        ORDER BY k.created_at DESC, k.id`,
    );
    return rows.map(toApiKey);
  }

  /** The unrevoked key with this hash (expired or not: the caller compares with its clock). */
  async findLiveByHash(keyHash: Buffer): Promise<ApiKeyCredential | null> {
    const [row] = await this.db.query<ApiKeyCredential>(
      `SELECT id, name, groups, expires_at AS "expiresAt", last_used_at AS "lastUsedAt"
         FROM api_keys WHERE key_hash = $1 AND revoked_at IS NULL`,
      [keyHash],
    );
    return row ?? null;
  }

  /** Revokes key `id` (a revoked key stays revoked as of its first revocation); false if none. */
  async revoke(id: string): Promise<boolean> {
    const touched = await this.db.execute(
      `UPDATE api_keys SET revoked_at = coalesce(revoked_at, now()) WHERE id = $1`,
      [id],
    );
    return touched > 0;
  }

  /** Records a use of key `id`, unless one was recorded less than `resolutionMs` ago. */
  async recordUse(id: string, resolutionMs: number): Promise<void> {
    await this.db.execute(
      `UPDATE api_keys SET last_used_at = now()
        WHERE id = $1 AND (last_used_at IS NULL OR last_used_at < now() - $2 * interval '1 millisecond')`,
      [id, resolutionMs],
    );
  }
}

function toApiKey(row: ApiKeyRow): ApiKey {
  return {
    id: row.id,
    name: row.name,
    groups: row.groups,
    prefix: row.prefix,
    createdBy:
      row.created_by && row.created_by_username
        ? { id: row.created_by, username: row.created_by_username }
        : null,
    createdAt: row.created_at,
    expiresAt: row.expires_at,
    lastUsedAt: row.last_used_at,
    revokedAt: row.revoked_at,
  };
}
