import { Inject, Injectable, Logger } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { JwtService } from '@nestjs/jwt';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { AuthenticationError } from '../common/problem/domain-error.js';
import { authConfig } from '../config/auth.config.js';
import { type Principal, userIdOf } from '../users/principal.js';
import { UsersService } from '../users/users.service.js';
import { AccessTokenClaims, JWT_AUDIENCE, JWT_ISSUER } from './jwt.strategy.js';
import { RefreshTokensRepository } from './refresh-tokens.repository.js';

export interface TokenPair {
  accessToken: string;
  refreshToken: string;
  expiresIn: number;
}

interface TokenSubject {
  id: string;
  username: string;
  tokenVersion: number;
}

const INVALID_CREDENTIALS = 'Invalid username or password';
const INVALID_REFRESH = 'The refresh token is invalid, expired or revoked';

@Injectable()
export class AuthService {
  private readonly logger = new Logger(AuthService.name);

  constructor(
    private readonly users: UsersService,
    private readonly refreshTokens: RefreshTokensRepository,
    private readonly jwt: JwtService,
    @Inject(authConfig.KEY) private readonly config: ConfigType<typeof authConfig>,
  ) {}

  /** Same error, same work, for an unknown user, a wrong password and a deactivated account. */
  async login(username: string, password: string): Promise<TokenPair> {
    const user = await this.users.findForLogin(username);
    const passwordOk = await this.users.verifyPassword(user?.passwordHash, password);
    if (!user || !passwordOk || !user.isActive) throw new AuthenticationError(INVALID_CREDENTIALS);
    return this.issue(user, randomUUID());
  }

  async refresh(refreshToken: string): Promise<TokenPair> {
    const tokenHash = hashToken(refreshToken);
    const rotated = await this.refreshTokens.rotate(tokenHash);
    if (!rotated) {
      const replayed = await this.refreshTokens.findRotatedFamily(tokenHash);
      if (replayed) {
        const revoked = await this.revokeSession(replayed.userId, replayed.familyId);
        this.logger.warn(
          { family: replayed.familyId, revoked },
          'Refresh token reuse detected: token family revoked',
        );
      }
      throw new AuthenticationError(INVALID_REFRESH);
    }
    const state = await this.users.findPrincipalState(rotated.userId, rotated.familyId);
    if (!state || !state.isActive || state.tokenVersion !== rotated.userTokenVersion) {
      await this.revokeSession(rotated.userId, rotated.familyId);
      throw new AuthenticationError(INVALID_REFRESH);
    }
    return this.issue(state, rotated.familyId);
  }

  async logout(principal: Principal, refreshToken: string): Promise<void> {
    const userId = userIdOf(principal);
    const family = await this.refreshTokens.revokeFamilyOf(hashToken(refreshToken), userId);
    if (family) this.users.forgetSession(userId, family);
  }

  /** Revokes a session: its refresh tokens, and (through the sid claim) its access tokens. */
  private async revokeSession(userId: string, familyId: string): Promise<number> {
    const revoked = await this.refreshTokens.revokeFamily(familyId);
    this.users.forgetSession(userId, familyId);
    return revoked;
  }

  private async issue(user: TokenSubject, familyId: string): Promise<TokenPair> {
    const claims: AccessTokenClaims = {
      sub: user.id,
      ver: user.tokenVersion,
      sid: familyId,
      username: user.username,
    };
    const accessToken = await this.jwt.signAsync(claims, {
      algorithm: 'HS256',
      expiresIn: this.config.accessTtlSeconds,
      issuer: JWT_ISSUER,
      audience: JWT_AUDIENCE,
      jwtid: randomUUID(),
    });
    const refreshToken = randomBytes(32).toString('base64url');
    await this.refreshTokens.insert({
      userId: user.id,
      familyId,
      tokenHash: hashToken(refreshToken),
      userTokenVersion: user.tokenVersion,
      expiresAt: new Date(Date.now() + this.config.refreshTtlSeconds * 1000),
    });
    return { accessToken, refreshToken, expiresIn: this.config.accessTtlSeconds };
  }
}

// Refresh tokens are 256 random bits, so a fast unsalted hash is enough to make a leaked table useless.
function hashToken(token: string): Buffer {
  return createHash('sha256').update(token).digest();
}
