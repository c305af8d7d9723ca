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
import { API_KEY_SCHEME, JWT_SCHEME } from '../common/openapi/security-schemes.js';
import { ProblemDetails } from '../common/problem/problem-details.js';
import type { Group } from '../users/user.js';

/** Metadata: the route needs no token. */
export const PublicRoute = Reflector.createDecorator<true>();
/** Metadata: the groups that may call the route; empty means any signed-in user (not an API key). */
export const AllowedGroups = Reflector.createDecorator<Group[]>();

/** What the groups guard answers an API key on an `Authenticated()` route. */
export const API_KEYS_REFUSED = 'API keys may not call this route: it is for signed-in users';

export const Public = () =>
  accessRule(PublicRoute(true), () => [
    // An empty requirement: anonymous access (OpenAPI's way of saying "no token needed").
    ApiSecurity({}),
    ApiTooManyRequestsResponse({
      type: ProblemDetails,
      description: 'Rate limited; see Retry-After',
    }),
  ]);

/**
 * Any signed-in user, whatever their groups: routes about the user's own session (`/api/auth/me`,
 * logout). API keys are no users and have no session: the groups guard answers them 403, so only
 * the JWT scheme is documented.
 */
export const Authenticated = () =>
  accessRule(AllowedGroups([]), () => [
    ApiBearerAuth(JWT_SCHEME),
    ApiUnauthorizedResponse({ type: ProblemDetails, description: 'No, bad or expired token' }),
    ApiForbiddenResponse({ type: ProblemDetails, description: API_KEYS_REFUSED }),
    ApiTooManyRequestsResponse({
      type: ProblemDetails,
      description: 'Rate limited; see Retry-After',
    }),
  ]);

/**
 * Callers in at least one of `groups`, signed-in users and API keys alike; documented in Swagger
 * from the same call, with both security schemes (either one will do).
 */
export const RequireGroups = (...groups: Group[]) =>
  groups.length === 0
    ? Authenticated()
    : accessRule(AllowedGroups(groups), () => [
        ApiBearerAuth(JWT_SCHEME),
        ApiBearerAuth(API_KEY_SCHEME),
        ApiUnauthorizedResponse({
          type: ProblemDetails,
          description: 'No, bad or expired token; unknown, revoked or expired API key',
        }),
        // Every such route can refuse someone: no route is open to every group (`ingest` may
        // only push alerts), and the database admits a user with no group (`groups` defaults to
        // '{}'; only the API insists on one).
        ApiForbiddenResponse({
          type: ProblemDetails,
          description: `Requires group: ${groups.join(' or ')}`,
        }),
        ApiTooManyRequestsResponse({
          type: ProblemDetails,
          description: 'Rate limited; see Retry-After',
        }),
      ]);

/**
 * On a method: the rule's metadata and its documentation. On a class: the metadata on the class
 * (the guards read the method's rule first, then the class's) and the documentation on each route
 * that has no rule of its own. Swagger would otherwise add a class's security to a method's
 * instead of replacing it, and list the bearer requirement twice.
 *
 * `documentation` makes new decorators for each route: @nestjs/swagger's ApiSecurity keeps what
 * it wrote to one route in its closure and adds it to the next route it decorates, so a shared
 * pair of security decorators would list a scheme twice from the class's second route on.
 */
function accessRule(
  rule: ClassDecorator & MethodDecorator,
  documentation: () => Array<ClassDecorator & MethodDecorator>,
) {
  const documented = (target: object, key?: string | symbol, descriptor?: PropertyDescriptor) =>
    applyDecorators(...documentation())(target, key, descriptor);
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
