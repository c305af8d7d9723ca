import type { Group } from './user.js';

/** The authenticated caller, as guards and controllers see it: a signed-in user or an API key. */
export interface Principal {
  /**
   * The user's id; null for an API key, which is no user: nothing may record it where a user is
   * referenced (a users foreign key), and the type makes every such place decide.
   */
  id: string | null;
  /** The user's name; for an API key `key:<name>`, what audit records show as the actor. */
  username: string;
  groups: Group[];
  /** The API key the request was made with; absent for a user. */
  apiKeyId?: string;
}

/** What decides whether a user's tokens still work; read on every authenticated request. */
export interface PrincipalState extends Principal {
  id: string;
  isActive: boolean;
  tokenVersion: number;
  /** The session (refresh-token family) the token belongs to is not revoked. */
  sessionActive: boolean;
}

/**
 * The user a principal is, on routes for signed-in users only: the groups guard keeps API keys
 * off them (`Authenticated()`), so an API key here is a bug, not a request to answer.
 */
export function userIdOf(principal: Principal): string {
  if (principal.id === null) throw new Error('An API key reached a route for signed-in users');
  return principal.id;
}
