import {
  CanActivate,
  ExecutionContext,
  ForbiddenException,
  Injectable,
  Logger,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Principal } from '../users/principal.js';
import { AllowedGroups, API_KEYS_REFUSED, PublicRoute } from './access.decorators.js';

@Injectable()
export class GroupsGuard implements CanActivate {
  private readonly logger = new Logger(GroupsGuard.name);

  constructor(private readonly reflector: Reflector) {}

  canActivate(context: ExecutionContext): boolean {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride(PublicRoute, targets)) return true;
    const allowed = this.reflector.getAllAndOverride(AllowedGroups, targets);
    if (allowed === undefined) {
      this.logger.error(
        `${context.getClass().name}.${context.getHandler().name} declares no access rule; denied`,
      );
      throw new ForbiddenException('This route declares no access rule');
    }
    const { user } = context.switchToHttp().getRequest<{ user: Principal }>();
    if (allowed.length === 0) {
      // Routes about a signed-in user's session: an API key has none.
      if (user.apiKeyId !== undefined) throw new ForbiddenException(API_KEYS_REFUSED);
      return true;
    }
    if (allowed.some((group) => user.groups.includes(group))) return true;
    throw new ForbiddenException(`Requires group: ${allowed.join(' or ')}`);
  }
}
