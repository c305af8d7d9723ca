import { ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AuthGuard } from '@nestjs/passport';
import { AuthenticationError } from '../common/problem/domain-error.js';
import type { Principal } from '../users/principal.js';
import { PublicRoute } from './access.decorators.js';

@Injectable()
export class JwtAuthGuard extends AuthGuard('jwt') {
  constructor(private readonly reflector: Reflector) {
    super();
  }

  override canActivate(context: ExecutionContext) {
    if (this.reflector.getAllAndOverride(PublicRoute, [context.getHandler(), context.getClass()])) {
      return true;
    }
    return super.canActivate(context);
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
