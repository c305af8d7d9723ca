import { jest } from '@jest/globals';
import { Logger } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { AuthenticationError, NotFoundError } from '../common/problem/domain-error.js';
import { RateLimitedError } from '../common/throttling/rate-limited.error.js';
import type { AuthConfig } from '../config/auth.config.js';
import type { ApiKeyCredential } from './api-key.js';
import type { ApiKeyThrottle } from './api-key-throttle.js';
import type { ApiKeysRepository } from './api-keys.repository.js';

// The real throttle loads @nestjs/throttler, a CommonJS package that require()s the ESM-only Nest,
// which Jest's VM-modules mode cannot load (README "Tests"); the specs hand the service a fake.
jest.unstable_mockModule('./api-key-throttle.js', () => ({ ApiKeyThrottle: class {} }));
const { ApiKeysService, LAST_USE_RESOLUTION_MS } = await import('./api-keys.service.js');

const SECRET = `vgk_${'a'.repeat(43)}`;
const KEY_ID = '0b6f1c9e-7d2a-4f3b-9c1d-2e3f4a5b6c7d';

function setup(row: Partial<ApiKeyCredential> | null = {}, cacheMs = 1000) {
  const stored: ApiKeyCredential | null = row && {
    id: KEY_ID,
    name: 'soar',
    groups: ['analyst'],
    expiresAt: null,
    lastUsedAt: null,
    ...row,
  };
  const repository = {
    findLiveByHash: jest.fn((_: Buffer) => Promise.resolve(stored && { ...stored })),
    recordUse: jest.fn((_id: string, _resolutionMs: number) => Promise.resolve()),
    revoke: jest.fn((id: string) => Promise.resolve(id === KEY_ID)),
  };
  const throttle = { hit: jest.fn((_: string) => Promise.resolve()) };
  const sut = new ApiKeysService(
    repository as unknown as ApiKeysRepository,
    throttle as unknown as ApiKeyThrottle,
    { userCacheMs: cacheMs } as AuthConfig,
  );
  return { sut, repository, throttle };
}

describe(ApiKeysService.name, () => {
  afterEach(() => jest.useRealTimers());

  it('makes a key principal: no user id, named key:<name>, with the key’s groups', async () => {
    const { sut, repository, throttle } = setup();

    await expect(sut.authenticate(SECRET)).resolves.toEqual({
      id: null,
      username: 'key:soar',
      groups: ['analyst'],
      apiKeyId: KEY_ID,
    });
    expect(repository.findLiveByHash).toHaveBeenCalledWith(
      createHash('sha256').update(SECRET).digest(),
    );
    expect(throttle.hit).toHaveBeenCalledWith(KEY_ID);
  });

  it.each(['vgk_', 'vgk_short', `${SECRET}x`, `vgk_${'a'.repeat(42)}!`])(
    'refuses the malformed %s without asking the database',
    async (secret) => {
      const { sut, repository } = setup();
      await expect(sut.authenticate(secret)).rejects.toBeInstanceOf(AuthenticationError);
      expect(repository.findLiveByHash).not.toHaveBeenCalled();
    },
  );

  it('refuses an unknown key and an expired one, and counts neither against a limit', async () => {
    const unknown = setup(null);
    await expect(unknown.sut.authenticate(SECRET)).rejects.toBeInstanceOf(AuthenticationError);
    const expired = setup({ expiresAt: new Date(Date.now() - 1) });
    await expect(expired.sut.authenticate(SECRET)).rejects.toBeInstanceOf(AuthenticationError);
    expect(unknown.throttle.hit).not.toHaveBeenCalled();
    expect(expired.throttle.hit).not.toHaveBeenCalled();
  });

  it('compares the expiry with the clock on every request, even from the cache', async () => {
    jest.useFakeTimers({ now: 1_000_000 });
    const { sut, repository } = setup({ expiresAt: new Date(1_000_500) }, 60_000);
    await sut.authenticate(SECRET);
    jest.setSystemTime(1_000_500);
    await expect(sut.authenticate(SECRET)).rejects.toBeInstanceOf(AuthenticationError);
    expect(repository.findLiveByHash).toHaveBeenCalledTimes(1);
  });

  it('reads a key at most once per cache period, and again after it', async () => {
    jest.useFakeTimers({ now: 1_000_000 });
    const { sut, repository } = setup({}, 1000);
    await sut.authenticate(SECRET);
    await sut.authenticate(SECRET);
    expect(repository.findLiveByHash).toHaveBeenCalledTimes(1);
    jest.setSystemTime(1_001_000);
    await sut.authenticate(SECRET);
    expect(repository.findLiveByHash).toHaveBeenCalledTimes(2);
  });

  it('forgets a key it revokes at once, and says 404 for a key it does not know', async () => {
    const { sut, repository } = setup({}, 60_000);
    await sut.authenticate(SECRET);
    await sut.revoke(KEY_ID);
    repository.findLiveByHash.mockResolvedValueOnce(null);
    await expect(sut.authenticate(SECRET)).rejects.toBeInstanceOf(AuthenticationError);
    await expect(sut.revoke('ffffffff-ffff-4fff-8fff-ffffffffffff')).rejects.toBeInstanceOf(
      NotFoundError,
    );
  });

  it('records a use when the last one is older than the resolution, not on every request', async () => {
    jest.useFakeTimers({ now: 10_000_000 });
    const { sut, repository } = setup(
      { lastUsedAt: new Date(10_000_000 - LAST_USE_RESOLUTION_MS + 1) },
      0,
    );
    await sut.authenticate(SECRET);
    expect(repository.recordUse).not.toHaveBeenCalled();

    const stale = setup({ lastUsedAt: new Date(10_000_000 - LAST_USE_RESOLUTION_MS) }, 60_000);
    await stale.sut.authenticate(SECRET);
    await stale.sut.authenticate(SECRET); // the cached row now says "just used"
    expect(stale.repository.recordUse).toHaveBeenCalledTimes(1);
    expect(stale.repository.recordUse).toHaveBeenCalledWith(KEY_ID, LAST_USE_RESOLUTION_MS);
  });

  it('lets the request through when recording the use fails, and logs it', async () => {
    const { sut, repository } = setup();
    const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    repository.recordUse.mockRejectedValueOnce(new Error('connection terminated'));
    await expect(sut.authenticate(SECRET)).resolves.toMatchObject({ apiKeyId: KEY_ID });
    expect(warn).toHaveBeenCalledTimes(1);
    warn.mockRestore();
  });

  it('lets a database failure through as it is (503), never as a bad key (401)', async () => {
    const { sut, repository } = setup();
    const outage = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
    repository.findLiveByHash.mockRejectedValueOnce(outage);
    await expect(sut.authenticate(SECRET)).rejects.toBe(outage);
  });

  it('refuses a key past its rate limit', async () => {
    const { sut, throttle } = setup();
    throttle.hit.mockRejectedValueOnce(new RateLimitedError(30));
    await expect(sut.authenticate(SECRET)).rejects.toBeInstanceOf(RateLimitedError);
  });
});
