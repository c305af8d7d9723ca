import { Inject, Injectable, Logger } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { AuthenticationError, NotFoundError } from '../common/problem/domain-error.js';
import { loggableError } from '../common/problem/loggable-error.js';
import { TtlCache } from '../common/ttl-cache.js';
import { authConfig } from '../config/auth.config.js';
import type { Principal } from '../users/principal.js';
import type { Group } from '../users/user.js';
import type { ApiKey, ApiKeyCredential } from './api-key.js';
import {
  displayPrefixOf,
  generateApiKey,
  hashApiKey,
  isWellFormedApiKey,
} from './api-key-secret.js';
import { ApiKeyThrottle } from './api-key-throttle.js';
import { ApiKeysRepository } from './api-keys.repository.js';

export interface NewApiKeyInput {
  name: string;
  groups: Group[];
  expiresAt: Date | null;
}

/** A key just created: the only time its secret exists outside the caller's hands. */
export interface CreatedApiKey extends ApiKey {
  key: string;
}

/**
 * A key's last use is recorded at this resolution: a request writes `last_used_at` only when the
 * recorded use is older, so a busy key costs one UPDATE a minute, not one per request.
 */
export const LAST_USE_RESOLUTION_MS = 60_000;

const INVALID_KEY = 'The API key is unknown, revoked or expired';

@Injectable()
export class ApiKeysService {
  private readonly logger = new Logger(ApiKeysService.name);
  // As for users' tokens (UsersService): a key's row is read at most once per AUTH_USER_CACHE_MS
  // per replica, so revocation holds everywhere within the bound deactivation has; revoking
  // through this process evicts it here at once. Expiry is compared with the clock on every request.
  private readonly cache: TtlCache<ApiKeyCredential | null>;

  constructor(
    private readonly keys: ApiKeysRepository,
    private readonly throttle: ApiKeyThrottle,
    @Inject(authConfig.KEY) config: ConfigType<typeof authConfig>,
  ) {
    this.cache = new TtlCache(config.userCacheMs);
  }

  async create(input: NewApiKeyInput, creator: Principal): Promise<CreatedApiKey> {
    const key = generateApiKey();
    const created = await this.keys.insert({
      name: input.name,
      groups: [...new Set(input.groups)].sort(),
      keyHash: hashApiKey(key),
      prefix: displayPrefixOf(key),
      createdBy: creator.id,
      expiresAt: input.expiresAt,
    });
    this.logger.log(
      { apiKey: created.id, groups: created.groups },
      `API key ${created.name} created`,
    );
    return { ...created, key };
  }

  list(): Promise<ApiKey[]> {
    return this.keys.list();
  }

  async revoke(id: string): Promise<void> {
    if (!(await this.keys.revoke(id))) throw new NotFoundError('API key', id);
    this.cache.deleteWhere((_, key) => key?.id === id);
    this.logger.log({ apiKey: id }, 'API key revoked');
  }

  /**
   * The principal of a request made with `secret`: an unknown, revoked or expired key is an
   * AuthenticationError (401); a database that cannot be reached is thrown as it is (503), never
   * mistaken for a bad key. Counts the request against the key's rate limit.
   */
  async authenticate(secret: string): Promise<Principal> {
    const now = Date.now();
    const key = await this.validKey(secret, now);
    if (!key) throw new AuthenticationError(INVALID_KEY);
    await this.throttle.hit(key.id);
    await this.recordUse(key, now);
    return principalOf(key);
  }

  /**
   * Who `secret` is now, for re-checking a request that lasts (a live stream) without counting it
   * again: null when the key is unknown, revoked or expired.
   */
  async current(secret: string): Promise<Principal | null> {
    const key = await this.validKey(secret, Date.now());
    return key && principalOf(key);
  }

  private async validKey(secret: string, now: number): Promise<ApiKeyCredential | null> {
    if (!isWellFormedApiKey(secret)) return null;
    const keyHash = hashApiKey(secret);
    const key = await this.cache.get(keyHash.toString('base64'), () =>
      this.keys.findLiveByHash(keyHash),
    );
    return key && (key.expiresAt === null || key.expiresAt.getTime() > now) ? key : null;
  }

  /** Bookkeeping, not a check: a failed write is logged and the request goes on. */
  private async recordUse(key: ApiKeyCredential, now: number): Promise<void> {
    if (key.lastUsedAt && now - key.lastUsedAt.getTime() < LAST_USE_RESOLUTION_MS) return;
    // Other requests of this replica (sharing the cached row) skip the write from here on.
    key.lastUsedAt = new Date(now);
    try {
      await this.keys.recordUse(key.id, LAST_USE_RESOLUTION_MS);
    } catch (error) {
      this.logger.warn(
        { apiKey: key.id, err: loggableError(error) },
        "Could not record the API key's use",
      );
    }
  }
}

function principalOf(key: ApiKeyCredential): Principal {
  return { id: null, username: `key:${key.name}`, groups: key.groups, apiKeyId: key.id };
}
