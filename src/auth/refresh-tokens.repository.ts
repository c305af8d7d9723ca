import { Injectable } from '@nestjs/common';
import { Database } from '../database/database.js';

export interface RotatedToken {
  userId: string;
  familyId: string;
  userTokenVersion: number;
}

export interface NewRefreshToken {
  userId: string;
  familyId: string;
  tokenHash: Buffer;
  userTokenVersion: number;
  expiresAt: Date;
}

@Injectable()
export class RefreshTokensRepository {
  constructor(private readonly db: Database) {}

  async insert(token: NewRefreshToken): Promise<void> {
    await this.db.execute(
      `INSERT INTO refresh_tokens (user_id, family_id, token_hash, user_token_version, expires_at)
       VALUES ($1, $2, $3, $4, $5)`,
      [token.userId, token.familyId, token.tokenHash, token.userTokenVersion, token.expiresAt],
    );
  }

  /**
   * Marks a live token as rotated and returns it; null when it is unknown, expired, revoked or
   * already rotated. One statement, so two concurrent refreshes with one token cannot both win.
   */
  async rotate(tokenHash: Buffer): Promise<RotatedToken | null> {
    const [row] = await this.db.query<{
      user_id: string;
      family_id: string;
      user_token_version: number;
    }>(
      `UPDATE refresh_tokens SET rotated_at = now()
         WHERE token_hash = $1 AND rotated_at IS NULL AND revoked_at IS NULL AND expires_at > now()
         RETURNING user_id, family_id, user_token_version`,
      [tokenHash],
    );
    return row
      ? { userId: row.user_id, familyId: row.family_id, userTokenVersion: row.user_token_version }
      : null;
  }

  /** The family (and its user) of a token that was already rotated (a replay), or null. */
  async findRotatedFamily(tokenHash: Buffer): Promise<{ familyId: string; userId: string } | null> {
    const [row] = await this.db.query<{ family_id: string; user_id: string }>(
      `SELECT family_id, user_id FROM refresh_tokens
        WHERE token_hash = $1 AND rotated_at IS NOT NULL`,
      [tokenHash],
    );
    return row ? { familyId: row.family_id, userId: row.user_id } : null;
  }

  revokeFamily(familyId: string): Promise<number> {
    return this.db.execute(
      'UPDATE refresh_tokens SET revoked_at = now() WHERE family_id = $1 AND revoked_at IS NULL',
      [familyId],
    );
  }

  /** Revokes the family of `tokenHash` if the token belongs to `userId`; the family, or null. */
  async revokeFamilyOf(tokenHash: Buffer, userId: string): Promise<string | null> {
    const [row] = await this.db.query<{ family_id: string }>(
      `UPDATE refresh_tokens SET revoked_at = now()
       WHERE revoked_at IS NULL AND family_id =
         (SELECT family_id FROM refresh_tokens WHERE token_hash = $1 AND user_id = $2)
       RETURNING family_id`,
      [tokenHash, userId],
    );
    return row?.family_id ?? null;
  }
}
