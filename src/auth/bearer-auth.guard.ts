// Authenticates every route but the @Public() ones: `Authorization: Bearer <credential>`, where
// the credential is a user's access token (a JWT, checked by JwtStrategy through passport) or an
// API key (checked by ApiKeysService). An API key starts with `vgk_` and a JWT never does (it
// starts with its base64url header), so the prefix picks the one check to run.
import { ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AuthGuard } from '@nestjs/passport';
import type { FastifyRequest } from 'fastify';
import { isApiKey } from '../api-keys/api-key-secret.js';
import { ApiKeysService } from '../api-keys/api-keys.service.js';
import { AuthenticationError } from '../common/problem/domain-error.js';
import type { Principal } from '../users/principal.js';
import { PublicRoute } from './access.decorators.js';

@Injectable()
export class BearerAuthGuard extends AuthGuard('jwt') {
  constructor(
    private readonly reflector: Reflector,
    private readonly apiKeys: ApiKeysService,
  ) {
    super();
  }

  override async canActivate(context: ExecutionContext): Promise<boolean> {
    if (this.reflector.getAllAndOverride(PublicRoute, [context.getHandler(), context.getClass()])) {
      return true;
    }
    const request = context.switchToHttp().getRequest<FastifyRequest & { user?: Principal }>();
    const credential = bearerCredentialOf(request.headers.authorization);
    if (credential !== undefined && isApiKey(credential)) {
      // Throws 401 for an unknown, revoked or expired key, and a database failure as it is (503).
      request.user = await this.apiKeys.authenticate(credential);
      return true;
    }
    return (await super.canActivate(context)) as boolean;
  }

  // `error` is what the strategy's validate() threw (a bad token is `user === false`, never an
  // error): a database that cannot be reached. Turning it into 401 would sign the caller out for
  // our outage; it goes to the problem filter instead (503).
  override handleRequest<T = Principal>(error: unknown, user: T | false): T {
    if (error instanceof Error) throw error;
    if (error) throw new Error('The access token could not be checked');
    if (!user) throw new AuthenticationError('A valid bearer access token is required');
    return user;
  }
}

/** The credential of an `Authorization: Bearer <credential>` header, read as passport-jwt reads it. */
export function bearerCredentialOf(header: string | undefined): string | undefined {
  const match = typeof header === 'string' ? /(\S+)\s+(\S+)/.exec(header) : null;
  return match && match[1].toLowerCase() === 'bearer' ? match[2] : undefined;
}
