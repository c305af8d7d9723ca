// Every route says who may call it. The guards deny a route that says nothing, so a forgotten
// decorator fails closed rather than open.
import { applyDecorators } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import {
  ApiBearerAuth,
  ApiForbiddenResponse,
  ApiTooManyRequestsResponse,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import { ProblemDetails } from '../common/problem/problem-details.js';
import { GROUPS, type Group } from '../users/user.entity.js';

/** Metadata: the route needs no token. */
export const PublicRoute = Reflector.createDecorator<true>();
/** Metadata: the groups that may call the route; empty means any authenticated user. */
export const AllowedGroups = Reflector.createDecorator<Group[]>();

export const Public = () =>
  applyDecorators(PublicRoute(true), ApiTooManyRequestsResponse({ type: ProblemDetails }));

/** Any signed-in user, whatever their groups. */
export const Authenticated = () => RequireGroups();

/** Signed-in users in at least one of `groups`; documented in Swagger from the same call. */
export const RequireGroups = (...groups: Group[]) =>
  applyDecorators(
    AllowedGroups(groups),
    ApiBearerAuth(),
    ApiUnauthorizedResponse({ type: ProblemDetails, description: 'No, bad or expired token' }),
    // Every user belongs to at least one group, so a list of all of them can never yield a 403.
    ...(groups.length > 0 && !GROUPS.every((g) => groups.includes(g))
      ? [
          ApiForbiddenResponse({
            type: ProblemDetails,
            description: `Requires group: ${groups.join(' or ')}`,
          }),
        ]
      : []),
    ApiTooManyRequestsResponse({ type: ProblemDetails }),
  );
