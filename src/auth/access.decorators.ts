// Every route says who may call it. The guards deny a route that says nothing, so a forgotten
// decorator fails closed rather than open.
import { applyDecorators } from '@nestjs/common';
import { PATH_METADATA } from '@nestjs/common/constants.js';
import { Reflector } from '@nestjs/core';
import {
  ApiBearerAuth,
  ApiForbiddenResponse,
  ApiSecurity,
  ApiTooManyRequestsResponse,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import { ProblemDetails } from '../common/problem/problem-details.js';
import type { Group } from '../users/user.js';

/** Metadata: the route needs no token. */
export const PublicRoute = Reflector.createDecorator<true>();
/** Metadata: the groups that may call the route; empty means any authenticated user. */
export const AllowedGroups = Reflector.createDecorator<Group[]>();

export const Public = () =>
  accessRule(
    PublicRoute(true),
    // An empty requirement: anonymous access (OpenAPI's way of saying "no token needed").
    ApiSecurity({}),
    ApiTooManyRequestsResponse({
      type: ProblemDetails,
      description: 'Rate limited; see Retry-After',
    }),
  );

/** Any signed-in user, whatever their groups. */
export const Authenticated = () => RequireGroups();

/** Signed-in users in at least one of `groups`; documented in Swagger from the same call. */
export const RequireGroups = (...groups: Group[]) =>
  accessRule(
    AllowedGroups(groups),
    ApiBearerAuth(),
    ApiUnauthorizedResponse({ type: ProblemDetails, description: 'No, bad or expired token' }),
    // Even a route open to every group can refuse: the database admits a user with no group
    // (`groups` defaults to '{}'; only the API insists on one), and the guard answers them 403.
    ...(groups.length > 0
      ? [
          ApiForbiddenResponse({
            type: ProblemDetails,
            description: `Requires group: ${groups.join(' or ')}`,
          }),
        ]
      : []),
    ApiTooManyRequestsResponse({
      type: ProblemDetails,
      description: 'Rate limited; see Retry-After',
    }),
  );

/**
 * On a method: the rule's metadata and its documentation. On a class: the metadata on the class
 * (the guards read the method's rule first, then the class's) and the documentation on each route
 * that has no rule of its own. Swagger would otherwise add a class's security to a method's
 * instead of replacing it, and list the bearer requirement twice.
 */
function accessRule(
  rule: ClassDecorator & MethodDecorator,
  ...documentation: Array<ClassDecorator & MethodDecorator>
) {
  const documented = applyDecorators(...documentation);
  return (target: object, key?: string | symbol, descriptor?: PropertyDescriptor): void => {
    if (descriptor) {
      rule(target, key!, descriptor);
      documented(target, key, descriptor);
      return;
    }
    rule(target as never);
    const prototype = (target as { prototype: object }).prototype;
    for (const name of Object.getOwnPropertyNames(prototype)) {
      const route = Object.getOwnPropertyDescriptor(prototype, name)!;
      const handler: unknown = route.value;
      if (typeof handler !== 'function' || !Reflect.hasMetadata(PATH_METADATA, handler)) continue;
      const ownRule =
        Reflect.hasMetadata(PublicRoute.KEY, handler) ||
        Reflect.hasMetadata(AllowedGroups.KEY, handler);
      if (!ownRule) documented(prototype, name, route);
    }
  };
}
