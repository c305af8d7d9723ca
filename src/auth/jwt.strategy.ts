import { Inject, Injectable } from '@nestjs/common';
import { createSecretKey } from 'node:crypto';
import type { ConfigType } from '@nestjs/config';
import { PassportStrategy } from '@nestjs/passport';
import { ExtractJwt, Strategy } from 'passport-jwt';
import { authConfig } from '../config/auth.config.js';
import type { Principal } from '../users/principal.js';
import { UsersService } from '../users/users.service.js';

export const JWT_ISSUER = 'vigil';
export const JWT_AUDIENCE = 'vigil-api';

export interface AccessTokenClaims {
  sub: string;
  /** The user's token_version when the token was issued. */
  ver: number;
  /** The session: the refresh-token family the token was issued with; revoking it voids the token. */
  sid: string;
  username: string;
}

// sub and sid go into uuid columns: anything else would be a database error, not a rejected token.
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

@Injectable()
export class JwtStrategy extends PassportStrategy(Strategy, 'jwt') {
  constructor(
    @Inject(authConfig.KEY) config: ConfigType<typeof authConfig>,
    private readonly users: UsersService,
  ) {
    super({
      jwtFromRequest: ExtractJwt.fromAuthHeaderAsBearerToken(),
      // A KeyObject, not the string: given a string or Buffer, jsonwebtoken first tries (and fails)
      // to parse it as a public key on every verification, which cost ~40% of an authenticated
      // request. passport-jwt hands the key to jsonwebtoken unchanged; its types just predate KeyObject.
      secretOrKey: createSecretKey(Buffer.from(config.jwtSecret, 'utf8')) as unknown as Buffer,
      algorithms: ['HS256'], // never `none`, never an algorithm the token picks for itself
      issuer: JWT_ISSUER,
      audience: JWT_AUDIENCE,
      ignoreExpiration: false,
    });
  }

  /**
   * A valid signature is not enough: the user must still be active, the token current and its
   * session not revoked (a token without a session cannot be revoked, so it is not accepted).
   * A failing database is thrown, not answered with `false`: the token was not rejected.
   */
  async validate(claims: AccessTokenClaims): Promise<Principal | false> {
    const { sub, ver, sid } = claims;
    if (typeof ver !== 'number' || !isUuid(sub) || !isUuid(sid)) return false;
    const state = await this.users.findPrincipalState(sub, sid);
    if (!state || !state.isActive || state.tokenVersion !== ver || !state.sessionActive) {
      return false;
    }
    return { id: state.id, username: state.username, groups: state.groups };
  }
}

function isUuid(value: unknown): value is string {
  return typeof value === 'string' && UUID.test(value);
}
