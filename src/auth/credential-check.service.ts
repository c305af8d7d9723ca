// Who a bearer credential is *now*, for requests that outlive the moment their guards ran: a live
// stream stays open for many minutes, and a user deactivated, a session logged out or a key
// revoked meanwhile must stop receiving alerts within a bound, as their next request would be
// refused. The same checks as BearerAuthGuard (the access token's signature, expiry and claims,
// then the user's state through the same cache; or the API key's row), without counting a use.
import { Injectable } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { isApiKey } from '../api-keys/api-key-secret.js';
import { ApiKeysService } from '../api-keys/api-keys.service.js';
import type { Principal } from '../users/principal.js';
import { type AccessTokenClaims, JWT_AUDIENCE, JWT_ISSUER, JwtStrategy } from './jwt.strategy.js';

@Injectable()
export class CredentialCheck {
  constructor(
    private readonly jwt: JwtService,
    private readonly strategy: JwtStrategy,
    private readonly apiKeys: ApiKeysService,
  ) {}

  /**
   * The principal `credential` is now; null when it is no longer accepted (expired included). A
   * database that cannot be reached is thrown: the credential was not refused.
   */
  async current(credential: string): Promise<Principal | null> {
    if (isApiKey(credential)) return this.apiKeys.current(credential);
    let claims: AccessTokenClaims;
    try {
      claims = await this.jwt.verifyAsync(credential, {
        algorithms: ['HS256'],
        issuer: JWT_ISSUER,
        audience: JWT_AUDIENCE,
      });
    } catch {
      return null;
    }
    return (await this.strategy.validate(claims)) || null;
  }
}
