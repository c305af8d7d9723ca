import { Inject, Injectable } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { ConflictError, InvalidInputError, NotFoundError } from '../common/problem/domain-error.js';
import { authConfig } from '../config/auth.config.js';
import { TtlCache } from '../common/ttl-cache.js';
import { Transactions } from '../database/database.js';
import { PasswordHasher } from './password-hasher.js';
import type { PrincipalState } from './principal.js';
import { Group, User } from './user.js';
import { UserChanges, UsersRepository } from './users.repository.js';

export interface UserUpdate {
  groups?: Group[];
  password?: string;
  isActive?: boolean;
}

@Injectable()
export class UsersService {
  // Every authenticated request needs the caller's state; a short-lived copy, per user and session,
  // keeps that off the database. Changes made here (and sessions revoked here) evict it at once;
  // other replicas see them within the TTL.
  private readonly stateCache: TtlCache<PrincipalState | null>;

  constructor(
    private readonly users: UsersRepository,
    private readonly hasher: PasswordHasher,
    private readonly transactions: Transactions,
    @Inject(authConfig.KEY) config: ConfigType<typeof authConfig>,
  ) {
    this.stateCache = new TtlCache(config.userCacheMs);
  }

  list(): Promise<User[]> {
    return this.users.list();
  }

  async create(username: string, password: string, groups: Group[]): Promise<User> {
    const passwordHash = await this.hasher.hash(password);
    return this.users.insert({
      username: username.toLowerCase(),
      passwordHash,
      groups: unique(groups),
    });
  }

  async update(id: string, update: UserUpdate): Promise<User> {
    if (
      update.groups === undefined &&
      update.password === undefined &&
      update.isActive === undefined
    ) {
      throw new InvalidInputError([
        { field: 'body', message: 'give at least one of groups, password, is_active' },
      ]);
    }
    const changes: UserChanges = {
      groups: update.groups && unique(update.groups),
      isActive: update.isActive,
      passwordHash:
        update.password === undefined ? undefined : await this.hasher.hash(update.password),
      bumpTokenVersion: update.password !== undefined || update.isActive === false,
    };
    const user = await this.transactions.run(async (tx) => {
      await this.users.lockAdmins(tx);
      const current = await this.users.findById(id, tx);
      if (!current) throw new NotFoundError('User', id);
      await this.users.update(id, changes, tx);
      if ((await this.users.countActiveAdmins(tx)) === 0) {
        throw new ConflictError('At least one active admin must remain');
      }
      return (await this.users.findById(id, tx))!;
    });
    this.stateCache.deleteWhere((key) => key.startsWith(`${id}/`));
    return user;
  }

  /** User `id`'s state as seen by a token of session `sessionId` (its refresh-token family). */
  findPrincipalState(id: string, sessionId: string): Promise<PrincipalState | null> {
    return this.stateCache.get(`${id}/${sessionId}`, () =>
      this.users.findPrincipalState(id, sessionId),
    );
  }

  /** A session was revoked here: its tokens stop working on this replica at once. */
  forgetSession(id: string, sessionId: string): void {
    this.stateCache.delete(`${id}/${sessionId}`);
  }

  /** An active user, by username (any case), as a reference; null when none is active. */
  findActiveRef(username: string): Promise<{ id: string; username: string } | null> {
    return this.users.findActiveRef(username.toLowerCase());
  }

  /** For login: the user with its password hash, or null. Usernames are case-insensitive. */
  findForLogin(username: string) {
    return this.users.findForLogin(username.toLowerCase());
  }

  verifyPassword(hash: string | undefined, password: string): Promise<boolean> {
    return this.hasher.verify(hash, password);
  }

  count(): Promise<number> {
    return this.users.count();
  }
}

function unique(groups: Group[]): Group[] {
  return [...new Set(groups)].sort();
}
