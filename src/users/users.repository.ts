import { Injectable } from '@nestjs/common';
import { ConflictError } from '../common/problem/domain-error.js';
import { Database, isUniqueViolation, type Queryable } from '../database/database.js';
import type { PrincipalState } from './principal.js';
import type { Group, User, UserWithPassword } from './user.js';

export interface NewUser {
  username: string;
  passwordHash: string;
  groups: Group[];
}

export interface UserChanges {
  groups?: Group[];
  passwordHash?: string;
  isActive?: boolean;
  /** Invalidate every token issued so far (deactivation, password change). */
  bumpTokenVersion?: boolean;
}

/** The columns of a user, named as User names them, so rows need no mapping. */
const USER_COLUMNS = `id, username, groups, is_active AS "isActive", token_version AS "tokenVersion",
  created_at AS "createdAt", updated_at AS "updatedAt"`;

interface PrincipalRow {
  username: string;
  groups: Group[];
  is_active: boolean;
  token_version: number;
  session_active: boolean;
}

@Injectable()
export class UsersRepository {
  constructor(private readonly db: Database) {}

  list(): Promise<User[]> {
    return this.db.query<User>(`SELECT ${USER_COLUMNS} FROM users ORDER BY username`);
  }

  async findById(id: string, tx: Queryable = this.db): Promise<User | null> {
    const [user] = await tx.query<User>(`SELECT ${USER_COLUMNS} FROM users WHERE id = $1`, [id]);
    return user ?? null;
  }

  /** The active user named `username` (lower case), as a reference: who an alert may go to. */
  async findActiveRef(username: string): Promise<{ id: string; username: string } | null> {
    const [row] = await this.db.query<{ id: string; username: string }>(
      'SELECT id, username FROM users WHERE username = $1 AND is_active',
      [username],
    );
    return row ?? null;
  }

  /** The one read that includes the password hash. */
  async findForLogin(username: string): Promise<UserWithPassword | null> {
    const [user] = await this.db.query<UserWithPassword>(
      `SELECT ${USER_COLUMNS}, password_hash AS "passwordHash" FROM users WHERE username = $1`,
      [username],
    );
    return user ?? null;
  }

  /**
   * The user's state and whether session `sessionId` (a refresh-token family) is still live, in
   * one round trip: the per-request check that makes deactivation and logout take effect at once.
   */
  async findPrincipalState(id: string, sessionId: string): Promise<PrincipalState | null> {
    const [row] = await this.db.query<PrincipalRow>(
      `SELECT username, groups, is_active, token_version,
              EXISTS (SELECT 1 FROM refresh_tokens r
                       WHERE r.family_id = $2 AND r.user_id = u.id AND r.revoked_at IS NULL
                     ) AS session_active
         FROM users u WHERE u.id = $1`,
      [id, sessionId],
    );
    if (!row) return null;
    return {
      id,
      username: row.username,
      groups: row.groups,
      isActive: row.is_active,
      tokenVersion: row.token_version,
      sessionActive: row.session_active,
    };
  }

  async count(): Promise<number> {
    const [{ count }] = await this.db.query<{ count: number }>(
      'SELECT count(*)::int AS count FROM users',
    );
    return count;
  }

  async countActiveAdmins(tx: Queryable = this.db): Promise<number> {
    const [{ count }] = await tx.query<{ count: number }>(
      `SELECT count(*)::int AS count FROM users WHERE is_active AND 'admin' = ANY (groups)`,
    );
    return count;
  }

  async insert(user: NewUser, tx: Queryable = this.db): Promise<User> {
    try {
      const [created] = await tx.query<User>(
        `INSERT INTO users (username, password_hash, groups, is_active, token_version)
         VALUES ($1, $2, $3::text[], true, 0) RETURNING ${USER_COLUMNS}`,
        [user.username, user.passwordHash, user.groups],
      );
      return created;
    } catch (error) {
      if (isUniqueViolation(error)) {
        throw new ConflictError(`A user named ${user.username} already exists`);
      }
      throw error;
    }
  }

  /** Serialises concurrent changes to one user (the last-admin rule reads other rows). */
  async lockAdmins(tx: Queryable): Promise<void> {
    await tx.query(`SELECT id FROM users WHERE 'admin' = ANY (groups) FOR UPDATE`);
  }

  async update(id: string, changes: UserChanges, tx: Queryable = this.db): Promise<void> {
    // Each column keeps its value where its parameter is null.
    await tx.execute(
      `UPDATE users SET
         groups = coalesce($2::text[], groups),
         password_hash = coalesce($3, password_hash),
         is_active = coalesce($4, is_active),
         token_version = token_version + CASE WHEN $5 THEN 1 ELSE 0 END,
         updated_at = now()
       WHERE id = $1`,
      [
        id,
        changes.groups ?? null,
        changes.passwordHash ?? null,
        changes.isActive ?? null,
        changes.bumpTokenVersion ?? false,
      ],
    );
  }
}
