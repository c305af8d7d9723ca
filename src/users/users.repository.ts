import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { EntityManager, QueryFailedError, Repository } from 'typeorm';
import { ConflictError } from '../common/problem/domain-error.js';
import type { PrincipalState } from './principal.js';
import { Group, User } from './user.entity.js';

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

@Injectable()
export class UsersRepository {
  constructor(@InjectRepository(User) private readonly users: Repository<User>) {}

  private repo(manager?: EntityManager): Repository<User> {
    return manager ? manager.getRepository(User) : this.users;
  }

  list(): Promise<User[]> {
    return this.users.find({ order: { username: 'ASC' } });
  }

  findById(id: string, manager?: EntityManager): Promise<User | null> {
    return this.repo(manager).findOneBy({ id });
  }

  /** The one read that includes the password hash (the column is not selected by default). */
  findForLogin(username: string): Promise<User | null> {
    return this.users
      .createQueryBuilder('u')
      .addSelect('u.passwordHash')
      .where('u.username = :username', { username })
      .getOne();
  }

  /**
   * The user's state and whether session `sessionId` (a refresh-token family) is still live, in
   * one round trip: the per-request check that makes deactivation and logout take effect at once.
   */
  async findPrincipalState(id: string, sessionId: string): Promise<PrincipalState | null> {
    const rows: Array<{
      username: string;
      groups: Group[];
      is_active: boolean;
      token_version: number;
      session_active: boolean;
    }> = await this.users.query(
      `SELECT username, groups, is_active, token_version,
              EXISTS (SELECT 1 FROM refresh_tokens r
                       WHERE r.family_id = $2 AND r.user_id = u.id AND r.revoked_at IS NULL
                     ) AS session_active
         FROM users u WHERE u.id = $1`,
      [id, sessionId],
    );
    if (rows.length === 0) return null;
    const [row] = rows;
    return {
      id,
      username: row.username,
      groups: row.groups,
      isActive: row.is_active,
      tokenVersion: row.token_version,
      sessionActive: row.session_active,
    };
  }

  count(): Promise<number> {
    return this.users.count();
  }

  async countActiveAdmins(manager?: EntityManager): Promise<number> {
    const [{ count }]: Array<{ count: number }> = await this.repo(manager).query(
      `SELECT count(*)::int AS count FROM users WHERE is_active AND 'admin' = ANY (groups)`,
    );
    return count;
  }

  async insert(user: NewUser, manager?: EntityManager): Promise<User> {
    const repo = this.repo(manager);
    try {
      const saved = await repo.save(repo.create({ ...user, isActive: true, tokenVersion: 0 }));
      return await repo.findOneByOrFail({ id: saved.id });
    } catch (error) {
      if (
        error instanceof QueryFailedError &&
        (error.driverError as { code?: string }).code === '23505'
      ) {
        throw new ConflictError(`A user named ${user.username} already exists`);
      }
      throw error;
    }
  }

  /** Serialises concurrent changes to one user (the last-admin rule reads other rows). */
  async lockAdmins(manager: EntityManager): Promise<void> {
    await manager.query(`SELECT id FROM users WHERE 'admin' = ANY (groups) FOR UPDATE`);
  }

  async update(id: string, changes: UserChanges, manager?: EntityManager): Promise<void> {
    const qb = this.repo(manager)
      .createQueryBuilder()
      .update(User)
      .set({
        ...(changes.groups && { groups: changes.groups }),
        ...(changes.passwordHash && { passwordHash: changes.passwordHash }),
        ...(changes.isActive !== undefined && { isActive: changes.isActive }),
        ...(changes.bumpTokenVersion && { tokenVersion: () => 'token_version + 1' }),
        updatedAt: () => 'now()',
      })
      .where('id = :id', { id });
    await qb.execute();
  }
}
